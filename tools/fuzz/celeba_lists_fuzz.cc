// Fuzz target: CelebA's attribute and partition lists, datasets/celeba.h.
// The first byte picks the parser: 'a' attributes, anything else partitions.
#include "absl/strings/str_cat.h"
#include "datasets/celeba.h"
#include "tools/fuzz/fuzz_support.h"

ISOAE_FUZZ_SEEDS() {
  std::string names;
  for (int i = 0; i < 40; ++i) absl::StrAppend(&names, i ? " " : "", "Attr", i);
  std::string attrs = absl::StrCat("a2\n", names, "\n");
  for (int r = 1; r <= 2; ++r) {
    absl::StrAppend(&attrs, "00000", r, ".jpg");
    for (int i = 0; i < 40; ++i) absl::StrAppend(&attrs, (i + r) % 3 ? " -1" : "  1");
    attrs += "\n";
  }
  return {attrs, "p000001.jpg 0\n000002.jpg 1\n000003.jpg 2\n"};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] == 'a') {
    absl::StatusOr<isoae::CelebaAttributes> a = isoae::ParseCelebaAttributes(text, "attrs.txt");
    if (a.ok() && a->values.size() != a->files.size() * a->names.size()) __builtin_trap();
  } else {
    isoae::ParseCelebaPartition(text, "partition.txt").IgnoreError();
  }
  return 0;
}
