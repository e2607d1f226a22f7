#include "datasets/cifar10.h"

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

// `n` records; record i has label (i + first) % 10 and pixel k = (k + i) % 256.
std::string Records(int n, int first) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    s.push_back(static_cast<char>((i + first) % 10));
    for (int k = 0; k < 3072; ++k) s.push_back(static_cast<char>((k + i) % 256));
  }
  return s;
}

std::string WriteCopy(const std::string& tag, bool nested) {
  const std::string root = testing::FreshDir(tag);
  const std::string dir = nested ? root + "/cifar-10-batches-bin" : root;
  for (int b = 1; b <= 5; ++b) {
    testing::WriteBytes(absl::StrCat(dir, "/data_batch_", b, ".bin"), Records(2, b));
  }
  testing::WriteBytes(dir + "/test_batch.bin", Records(3, 0));
  return root;
}

TEST(Cifar10Test, DecodesRecordsInChwOrder) {
  const std::string dir = WriteCopy("cifar", /*nested=*/true);
  ISOAE_ASSERT_OK_AND_ASSIGN(Dataset train, LoadCifar10(dir, false));
  EXPECT_EQ(train.size(), 10);
  EXPECT_THAT(train.item_shape, ElementsAre(3, 32, 32));
  EXPECT_THAT(train.labels, ElementsAre(1, 2, 2, 3, 3, 4, 4, 5, 5, 6));
  // Item 1 (second record of batch 1): green channel, row 2, col 5 is byte
  // 1024 + 2 * 32 + 5 of the record, value (1093 + 1) % 256.
  EXPECT_EQ(train.value(1, 1024 + 2 * 32 + 5), (1093 + 1) % 256);
  ISOAE_ASSERT_OK_AND_ASSIGN(Dataset test, LoadCifar10(dir, true));
  EXPECT_THAT(test.labels, ElementsAre(0, 1, 2));
  EXPECT_EQ(test.class_names[9], "truck");
  ISOAE_EXPECT_OK(ValidateDataset(test));
}

TEST(Cifar10Test, Errors) {
  const std::string dir = WriteCopy("cifar_bad", /*nested=*/false);
  testing::WriteBytes(dir + "/test_batch.bin", Records(2, 0).substr(0, 3073 + 100));
  EXPECT_THAT(LoadCifar10(dir, true),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("test_batch.bin"),
                             HasSubstr("record 1 is incomplete"))));
  std::string bad_label = Records(2, 0);
  bad_label[3073] = 12;
  testing::WriteBytes(dir + "/test_batch.bin", bad_label);
  EXPECT_THAT(LoadCifar10(dir, true),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("record 1 has label byte 12")));
  // A failed append leaves the dataset as it was (record 0 was good).
  Dataset partial;
  EXPECT_FALSE(AppendCifar10Batch(dir + "/test_batch.bin", &partial).ok());
  EXPECT_TRUE(partial.pixels.empty());
  EXPECT_TRUE(partial.labels.empty());
  std::remove((dir + "/data_batch_4.bin").c_str());
  EXPECT_THAT(LoadCifar10(dir, false),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("data_batch_4.bin"),
                             HasSubstr("cs.toronto.edu"))));
}

}  // namespace
}  // namespace isoae
