// SVHN cropped digits (format 2, http://ufldl.stanford.edu/housenumbers/):
// train_32x32.mat (73,257 digits), test_32x32.mat (26,032) and
// extra_32x32.mat, MATLAB files read through libmatio. Each holds X, uint8
// [32, 32, 3, N] in MATLAB's column-major order (X(row, col, channel, item)),
// and y, [N, 1] numeric labels 1..10 where 10 means the digit 0.
//
// Returned as item_shape {3, 32, 32} (C x H x W) with labels 0..9.
//
// Errors: kNotFound for a missing file or directory; kDataLoss naming the
// file for a file matio cannot open or read (with matio's own message), a
// missing X or y, wrong ranks, extents or classes, N mismatched between X and
// y, and a label outside 1..10 (with the item index).
#ifndef ISOAE_DATASETS_SVHN_H_
#define ISOAE_DATASETS_SVHN_H_

#include <string>

#include "absl/status/statusor.h"
#include "datasets/dataset.h"

namespace isoae {

inline constexpr char kSvhnProvider[] =
    "SVHN format 2 (train_32x32.mat, test_32x32.mat) from "
    "http://ufldl.stanford.edu/housenumbers/; pass its directory with "
    "--data_dir";

absl::StatusOr<Dataset> LoadSvhnMat(const std::string& path,
                                    const std::string& name);

// `split` is "train", "test" or "extra" (file <split>_32x32.mat in `dir`).
absl::StatusOr<Dataset> LoadSvhn(const std::string& dir,
                                 const std::string& split);

}  // namespace isoae

#endif  // ISOAE_DATASETS_SVHN_H_
