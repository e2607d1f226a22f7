// Fuzz target: CMU mocap ASF skeletons, AMC motions and trial lists,
// datasets/cmu_mocap.h. The first byte picks the parser: 'A' ASF, 'M' AMC
// against the fixture skeleton, anything else the trial list.
#include <cmath>

#include "datasets/cmu_mocap.h"
#include "datasets/testing/fixtures.h"
#include "tools/fuzz/fuzz_support.h"

ISOAE_FUZZ_SEEDS() {
  using isoae::testing::CmuAmc;
  using isoae::testing::CmuAsf;
  const auto value = [](int f, int b, int k) { return 10.0 * f + b - 3.5 * k; };
  return {"A" + CmuAsf(), "A" + CmuAsf("rad"), "M" + CmuAmc(3, value),
          "T01_01.amc walk\n02_05.amc run\n# comment\n"};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0]) {
    case 'A': {
      absl::StatusOr<isoae::AsfSkeleton> s = isoae::ParseAsf(text, "fuzz.asf");
      if (s.ok()) isoae::PoseDimensionNames(*s, isoae::MocapOptions());
      break;
    }
    case 'M': {
      static const isoae::AsfSkeleton* skeleton =
          new isoae::AsfSkeleton(*isoae::ParseAsf(isoae::testing::CmuAsf(), "fixture.asf"));
      const isoae::MocapOptions options;
      int64_t frames = 0;
      absl::StatusOr<std::vector<float>> v =
          isoae::ParseAmc(text, "fuzz.amc", *skeleton, options, &frames);
      if (v.ok()) {
        const size_t dims = isoae::PoseDimensionNames(*skeleton, options).size();
        if (v->size() != static_cast<size_t>(frames) * dims) __builtin_trap();
        for (float x : *v) {
          if (!std::isfinite(x)) __builtin_trap();
        }
      }
      break;
    }
    default:
      isoae::ParseTrialList(text, "fuzz_trials.txt", "/nonexistent").IgnoreError();
  }
  return 0;
}
