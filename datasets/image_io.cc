#include "datasets/image_io.h"

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "datasets/file_io.h"

namespace isoae {

absl::StatusOr<Image> DecodeImage(const std::string& bytes,
                                  const std::string& path, int channels) {
  if (channels != 0 && channels != 1 && channels != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("DecodeImage: channels must be 0, 1 or 3, got ", channels));
  }
  if (bytes.empty() || bytes.size() > static_cast<size_t>(INT_MAX)) {
    return absl::DataLossError(absl::StrCat(
        path, ": unreadable image (", bytes.size(), " bytes)"));
  }
  int w = 0, h = 0, c = 0;
  // The header's size is the file's word: stb_image allocates what it
  // declares before decoding (a 60-byte PNG asked for 2 GiB). No format packs
  // more than ~2048 decoded bytes per file byte (deflate's limit is 1032:1).
  if (stbi_info_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()), &w, &h, &c) != 0) {
    const uint64_t decoded = static_cast<uint64_t>(w) * static_cast<uint64_t>(h) *
                             static_cast<uint64_t>(channels != 0 ? channels : c);
    if (w <= 0 || h <= 0 || w > kMaxImageSide || h > kMaxImageSide ||
        decoded > uint64_t{2048} * bytes.size() + (uint64_t{1} << 20)) {
      return absl::DataLossError(absl::StrCat(path, ": image header declares ", w, "x", h,
                                              " pixels, more than its ", bytes.size(),
                                              " bytes can hold (or above ", kMaxImageSide,
                                              " per side)"));
    }
  }
  unsigned char* data = stbi_load_from_memory(
      reinterpret_cast<const unsigned char*>(bytes.data()),
      static_cast<int>(bytes.size()), &w, &h, &c, channels);
  if (data == nullptr) {
    const char* why = stbi_failure_reason();
    return absl::DataLossError(absl::StrCat(path, ": unreadable image (",
                                            why != nullptr ? why : "unknown",
                                            ")"));
  }
  Image img;
  img.height = h;
  img.width = w;
  img.channels = channels != 0 ? channels : c;
  img.pixels.assign(data, data + static_cast<size_t>(w) * h * img.channels);
  stbi_image_free(data);
  return img;
}

absl::StatusOr<Image> ReadImage(const std::string& path, int channels,
                                const std::string& provider) {
  ISOAE_ASSIGN_OR_RETURN(const std::string bytes,
                         ReadFileBytes(path, provider));
  return DecodeImage(bytes, path, channels);
}

namespace {
absl::Status CheckWritable(const Image& image) {
  if (image.height <= 0 || image.width <= 0 ||
      (image.channels != 1 && image.channels != 3 && image.channels != 4) ||
      image.pixels.size() !=
          static_cast<size_t>(image.height) * image.width * image.channels) {
    return absl::InvalidArgumentError(absl::StrCat(
        "image to write is inconsistent: ", image.height, "x", image.width,
        "x", image.channels, " with ", image.pixels.size(), " bytes"));
  }
  return absl::OkStatus();
}
}  // namespace

absl::Status WritePng(const std::string& path, const Image& image) {
  ISOAE_RETURN_IF_ERROR(CheckWritable(image));
  if (stbi_write_png(path.c_str(), image.width, image.height, image.channels,
                     image.pixels.data(), image.width * image.channels) == 0) {
    return absl::InternalError(absl::StrCat("cannot write PNG ", path));
  }
  return absl::OkStatus();
}

