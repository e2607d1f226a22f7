// Fuzz target: CIFAR-10 binary batch files, datasets/cifar10.h.
#include "datasets/cifar10.h"
#include "tools/fuzz/fuzz_support.h"

ISOAE_FUZZ_SEEDS() {
  std::string two;
  for (int r = 0; r < 2; ++r) {
    two.push_back(static_cast<char>(r * 7));
    for (int p = 0; p < 3072; ++p) two.push_back(static_cast<char>((p * 13 + r) % 256));
  }
  return {two, two.substr(0, 3073)};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = isoae::fuzz::ScratchFile(
      "cifar", std::string(reinterpret_cast<const char*>(data), size));
  isoae::Dataset d;
  d.name = "cifar10/fuzz";
  d.item_shape = {3, 32, 32};
  d.class_names = isoae::Cifar10ClassNames();
  const absl::Status s = isoae::AppendCifar10Batch(path, &d);
  // Appended whole and consistent, or not at all.
  if (s.ok() ? !isoae::ValidateDataset(d).ok() : (!d.pixels.empty() || !d.labels.empty())) {
    __builtin_trap();
  }
  return 0;
}
