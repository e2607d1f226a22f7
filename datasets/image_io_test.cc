#include "datasets/image_io.h"

#include <cstdlib>
#include <fstream>
#include <iterator>

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

Image Pattern(int h, int w, int c) {
  Image img{h, w, c, {}};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int k = 0; k < c; ++k)
        img.pixels.push_back(static_cast<uint8_t>((y * 16 + x * 3 + k * 50) % 256));
  return img;
}

TEST(ImageIoTest, PngRoundTripIsExact) {
  const std::string dir = testing::FreshDir("png");
  for (int c : {1, 3}) {
    const Image img = Pattern(7, 5, c);
    ISOAE_ASSERT_OK(WritePng(dir + "/p.png", img));
    ISOAE_ASSERT_OK_AND_ASSIGN(Image back, ReadImage(dir + "/p.png", 0, "p"));
    EXPECT_EQ(back.height, 7);
    EXPECT_EQ(back.width, 5);
    EXPECT_EQ(back.channels, c);
    EXPECT_EQ(back.pixels, img.pixels);
  }
}

TEST(ImageIoTest, JpegOfFlatColoursDecodesClosely) {
  const std::string dir = testing::FreshDir("jpg");
  Image img{16, 16, 3, {}};
  for (int p = 0; p < 256; ++p) {
    img.pixels.push_back(200);
    img.pixels.push_back(40);
    img.pixels.push_back(90);
  }
  ISOAE_ASSERT_OK(WriteJpeg(dir + "/f.jpg", img, 100));
  ISOAE_ASSERT_OK_AND_ASSIGN(Image back, ReadImage(dir + "/f.jpg", 3, "p"));
  ASSERT_EQ(back.pixels.size(), img.pixels.size());
  for (size_t i = 0; i < img.pixels.size(); ++i) {
    EXPECT_NEAR(back.pixels[i], img.pixels[i], 3) << i;
  }
  ISOAE_ASSERT_OK_AND_ASSIGN(Image gray, ReadImage(dir + "/f.jpg", 1, "p"));
  EXPECT_EQ(gray.channels, 1);
  EXPECT_EQ(gray.pixels.size(), 256u);
}

TEST(ImageIoTest, UndecodableBytesNameTheFile) {
  EXPECT_THAT(DecodeImage("not an image at all", "x/broken.png", 0),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("x/broken.png"), HasSubstr("unreadable image"))));
  const std::string dir = testing::FreshDir("png_trunc");
  EXPECT_THAT(ReadImage(dir + "/none.png", 3, "the provider"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("the provider")));
  EXPECT_THAT(DecodeImage("", "e.png", 0),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("e.png")));
}

// Found by libFuzzer: stb_image allocated what a PNG header declares before
// decoding. A 20000 x 20000 header on a 4x4 image's bytes is refused first.
TEST(ImageIoTest, HeaderSizeMustFitTheFile) {
  const std::string dir = testing::FreshDir("png_huge");
  Image img{4, 4, 1, std::vector<uint8_t>(16, 9)};
  ISOAE_ASSERT_OK(WritePng(dir + "/small.png", img));
  std::ifstream in(dir + "/small.png", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // IHDR: big-endian width and height at bytes 16 and 20.
  for (int at : {16, 20}) {
    bytes[at] = 0;
    bytes[at + 1] = 0;
    bytes[at + 2] = static_cast<char>(20000 >> 8);
    bytes[at + 3] = static_cast<char>(20000 & 0xff);
  }
  EXPECT_THAT(DecodeImage(bytes, "huge.png", 0),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("huge.png"), HasSubstr("declares 20000x20000 pixels"))));
}

TEST(ImageIoTest, CenterCropTakesTheMiddle) {
  const Image img = Pattern(10, 8, 1);
  ISOAE_ASSERT_OK_AND_ASSIGN(Image c, CenterCropResize(img, 4, 4));
  // rows 3..6, cols 2..5
  EXPECT_EQ(c.pixels[0], img.pixels[3 * 8 + 2]);
  EXPECT_EQ(c.pixels[15], img.pixels[6 * 8 + 5]);
  // Resizing a flat image keeps it flat.
  Image flat{20, 24, 3, std::vector<uint8_t>(20 * 24 * 3, 77)};
  ISOAE_ASSERT_OK_AND_ASSIGN(Image small, CenterCropResize(flat, 16, 5));
  EXPECT_EQ(small.height, 5);
  EXPECT_EQ(small.pixels.size(), 75u);
  for (uint8_t v : small.pixels) EXPECT_EQ(v, 77);
  EXPECT_THAT(CenterCropResize(flat, 21, 5),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("centre crop 21")));
}

TEST(ImageIoTest, HwcToChw) {
  const Image img = Pattern(2, 2, 3);
  uint8_t out[12];
  HwcToChw(img, out);
  for (int p = 0; p < 4; ++p)
    for (int k = 0; k < 3; ++k) EXPECT_EQ(out[k * 4 + p], img.pixels[p * 3 + k]);
}

TEST(ImageIoTest, ItemGridHasTheExpectedLayout) {
  Dataset d;
  d.name = "g";
  d.item_shape = {1, 3, 4};
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 12; ++j) d.pixels.push_back(static_cast<uint8_t>(40 * i + j));
  const std::string dir = testing::FreshDir("grid");
  ISOAE_ASSERT_OK(WriteItemGridPng(dir + "/g.png", d, {0, 1, 2, 3, 4}, 3, 2));
  ISOAE_ASSERT_OK_AND_ASSIGN(Image g, ReadImage(dir + "/g.png", 0, "p"));
  // 3 columns x 2 rows of (8 + 1) x (6 + 1) cells plus a 1-pixel border.
  EXPECT_EQ(g.width, 3 * 9 + 1);
  EXPECT_EQ(g.height, 2 * 7 + 1);
  // Item 4 sits in row 1, column 1; its pixel (2, 3) is 40 * 4 + 11.
  EXPECT_EQ(g.pixels[(7 + 1 + 2 * 2) * g.width + (9 + 1 + 3 * 2)], 171);
  Dataset v;
  v.name = "v";
  v.storage = Storage::kFloat32;
  v.item_shape = {3};
  v.features = {-1, 0, 1, 1, 1, 1};
  ISOAE_ASSERT_OK(WriteItemGridPng(dir + "/v.png", v, {0, 1}, 1, 1));
  ISOAE_ASSERT_OK_AND_ASSIGN(Image vg, ReadImage(dir + "/v.png", 0, "p"));
  EXPECT_EQ(vg.pixels[1 * vg.width + 1], 0);    // -1 is the minimum
  EXPECT_EQ(vg.pixels[1 * vg.width + 3], 255);  // 1 the maximum
  EXPECT_THAT(WriteItemGridPng(dir + "/x.png", d, {5}, 3, 2),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("item 5")));
}

}  // namespace
}  // namespace isoae