absl::Status WriteJpeg(const std::string& path, const Image& image,
                       int quality) {
  ISOAE_RETURN_IF_ERROR(CheckWritable(image));
  if (quality < 1 || quality > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("JPEG quality ", quality, " outside 1..100"));
  }
  if (stbi_write_jpg(path.c_str(), image.width, image.height, image.channels,
                     image.pixels.data(), quality) == 0) {
    return absl::InternalError(absl::StrCat("cannot write JPEG ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<Image> CenterCropResize(const Image& image, int crop,
                                       int size) {
  if (crop <= 0 || size <= 0 || crop > image.height || crop > image.width) {
    return absl::InvalidArgumentError(absl::StrCat(
        "centre crop ", crop, " and size ", size, " for a ", image.height,
        "x", image.width, " image: need 0 < crop <= min(height, width), "
        "size > 0"));
  }
  const int top = (image.height - crop) / 2;
  const int left = (image.width - crop) / 2;
  const int c = image.channels;
  const int stride = image.width * c;
  const uint8_t* origin = image.pixels.data() + top * stride + left * c;
  Image out;
  out.height = size;
  out.width = size;
  out.channels = c;
  out.pixels.resize(static_cast<size_t>(size) * size * c);
  if (crop == size) {
    for (int r = 0; r < size; ++r) {
      std::copy_n(origin + r * stride, size * c, out.pixels.data() + r * size * c);
    }
    return out;
  }
  if (stbir_resize_uint8(origin, crop, crop, stride, out.pixels.data(), size,
                         size, size * c, c) == 0) {
    return absl::InternalError("stbir_resize_uint8 failed");
  }
  return out;
}

void HwcToChw(const Image& image, uint8_t* out) {
  const int hw = image.height * image.width;
  const int c = image.channels;
  for (int p = 0; p < hw; ++p) {
    for (int k = 0; k < c; ++k) out[k * hw + p] = image.pixels[p * c + k];
  }
}

absl::Status WriteItemGridPng(const std::string& path, const Dataset& d,
                              absl::Span<const int64_t> items, int columns,
                              int zoom) {
  if (items.empty() || columns <= 0 || zoom <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "item grid: need items, columns > 0 and zoom > 0 (", items.size(),
        " items, ", columns, " columns, zoom ", zoom, ")"));
  }
  for (int64_t i : items) {
    if (i < 0 || i >= d.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "item grid: item ", i, " outside [0, ", d.size(), ")"));
    }
  }
  const bool is_image = d.item_shape.size() == 3 &&
                        (d.item_shape[0] == 1 || d.item_shape[0] == 3);
  if (!is_image && d.item_shape.size() != 1) {
    return absl::InvalidArgumentError(
        "item grid: items must be C x H x W images (C = 1 or 3) or vectors");
  }
  const int c = is_image ? static_cast<int>(d.item_shape[0]) : 1;
  const int ih = is_image ? static_cast<int>(d.item_shape[1]) : 1;
  const int iw = is_image ? static_cast<int>(d.item_shape[2])
                          : static_cast<int>(d.item_shape[0]);
  // Float data: one min-max scale over the shown items.
  float lo = 0, hi = 255;
  if (d.storage == Storage::kFloat32) {
    lo = std::numeric_limits<float>::infinity();
    hi = -lo;
    for (int64_t i : items) {
      for (int64_t j = 0; j < d.item_size(); ++j) {
        lo = std::min(lo, d.value(i, j));
        hi = std::max(hi, d.value(i, j));
      }
    }
    if (!(hi > lo)) hi = lo + 1;
  }
  const int cols = std::min<int>(columns, static_cast<int>(items.size()));
  const int rows = static_cast<int>((items.size() + cols - 1) / cols);
  const int gap = 1;
  const int cell_h = (is_image ? ih * zoom : zoom * 4) + gap;
  const int cell_w = iw * zoom + gap;
  Image grid;
  grid.channels = c;
  grid.height = rows * cell_h + gap;
  grid.width = cols * cell_w + gap;
  grid.pixels.assign(static_cast<size_t>(grid.height) * grid.width * c, 64);
  const int hw = ih * iw;
  for (size_t k = 0; k < items.size(); ++k) {
    const int y0 = static_cast<int>(k / cols) * cell_h + gap;
    const int x0 = static_cast<int>(k % cols) * cell_w + gap;
    for (int y = 0; y < cell_h - gap; ++y) {
      const int r = is_image ? y / zoom : 0;
      for (int x = 0; x < cell_w - gap; ++x) {
        const int col = x / zoom;
        for (int ch = 0; ch < c; ++ch) {
          const float v = d.value(items[k], ch * hw + r * iw + col);
          const float g = d.storage == Storage::kUint8
                              ? v
                              : 255.0f * (v - lo) / (hi - lo);
          grid.pixels[(static_cast<size_t>(y0 + y) * grid.width + x0 + x) * c +
                      ch] =
              static_cast<uint8_t>(std::clamp(std::lround(g), 0L, 255L));
        }
      }
    }
  }
  return WritePng(path, grid);
}

}  // namespace isoae
