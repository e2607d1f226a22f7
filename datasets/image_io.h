// PNG/JPEG decoding and encoding through stb (Debian libstb-dev), the
// centre-crop + resize used for CelebA, and a PNG grid of dataset items for
// eyeballing a copy of a dataset (//tools:dataset_info).
//
// Images are 8-bit, interleaved H x W x C (C = 1 gray, 3 RGB); datasets store
// C x H x W, see HwcToChw.
//
// Errors: kNotFound for a missing file; kDataLoss naming the file and stb's
// reason for undecodable bytes; kInvalidArgument for bad crop/resize sizes or
// grid requests; kInternal (naming the path) when a PNG cannot be written.
#ifndef ISOAE_DATASETS_IMAGE_IO_H_
#define ISOAE_DATASETS_IMAGE_IO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "datasets/dataset.h"

namespace isoae {

struct Image {
  int height = 0;
  int width = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;  // height * width * channels, interleaved
};

// Larger images are refused (kDataLoss) before decoding, as are headers that
// declare more pixels than the file's bytes can encode.
inline constexpr int kMaxImageSide = 16384;

// `channels` 1 or 3 converts to gray / RGB; 0 keeps the file's own.
absl::StatusOr<Image> DecodeImage(const std::string& bytes,
                                  const std::string& path, int channels);
absl::StatusOr<Image> ReadImage(const std::string& path, int channels,
                                const std::string& provider);

absl::Status WritePng(const std::string& path, const Image& image);
// quality 1..100.
absl::Status WriteJpeg(const std::string& path, const Image& image,
                       int quality);

// Crops the central crop x crop square (crop <= min(height, width)) and
// resizes it to size x size (stb_image_resize's default filters: Mitchell
// when shrinking). crop == size skips the resampling.
absl::StatusOr<Image> CenterCropResize(const Image& image, int crop,
                                       int size);

// Writes image (H x W x C) into `out` as C x H x W.
void HwcToChw(const Image& image, uint8_t* out);

// A grid of dataset items, `columns` wide, each item scaled up by `zoom`
// (nearest neighbour). Image datasets (item_shape {C, H, W}, C = 1 or 3) are
// drawn as images (uint8 as is, float min-max scaled over the shown items);
// vector datasets (item_shape {D}) as one gray stripe of D cells per item.
absl::Status WriteItemGridPng(const std::string& path, const Dataset& d,
                              absl::Span<const int64_t> items, int columns,
                              int zoom);

}  // namespace isoae

#endif  // ISOAE_DATASETS_IMAGE_IO_H_
