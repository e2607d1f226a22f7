#include "datasets/idx.h"

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

// 3 images of 2x3 pixels, pixel value 10 * item + position.
std::vector<uint8_t> ImageBytes(int n = 3) {
  std::vector<uint8_t> v;
  for (int i = 0; i < n; ++i) {
    for (int p = 0; p < 6; ++p) v.push_back(static_cast<uint8_t>(10 * i + p));
  }
  return v;
}

TEST(IdxTest, ReadsPlainAndGzip) {
  const std::string dir = testing::FreshDir("idx");
  const std::string bytes = testing::IdxBytes({3, 2, 3}, ImageBytes());
  testing::WriteBytes(dir + "/a.idx", bytes);
  testing::WriteBytes(dir + "/a.idx.gz", testing::Gzip(bytes));
  for (const std::string f : {"/a.idx", "/a.idx.gz"}) {
    ISOAE_ASSERT_OK_AND_ASSIGN(IdxArray a, ReadIdx(dir + f, "p"));
    EXPECT_THAT(a.dims, ElementsAre(3, 2, 3));
    EXPECT_EQ(a.data, ImageBytes());
  }
}

TEST(IdxTest, HeaderErrors) {
  const std::string dir = testing::FreshDir("idx_bad");
  std::string wrong_magic = testing::IdxBytes({3}, {1, 2, 3});
  wrong_magic[1] = 7;
  testing::WriteBytes(dir + "/magic", wrong_magic);
  EXPECT_THAT(ReadIdx(dir + "/magic", "p"),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr(dir + "/magic"), HasSubstr("wrong IDX magic"))));
  testing::WriteBytes(dir + "/float", testing::IdxBytes({1}, {0, 0, 0, 0}, 0x0D));
  EXPECT_THAT(ReadIdx(dir + "/float", "p"),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("element type 0x0d is not supported")));
  testing::WriteBytes(dir + "/short", std::string("\0\0", 2));
  EXPECT_THAT(ReadIdx(dir + "/short", "p"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("truncated IDX header")));
}

TEST(IdxTest, TruncatedAndTrailingData) {
  const std::string dir = testing::FreshDir("idx_trunc");
  std::string bytes = testing::IdxBytes({3, 2, 3}, ImageBytes());
  testing::WriteBytes(dir + "/cut", bytes.substr(0, bytes.size() - 4));
  EXPECT_THAT(ReadIdx(dir + "/cut", "p"),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("declares 3x2x3 = 18 elements, the file holds 14")));
  testing::WriteBytes(dir + "/cut.gz",
                      testing::Gzip(bytes.substr(0, bytes.size() - 4)));
  EXPECT_THAT(ReadIdx(dir + "/cut.gz", "p"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("file holds 14")));
  testing::WriteBytes(dir + "/long", bytes + "xy");
  EXPECT_THAT(ReadIdx(dir + "/long", "p"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("trailing bytes")));
  // A gzip stream cut short.
  const std::string gz = testing::Gzip(bytes);
  testing::WriteBytes(dir + "/half.gz", gz.substr(0, gz.size() - 12));
  EXPECT_THAT(ReadIdx(dir + "/half.gz", "p"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr(dir + "/half.gz")));
}

// A header may declare far more than the file holds (10 items of 65535 x 65535
// pixels = 43 GB here, with 6 bytes of data): a clean error, and no allocation
// of the declared size (that used to abort with std::bad_alloc).
TEST(IdxTest, HugeDeclaredSizeWithLittleData) {
  const std::string dir = testing::FreshDir("idx_huge");
  std::string bytes("\0\0\x08\x03", 4);
  for (const uint32_t d : {10u, 65535u, 65535u}) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      bytes.push_back(static_cast<char>((d >> shift) & 0xff));
    }
  }
  bytes += "abcdef";
  testing::WriteBytes(dir + "/huge", bytes);
  testing::WriteBytes(dir + "/huge.gz", testing::Gzip(bytes));
  for (const std::string f : {"/huge", "/huge.gz"}) {
    EXPECT_THAT(ReadIdx(dir + f, "p"),
                StatusIs(absl::StatusCode::kDataLoss,
                         AllOf(HasSubstr(dir + f),
                               HasSubstr("declares 10x65535x65535 = 42948362250 "
                                         "elements, the file holds 6"))));
  }
}

