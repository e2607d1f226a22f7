// IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed, and
// the MNIST-style directory layout built on them.
//
// Format: bytes 0-1 zero, byte 2 the element type (only 0x08, unsigned byte,
// is accepted), byte 3 the number of dimensions, then one big-endian uint32
// per dimension, then the elements in row-major order. Any item count is
// accepted (LibTorch's own MNIST reader insists on 60000/10000 and throws, so
// it is not used). The file is streamed through zlib (gzopen reads plain files
// as they are), so loading holds little more than the decoded bytes.
//
// Errors (all name the file):
//   kNotFound   missing file or directory, naming what provides it;
//   kDataLoss   wrong magic, unsupported element type, truncated data
//               (declared vs present element count), trailing bytes, corrupt
//               gzip, image/label files with different counts, a label
//               outside the classes.
#ifndef ISOAE_DATASETS_IDX_H_
#define ISOAE_DATASETS_IDX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "datasets/dataset.h"

namespace isoae {

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;  // product(dims) bytes
};

absl::StatusOr<IdxArray> ReadIdx(const std::string& path,
                                 const std::string& provider);

// An image file [N, H, W] and a label file [N] as a Dataset with item_shape
// {1, H, W}; labels must lie in [0, class_names.size()).
absl::StatusOr<Dataset> LoadIdxImagesAndLabels(
    const std::string& images_path, const std::string& labels_path,
    const std::string& name, const std::vector<std::string>& class_names,
    const std::string& provider);

// The MNIST directory layout: `dir` holds train-images-idx3-ubyte and
// train-labels-idx1-ubyte (test: t10k-...), each plain, .gz, or with the
// "train-images.idx3-ubyte" spelling.
absl::StatusOr<Dataset> LoadMnistStyleDir(
    const std::string& dir, bool test, const std::string& name,
    const std::vector<std::string>& class_names, const std::string& provider);

std::vector<std::string> MnistClassNames();         // "0".."9"
std::vector<std::string> FashionMnistClassNames();  // "T-shirt/top", ...

// Debian's dataset-fashion-mnist package.
inline constexpr char kFashionMnistDebianDir[] =
    "/usr/share/datasets/fashion-mnist";

}  // namespace isoae

#endif  // ISOAE_DATASETS_IDX_H_
