#include "datasets/dataset.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

#include "core/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::testing::ElementsAre;
using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

// n items of shape {1, 1, 2}: item i holds (i, 100 + i), label i % 3.
Dataset Toy(int n) {
  Dataset d;
  d.name = "toy/all";
  d.item_shape = {1, 1, 2};
  d.class_names = {"a", "b", "c"};
  for (int i = 0; i < n; ++i) {
    d.pixels.push_back(static_cast<uint8_t>(i));
    d.pixels.push_back(static_cast<uint8_t>(100 + i));
    d.labels.push_back(i % 3);
  }
  return d;
}

TEST(DatasetTest, SizesAndValues) {
  const Dataset d = Toy(5);
  EXPECT_EQ(d.item_size(), 2);
  EXPECT_EQ(d.size(), 5);
  EXPECT_EQ(d.value(3, 1), 103.0f);
  ISOAE_EXPECT_OK(ValidateDataset(d));
}

TEST(DatasetTest, ValidateNamesTheProblem) {
  Dataset d = Toy(4);
  d.labels.pop_back();
  EXPECT_THAT(ValidateDataset(d), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("3 labels for 4 items")));
  d = Toy(4);
  d.labels[2] = 7;
  EXPECT_THAT(ValidateDataset(d),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("label 7 of item 2")));
  d = Toy(4);
  d.pixels.push_back(1);
  EXPECT_THAT(ValidateDataset(d),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a multiple")));
  Dataset f;
  f.name = "f";
  f.storage = Storage::kFloat32;
  f.item_shape = {2};
  f.features = {0.f, std::numeric_limits<float>::quiet_NaN()};
  EXPECT_THAT(ValidateDataset(f),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("non-finite value at item 0, element 1")));
  d = Toy(2);
  d.attribute_names = {"x"};
  d.attributes = {0, 2};
  EXPECT_THAT(ValidateDataset(d), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("not 0/1")));
}

TEST(DatasetTest, SubsetCopiesItemsLabelsAndAttributes) {
  Dataset d = Toy(6);
  d.attribute_names = {"x", "y"};
  for (int i = 0; i < 6; ++i) {
    d.attributes.push_back(i % 2);
    d.attributes.push_back(1 - i % 2);
  }
  ISOAE_ASSERT_OK_AND_ASSIGN(Dataset s, Subset(d, {4, 1, 4}, "toy/sub"));
  EXPECT_EQ(s.name, "toy/sub");
  EXPECT_THAT(s.pixels, ElementsAre(4, 104, 1, 101, 4, 104));
  EXPECT_THAT(s.labels, ElementsAre(1, 1, 1));
  EXPECT_THAT(s.attributes, ElementsAre(0, 1, 1, 0, 0, 1));
  ISOAE_EXPECT_OK(ValidateDataset(s));
  EXPECT_THAT(Subset(d, {6}, "x"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("index 6 outside [0, 6)")));
}

TEST(DatasetTest, SeededPermutationIsADeterministicPermutation) {
  const std::vector<int64_t> a = SeededPermutation(1000, 7);
  const std::vector<int64_t> b = SeededPermutation(1000, 7);
  const std::vector<int64_t> c = SeededPermutation(1000, 8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  std::vector<int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> iota(1000);
  std::iota(iota.begin(), iota.end(), 0);
  EXPECT_EQ(sorted, iota);
  // Not the identity and roughly uniform: item 0 lands in each half often.
  int first_half = 0;
  for (uint64_t s = 0; s < 400; ++s) first_half += SeededPermutation(10, s)[0] < 5;
  EXPECT_GT(first_half, 150);
  EXPECT_LT(first_half, 250);
}

TEST(DatasetTest, FilterClassesKeepsLabels) {
  ISOAE_ASSERT_OK_AND_ASSIGN(Dataset f, FilterClasses(Toy(7), {2, 0}));
  EXPECT_THAT(f.labels, ElementsAre(0, 2, 0, 2, 0));
  EXPECT_THAT(f.pixels, ElementsAre(0, 100, 2, 102, 3, 103, 5, 105, 6, 106));
  EXPECT_THAT(FilterClasses(Toy(3), {3}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("class 3 in the filter is not a class")));
  EXPECT_THAT(FilterClasses(Toy(3), {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("empty class filter")));
  Dataset unlabeled = Toy(3);
  unlabeled.labels.clear();
  EXPECT_THAT(FilterClasses(unlabeled, {0}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("has no labels")));
}

TEST(DatasetTest, ParseClassList) {
  ISOAE_ASSERT_OK_AND_ASSIGN(auto c, ParseClassList(" 0, 1,7,1"));
  EXPECT_THAT(c, ElementsAre(0, 1, 7));
  ISOAE_ASSERT_OK_AND_ASSIGN(auto none, ParseClassList(""));
  EXPECT_TRUE(none.empty());
  EXPECT_THAT(ParseClassList("0,x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'x'")));
  EXPECT_THAT(ParseClassList("-1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'-1'")));
}

std::set<int> FirstValues(const Dataset& d) {
  std::set<int> s;
  for (int64_t i = 0; i < d.size(); ++i) s.insert(d.pixels[i * 2]);
  return s;
}

TEST(DatasetTest, SplitTrainValidIsDisjointAndSeeded) {
  const Dataset d = Toy(50);
  ISOAE_ASSERT_OK_AND_ASSIGN(DatasetSplits s, SplitTrainValid(d, 30, 15, 3));
  EXPECT_EQ(s.train.size(), 30);
  EXPECT_EQ(s.valid.size(), 15);
  EXPECT_EQ(s.train.name, "toy/train");
  EXPECT_EQ(s.valid.name, "toy/valid");
  const std::set<int> a = FirstValues(s.train), b = FirstValues(s.valid);
  EXPECT_EQ(a.size(), 30u);
  for (int v : b) EXPECT_EQ(a.count(v), 0u) << v;
  ISOAE_ASSERT_OK_AND_ASSIGN(DatasetSplits again, SplitTrainValid(d, 30, 15, 3));
  EXPECT_EQ(again.train.pixels, s.train.pixels);
  EXPECT_THAT(SplitTrainValid(d, 40, 11, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("40 train + 11 valid items: it has 50")));
}

TEST(DatasetTest, SplitFractions) {
  ISOAE_ASSERT_OK_AND_ASSIGN(DatasetSplits s,
                             SplitFractions(Toy(10), 0.7, 0.2, 0.1, 0));
  EXPECT_EQ(s.train.size(), 7);
  EXPECT_EQ(s.valid.size(), 2);
  EXPECT_EQ(s.test.size(), 1);
  EXPECT_THAT(SplitFractions(Toy(10), 0.8, 0.2, 0.1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sum to more than 1")));
  EXPECT_THAT(SplitFractions(Toy(10), -0.1, 0.2, 0.1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("each must be in [0, 1]")));
  EXPECT_THAT(SplitFractions(Toy(10), std::nan(""), 0.2, 0.1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("fractions")));
}

TEST(DatasetTest, HistogramAndRange) {
  EXPECT_THAT(ClassHistogram(Toy(7)), ElementsAre(3, 2, 2));
  const ValueRange r = ComputeValueRange(Toy(3));
  EXPECT_EQ(r.min, 0);
  EXPECT_EQ(r.max, 102);
  EXPECT_DOUBLE_EQ(r.mean, (0 + 1 + 2 + 100 + 101 + 102) / 6.0);
}

}  // namespace
}  // namespace isoae
