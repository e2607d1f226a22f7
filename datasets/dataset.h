// The common in-memory dataset every loader returns, and the operations the
// experiments need on it: seeded shuffles, subsets, class filters and
// train/valid/test splits.
//
// Storage. Images stay as uint8 (one byte per channel value, items in C x H x W
// order), so CelebA at 64x64 costs 2.4 GB instead of ~10 GB as float; batches
// are converted to float (value / 255) when they are used (see
// datasets/tensor_adapter.h). Real-valued data (CMU joint angles) is stored as
// float32. Exactly one of `pixels` / `features` is used, as `storage` says.
//
// Labels are class indices into `class_names` (one per item) or empty.
// Attributes (CelebA) are 0/1 bytes, item-major: attributes[i * A + a].
//
// Errors: kInvalidArgument for inconsistent datasets (ValidateDataset), bad
// indices, unknown classes in a filter, split counts or fractions that do not
// fit. Nothing here throws.
#ifndef ISOAE_DATASETS_DATASET_H_
#define ISOAE_DATASETS_DATASET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace isoae {

enum class Storage { kUint8, kFloat32 };

struct Dataset {
  std::string name;                 // e.g. "fashion_mnist/train"
  std::vector<int64_t> item_shape;  // {C, H, W} for images, {D} for vectors
  Storage storage = Storage::kUint8;
  std::vector<uint8_t> pixels;  // size() * item_size(), kUint8 only
  std::vector<float> features;  // size() * item_size(), kFloat32 only
  std::vector<int32_t> labels;  // size() or empty
  std::vector<std::string> class_names;
  std::vector<uint8_t> attributes;  // size() * attribute_names.size(), 0/1
  std::vector<std::string> attribute_names;

  int64_t item_size() const;  // product of item_shape
  int64_t size() const;       // number of items
  bool has_labels() const { return !labels.empty(); }
  int64_t num_attributes() const {
    return static_cast<int64_t>(attribute_names.size());
  }
  // Value of element `j` of item `i` as stored (0..255 for uint8).
  float value(int64_t i, int64_t j) const;
};

// Checks sizes against item_shape and the item count, labels against
// class_names, attributes against attribute_names and that they are 0/1, and
// that float features are finite. kInvalidArgument naming the first problem.
absl::Status ValidateDataset(const Dataset& d);

// Items `indices` (in that order; repeats allowed). kInvalidArgument for an
// index outside [0, size()).
absl::StatusOr<Dataset> Subset(const Dataset& d,
                               absl::Span<const int64_t> indices,
                               const std::string& name);

// A permutation of 0..n-1 that depends only on (n, seed): a Fisher-Yates
// shuffle driven by std::mt19937_64, identical on every platform.
std::vector<int64_t> SeededPermutation(int64_t n, uint64_t seed);

absl::StatusOr<Dataset> Shuffled(const Dataset& d, uint64_t seed);

// Keeps the items whose label is in `classes` (labels are kept as they are,
// so a {0, 1} subset of MNIST still has labels 0 and 1). kInvalidArgument if
// the dataset has no labels, `classes` is empty, or a class is unknown.
absl::StatusOr<Dataset> FilterClasses(const Dataset& d,
                                      absl::Span<const int32_t> classes);

// Parses "0,1,7" into class indices (empty string: empty list).
// kInvalidArgument naming the bad token.
absl::StatusOr<std::vector<int32_t>> ParseClassList(const std::string& text);

struct DatasetSplits {
  Dataset train;
  Dataset valid;
  Dataset test;
};

// Takes `train` + `valid` items of a seeded permutation of `d` (train first);
// the remaining items are dropped (the caller logs how many).
// kInvalidArgument for negative counts or train + valid > size().
absl::StatusOr<DatasetSplits> SplitTrainValid(const Dataset& d, int64_t train,
                                              int64_t valid, uint64_t seed);

// Fractions (train, valid, test), each in [0, 1], summing to at most 1:
// counts are floor(fraction * n) of a seeded permutation. kInvalidArgument
// otherwise.
absl::StatusOr<DatasetSplits> SplitFractions(const Dataset& d, double train,
                                             double valid, double test,
                                             uint64_t seed);

// Items per class (index = label), zeros for unused classes. Empty if the
// dataset has no labels.
std::vector<int64_t> ClassHistogram(const Dataset& d);

struct ValueRange {
  double min = 0;
  double max = 0;
  double mean = 0;
};
// Over all stored values; {0, 0, 0} for an empty dataset.
ValueRange ComputeValueRange(const Dataset& d);

}  // namespace isoae

#endif  // ISOAE_DATASETS_DATASET_H_