// Found by //tools/fuzz:idx_fuzz: two dimensions near 2^32 overflowed the
// int64 element count before the plausibility check.
TEST(IdxTest, DimensionsWhoseProductOverflows) {
  const std::string dir = testing::FreshDir("idx_overflow");
  testing::WriteBytes(dir + "/o", std::string("\0\0\x08\x02\xff\xff\x80\x02\xff\xff\x80\0", 12));
  EXPECT_THAT(ReadIdx(dir + "/o", "p"),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("dimensions 4294934530x4294934528 are implausibly large")));
}

TEST(IdxTest, ImagesAndLabelsWithAnyCount) {
  const std::string dir = testing::FreshDir("idx_pair");
  testing::WriteBytes(dir + "/train-images-idx3-ubyte.gz",
                      testing::Gzip(testing::IdxBytes({3, 2, 3}, ImageBytes())));
  testing::WriteBytes(dir + "/train-labels-idx1-ubyte",
                      testing::IdxBytes({3}, {7, 0, 9}));
  ISOAE_ASSERT_OK_AND_ASSIGN(
      Dataset d, LoadMnistStyleDir(dir, false, "t/train", MnistClassNames(), "p"));
  EXPECT_EQ(d.size(), 3);
  EXPECT_THAT(d.item_shape, ElementsAre(1, 2, 3));
  EXPECT_THAT(d.labels, ElementsAre(7, 0, 9));
  EXPECT_EQ(d.value(2, 5), 25.0f);
  ISOAE_EXPECT_OK(ValidateDataset(d));
  // The test files are missing: the error lists the names tried.
  EXPECT_THAT(LoadMnistStyleDir(dir, true, "t/test", MnistClassNames(), "prov"),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("t10k-images-idx3-ubyte.gz"),
                             HasSubstr("prov"))));
  EXPECT_THAT(LoadMnistStyleDir(dir + "/missing", false, "x", MnistClassNames(),
                                "the dataset-fashion-mnist package"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("the dataset-fashion-mnist package")));
}

TEST(IdxTest, InconsistentCountsAndBadLabels) {
  const std::string dir = testing::FreshDir("idx_counts");
  testing::WriteBytes(dir + "/img", testing::IdxBytes({3, 2, 3}, ImageBytes()));
  testing::WriteBytes(dir + "/lab2", testing::IdxBytes({2}, {1, 2}));
  testing::WriteBytes(dir + "/lab_bad", testing::IdxBytes({3}, {1, 10, 2}));
  testing::WriteBytes(dir + "/flat", testing::IdxBytes({18}, ImageBytes()));
  EXPECT_THAT(LoadIdxImagesAndLabels(dir + "/img", dir + "/lab2", "x",
                                     MnistClassNames(), "p"),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("inconsistent counts")));
  EXPECT_THAT(LoadIdxImagesAndLabels(dir + "/img", dir + "/lab_bad", "x",
                                     MnistClassNames(), "p"),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("label 10 of item 1")));
  EXPECT_THAT(LoadIdxImagesAndLabels(dir + "/flat", dir + "/lab2", "x",
                                     MnistClassNames(), "p"),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("expected 3 dimensions")));
}

// The real copy from Debian's dataset-fashion-mnist (tools/setup.sh).
TEST(IdxTest, RealFashionMnist) {
  ISOAE_ASSERT_OK_AND_ASSIGN(
      Dataset train, LoadMnistStyleDir(kFashionMnistDebianDir, false, "f/train",
                                       FashionMnistClassNames(), "run tools/setup.sh"));
  ISOAE_ASSERT_OK_AND_ASSIGN(
      Dataset test, LoadMnistStyleDir(kFashionMnistDebianDir, true, "f/test",
                                      FashionMnistClassNames(), "run tools/setup.sh"));
  EXPECT_EQ(train.size() + test.size(), 70000);
  EXPECT_EQ(train.size(), 60000);
  EXPECT_THAT(ClassHistogram(train), ::testing::Each(6000));
  EXPECT_THAT(ClassHistogram(test), ::testing::Each(1000));
  EXPECT_THAT(train.item_shape, ElementsAre(1, 28, 28));
  EXPECT_THAT(std::vector<int32_t>(train.labels.begin(), train.labels.begin() + 6),
              ElementsAre(9, 0, 0, 3, 0, 2));
  int64_t sum = 0;
  for (int j = 0; j < 784; ++j) sum += train.pixels[j];
  EXPECT_EQ(sum, 76247);  // first training image
  EXPECT_EQ(ComputeValueRange(train).max, 255);
}

}  // namespace
}  // namespace isoae
