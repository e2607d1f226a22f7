#include "datasets/cifar10.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "datasets/file_io.h"

namespace isoae {
namespace {
constexpr int64_t kImageBytes = 3 * 32 * 32;
constexpr int64_t kRecordBytes = 1 + kImageBytes;
}  // namespace

std::vector<std::string> Cifar10ClassNames() {
  return {"airplane", "automobile", "bird",  "cat",  "deer",
          "dog",      "frog",       "horse", "ship", "truck"};
}

absl::Status AppendCifar10Batch(const std::string& path, Dataset* out) {
  ISOAE_ASSIGN_OR_RETURN(const std::string bytes,
                         ReadFileBytes(path, kCifar10Provider));
  const int64_t size = static_cast<int64_t>(bytes.size());
  if (size == 0 || size % kRecordBytes != 0) {
    return absl::DataLossError(absl::StrCat(
        path, ": ", size, " bytes is not a whole number of ", kRecordBytes,
        "-byte records (record ", size / kRecordBytes, " is incomplete)"));
  }
  const int64_t n = size / kRecordBytes;
  const unsigned char* records = reinterpret_cast<const unsigned char*>(bytes.data());
  // Every label is checked before `out` changes: an error leaves it as it was.
  for (int64_t i = 0; i < n; ++i) {
    const unsigned char label = records[i * kRecordBytes];
    if (label > 9) {
      return absl::DataLossError(absl::StrCat(path, ": record ", i, " has label byte ",
                                              static_cast<int>(label), " (expected 0..9)"));
    }
  }
  const size_t base = out->pixels.size();
  out->pixels.resize(base + n * kImageBytes);
  for (int64_t i = 0; i < n; ++i) {
    const unsigned char* rec = records + i * kRecordBytes;
    out->labels.push_back(rec[0]);
    std::copy_n(rec + 1, kImageBytes, out->pixels.begin() + base + i * kImageBytes);
  }
  return absl::OkStatus();
}

absl::StatusOr<Dataset> LoadCifar10(const std::string& dir, bool test) {
  if (!IsDirectory(dir)) return MissingPathError(dir, kCifar10Provider);
  std::string root = dir;
  if (!IsRegularFile(JoinPath(root, "test_batch.bin")) &&
      IsDirectory(JoinPath(dir, "cifar-10-batches-bin"))) {
    root = JoinPath(dir, "cifar-10-batches-bin");
  }
  Dataset d;
  d.name = test ? "cifar10/test" : "cifar10/train";
  d.item_shape = {3, 32, 32};
  d.storage = Storage::kUint8;
  d.class_names = Cifar10ClassNames();
  std::vector<std::string> files;
  if (test) {
    files.push_back("test_batch.bin");
  } else {
    for (int b = 1; b <= 5; ++b) files.push_back(absl::StrCat("data_batch_", b, ".bin"));
  }
  for (const std::string& f : files) {
    ISOAE_RETURN_IF_ERROR(AppendCifar10Batch(JoinPath(root, f), &d));
  }
  return d;
}

}  // namespace isoae
