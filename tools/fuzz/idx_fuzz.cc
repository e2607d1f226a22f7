// Fuzz target: IDX files (plain and gzip), datasets/idx.h.
#include "datasets/idx.h"
#include "datasets/testing/fixtures.h"
#include "tools/fuzz/fuzz_support.h"

ISOAE_FUZZ_SEEDS() {
  using isoae::testing::Gzip;
  using isoae::testing::IdxBytes;
  const std::string images = IdxBytes({3, 2, 3}, std::vector<uint8_t>(18, 7));
  const std::string labels = IdxBytes({3}, {1, 2, 3});
  return {images, labels, Gzip(images), Gzip(labels), IdxBytes({2, 2}, {0, 1, 2, 3})};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = isoae::fuzz::ScratchFile(
      "idx", std::string(reinterpret_cast<const char*>(data), size));
  absl::StatusOr<isoae::IdxArray> a = isoae::ReadIdx(path, "fuzz");
  if (a.ok()) {
    int64_t total = 1;
    for (int64_t d : a->dims) total *= d;
    if (total != static_cast<int64_t>(a->data.size())) __builtin_trap();
  }
  return 0;
}
