// COIL-20, processed version (coil-20-proc.zip from
// https://www.cs.columbia.edu/CAVE/software/softlib/coil-20.php): 20 objects
// x 72 poses (5 degree steps), 128x128 grayscale PNGs named obj<k>__<i>.png,
// k = 1..20, i = 0..71.
//
// `dir` may be the extracted coil-20-proc directory or its parent. Items are
// ordered by object, then pose; labels are k - 1; `poses` (optional) receives
// i per item. Files not named obj<k>__<i>.png are ignored and counted in the
// log; fewer than 20 x 72 images is logged as a warning, not an error, so a
// subset of objects can be used.
//
// Errors: kNotFound for a missing directory or one without any obj*__*.png;
// kDataLoss naming the file for an unreadable PNG or one whose size differs
// from `size` x `size`; kDataLoss for the same (object, pose) twice.
#ifndef ISOAE_DATASETS_COIL20_H_
#define ISOAE_DATASETS_COIL20_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "datasets/dataset.h"

namespace isoae {

inline constexpr char kCoil20Provider[] =
    "COIL-20 processed images (coil-20-proc.zip) from "
    "https://www.cs.columbia.edu/CAVE/software/softlib/coil-20.php; pass its "
    "directory with --data_dir";

absl::StatusOr<Dataset> LoadCoil20(const std::string& dir, int size = 128,
                                   std::vector<int>* poses = nullptr);

}  // namespace isoae

#endif  // ISOAE_DATASETS_COIL20_H_
