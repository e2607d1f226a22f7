#include "datasets/celeba.h"

#include "absl/strings/str_cat.h"
#include "core/status_matchers.h"
#include "datasets/image_io.h"
#include "datasets/testing/fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int kImages = 5;

std::string AttrNames() {
  std::string s;
  for (int a = 0; a < 40; ++a) s += absl::StrCat(a ? " " : "", "Attr_", a);
  return s;
}

// Image i: attribute a is 1 iff (a + i) % 3 == 0.
std::string AttrLine(int i) {
  std::string s = absl::StrCat("00000", i + 1, ".jpg");
  for (int a = 0; a < 40; ++a) s += (a + i) % 3 == 0 ? "  1" : " -1";
  return s;
}

// A CelebA-like copy: 24x20 (h x w) JPEGs, the central 12x12 of image i flat
// with red = 40 i, and partitions 0, 0, 1, 2, 2.
std::string WriteCopy(const std::string& tag) {
  const std::string dir = testing::FreshDir(tag);
  std::string attrs = absl::StrCat(kImages, "\n", AttrNames(), "\n");
  std::string parts;
  const int part[kImages] = {0, 0, 1, 2, 2};
  testing::MakeDirs(dir + "/img_align_celeba");
  for (int i = 0; i < kImages; ++i) {
    Image img{24, 20, 3, std::vector<uint8_t>(24 * 20 * 3, 128)};
    for (int p = 0; p < 24 * 20; ++p) img.pixels[p * 3] = static_cast<uint8_t>(40 * i);
    EXPECT_TRUE(WriteJpeg(absl::StrCat(dir, "/img_align_celeba/00000", i + 1, ".jpg"),
                          img, 100)
                    .ok());
    attrs += AttrLine(i) + "\n";
    parts += absl::StrCat("00000", i + 1, ".jpg ", part[i], "\n");
  }
  testing::WriteBytes(dir + "/list_attr_celeba.txt", attrs);
  testing::WriteBytes(dir + "/list_eval_partition.txt", parts);
  return dir;
}

CelebaOptions Small(int partition) {
  CelebaOptions o;
  o.partition = partition;
  o.crop = 12;
  o.size = 6;
  o.threads = 2;
  return o;
}

TEST(CelebaTest, LoadsPartitionWithAttributes) {
  const std::string dir = WriteCopy("celeba");
  ISOAE_ASSERT_OK_AND_ASSIGN(Dataset test, LoadCeleba(dir, Small(2)));
  EXPECT_EQ(test.name, "celeba/test");
  EXPECT_EQ(test.size(), 2);
  EXPECT_THAT(test.item_shape, ElementsAre(3, 6, 6));
  EXPECT_EQ(test.num_attributes(), 40);
  EXPECT_EQ(test.attribute_names[39], "Attr_39");
  // Items are images 3 and 4 (0-based).
  for (int k = 0; k < 2; ++k) {
    const int i = 3 + k;
    for (int a = 0; a < 40; ++a) {
      EXPECT_EQ(test.attributes[k * 40 + a], (a + i) % 3 == 0 ? 1 : 0);
    }
    for (int p = 0; p < 36; ++p) {
      EXPECT_NEAR(test.value(k, p), 40 * i, 4) << "red, item " << k;
      EXPECT_NEAR(test.value(k, 36 + p), 128, 4) << "green, item " << k;
    }
  }
  ISOAE_EXPECT_OK(ValidateDataset(test));
  ISOAE_ASSERT_OK_AND_ASSIGN(Dataset all, LoadCeleba(dir, Small(-1)));
  EXPECT_EQ(all.size(), kImages);
  CelebaOptions capped = Small(0);
  capped.max_items = 1;
  ISOAE_ASSERT_OK_AND_ASSIGN(Dataset one, LoadCeleba(dir, capped));
  EXPECT_EQ(one.size(), 1);
}

TEST(CelebaTest, SplitsFollowTheOfficialPartition) {
  const std::string dir = WriteCopy("celeba_splits");
  ISOAE_ASSERT_OK_AND_ASSIGN(DatasetSplits s, LoadCelebaSplits(dir, Small(-1)));
  EXPECT_EQ(s.train.name, "celeba/train");
  EXPECT_EQ(s.train.size(), 2);
  EXPECT_EQ(s.valid.size(), 1);
  EXPECT_EQ(s.test.size(), 2);
  // The valid image is image 2: red 80, attribute a set iff (a + 2) % 3 == 0.
  EXPECT_NEAR(s.valid.value(0, 0), 80, 4);
  EXPECT_EQ(s.valid.attributes[1], 1);
  EXPECT_EQ(s.valid.attributes[0], 0);
  CelebaOptions bad = Small(0);
  bad.crop = 0;
  EXPECT_THAT(LoadCelebaSplits(dir, bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("crop 0")));
}

TEST(CelebaTest, MalformedLists) {
  const std::string path = "list_attr_celeba.txt";
  const std::string head = absl::StrCat("2\n", AttrNames(), "\n");
  EXPECT_THAT(ParseCelebaAttributes(head + AttrLine(0) + "\n" + AttrLine(1) + " 1\n", path),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("list_attr_celeba.txt line 4"),
                             HasSubstr("found 42 fields"))));
  std::string zero = AttrLine(1);
  zero.replace(zero.size() - 2, 2, " 0");
  EXPECT_THAT(ParseCelebaAttributes(head + AttrLine(0) + "\n" + zero + "\n", path),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("line 4"), HasSubstr("Attr_39 is '0'"))));
  EXPECT_THAT(ParseCelebaAttributes(head + AttrLine(0) + "\n", path),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("header says 2 images, the file lists 1")));
  EXPECT_THAT(ParseCelebaAttributes("two\n" + AttrNames() + "\n", path),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("line 1")));
  EXPECT_THAT(ParseCelebaPartition("000001.jpg 0\n000002.jpg 3\n", "part.txt"),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("part.txt line 2"), HasSubstr("000002.jpg 3"))));
}

TEST(CelebaTest, MissingAndBrokenImages) {
  const std::string dir = WriteCopy("celeba_bad");
  testing::WriteBytes(dir + "/img_align_celeba/000004.jpg", "garbage");
  EXPECT_THAT(LoadCeleba(dir, Small(2)),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("000004.jpg"), HasSubstr("unreadable image"))));
  std::remove((dir + "/img_align_celeba/000004.jpg").c_str());
  EXPECT_THAT(LoadCeleba(dir, Small(2)),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("000004.jpg not found")));
  CelebaOptions big = Small(0);
  big.crop = 22;
  EXPECT_THAT(LoadCeleba(dir, big),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("wrong image size 20x24, smaller than the 22x22 crop")));
  EXPECT_THAT(LoadCeleba(dir, Small(3)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("partition 3")));
  CelebaOptions bad = Small(0);
  bad.size = 20;
  EXPECT_THAT(LoadCeleba(dir, bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("size 20")));
  std::remove((dir + "/list_eval_partition.txt").c_str());
  EXPECT_THAT(LoadCeleba(dir, Small(0)),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("list_eval_partition.txt"), HasSubstr("mmlab"))));
}

}  // namespace
}  // namespace isoae
