// CIFAR-10, binary version (cifar-10-binary.tar.gz from
// https://www.cs.toronto.edu/~kriz/cifar.html): data_batch_1..5.bin (train,
// 50,000) and test_batch.bin (10,000). Each record is 1 label byte (0..9)
// followed by 3072 pixel bytes: the 1024 red, then green, then blue values of
// a 32x32 image in row-major order, i.e. exactly C x H x W.
//
// `dir` may be the extracted cifar-10-batches-bin directory or its parent.
//
// Errors: kNotFound for a missing directory or batch file (saying where the
// data comes from); kDataLoss naming the file for a size that is not a whole
// number of 3073-byte records (with the index of the incomplete record) or a
// label byte above 9 (with the record index).
#ifndef ISOAE_DATASETS_CIFAR10_H_
#define ISOAE_DATASETS_CIFAR10_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "datasets/dataset.h"

namespace isoae {

inline constexpr char kCifar10Provider[] =
    "CIFAR-10 binary version, https://www.cs.toronto.edu/~kriz/cifar.html; "
    "pass its directory with --data_dir";

std::vector<std::string> Cifar10ClassNames();

// Records of one batch file, appended to `out` (item_shape {3, 32, 32}).
absl::Status AppendCifar10Batch(const std::string& path, Dataset* out);

// The 50,000 training images (test = false) or the 10,000 test images.
absl::StatusOr<Dataset> LoadCifar10(const std::string& dir, bool test);

}  // namespace isoae

#endif  // ISOAE_DATASETS_CIFAR10_H_
