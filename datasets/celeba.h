// CelebA, aligned and cropped faces (http://mmlab.ie.cuhk.edu.hk/projects/
// CelebA.html): img_align_celeba/<id>.jpg (178x218), list_attr_celeba.txt
// (line 1 the image count, line 2 the 40 attribute names, then
// "<file> <40 values of 1 or -1>") and list_eval_partition.txt
// ("<file> <0|1|2>": train 162,770 / valid 19,867 / test 19,962).
//
// Each image is centre-cropped to `crop` x `crop` (140 by default, as in the
// RAE / WAE CelebA pipelines) and resized to `size` x `size` (64), stored as
// 3 x size x size bytes; attributes as 0/1 (from -1/1). Decoding runs on
// `threads` threads (0: all cores).
//
// Errors: kNotFound for a missing directory, list file or image (naming it);
// kDataLoss naming file and line for a malformed header or attribute line (not
// 40 values of +-1), a partition value outside 0..2, a partition entry without
// attributes, a count that disagrees with the header; kDataLoss naming the
// image for an undecodable JPEG or one smaller than the crop;
// kInvalidArgument for bad crop/size/partition options.
#ifndef ISOAE_DATASETS_CELEBA_H_
#define ISOAE_DATASETS_CELEBA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "datasets/dataset.h"

namespace isoae {

inline constexpr char kCelebaProvider[] =
    "CelebA aligned images and annotation lists from "
    "http://mmlab.ie.cuhk.edu.hk/projects/CelebA.html; pass the directory "
    "holding img_align_celeba/, list_attr_celeba.txt and "
    "list_eval_partition.txt with --data_dir";

struct CelebaOptions {
  int partition = 0;      // 0 train, 1 valid, 2 test, -1 all
  int crop = 140;
  int size = 64;
  int64_t max_items = 0;  // 0: all of the partition (file order)
  int threads = 0;        // 0: all cores
};

struct CelebaAttributes {
  std::vector<std::string> names;          // 40
  std::vector<std::string> files;          // per image
  std::vector<uint8_t> values;             // files.size() * 40, 0/1
};

absl::StatusOr<CelebaAttributes> ParseCelebaAttributes(
    const std::string& text, const std::string& path);

// file name -> partition (0, 1, 2), in file order.
absl::StatusOr<std::vector<std::pair<std::string, int>>> ParseCelebaPartition(
    const std::string& text, const std::string& path);

absl::StatusOr<Dataset> LoadCeleba(const std::string& dir,
                                   const CelebaOptions& options);

// The three official partitions, reading the list files once
// (options.partition is ignored; max_items caps each partition).
absl::StatusOr<DatasetSplits> LoadCelebaSplits(const std::string& dir,
                                               const CelebaOptions& options);

}  // namespace isoae

#endif  // ISOAE_DATASETS_CELEBA_H_
