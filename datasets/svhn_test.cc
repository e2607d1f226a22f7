#include "datasets/svhn.h"

#include <matio.h>

#include <cstring>
#include <fstream>
#include <vector>

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

// X(r, c, ch, i) = (r + 2c + 5ch + 7i) % 256 in MATLAB column-major order.
uint8_t Pixel(int r, int c, int ch, int i) {
  return static_cast<uint8_t>((r + 2 * c + 5 * ch + 7 * i) % 256);
}

struct MatSpec {
  int n = 3;
  std::vector<double> labels = {10, 1, 7};
  size_t x_rows = 32;
  bool write_y = true;
  matio_compression compression = MAT_COMPRESSION_NONE;
};

void WriteMat(const std::string& path, const MatSpec& spec) {
  mat_t* mat = Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5);
  ASSERT_NE(mat, nullptr);
  std::vector<uint8_t> x(spec.x_rows * 32 * 3 * spec.n);
  for (int i = 0; i < spec.n; ++i)
    for (int ch = 0; ch < 3; ++ch)
      for (int c = 0; c < 32; ++c)
        for (size_t r = 0; r < spec.x_rows; ++r)
          x[r + spec.x_rows * (c + 32 * (ch + 3 * i))] = Pixel(r, c, ch, i);
  size_t xdims[4] = {spec.x_rows, 32, 3, static_cast<size_t>(spec.n)};
  matvar_t* xv = Mat_VarCreate("X", MAT_C_UINT8, MAT_T_UINT8, 4, xdims, x.data(), 0);
  ASSERT_EQ(Mat_VarWrite(mat, xv, spec.compression), 0);
  Mat_VarFree(xv);
  if (spec.write_y) {
    std::vector<double> y = spec.labels;
    size_t ydims[2] = {y.size(), 1};
    matvar_t* yv = Mat_VarCreate("y", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, ydims, y.data(), 0);
    ASSERT_EQ(Mat_VarWrite(mat, yv, spec.compression), 0);
    Mat_VarFree(yv);
  }
  Mat_Close(mat);
}

TEST(SvhnTest, ReadsColumnMajorMatIntoChw) {
  for (matio_compression comp : {MAT_COMPRESSION_NONE, MAT_COMPRESSION_ZLIB}) {
    const std::string dir = testing::FreshDir("svhn");
    MatSpec spec;
    spec.compression = comp;
    WriteMat(dir + "/train_32x32.mat", spec);
    ISOAE_ASSERT_OK_AND_ASSIGN(Dataset d, LoadSvhn(dir, "train"));
    EXPECT_EQ(d.name, "svhn/train");
    EXPECT_THAT(d.item_shape, ElementsAre(3, 32, 32));
    EXPECT_THAT(d.labels, ElementsAre(0, 1, 7));  // 10 means the digit 0
    for (int i : {0, 2}) {
      for (int ch : {0, 2}) {
        EXPECT_EQ(d.value(i, ch * 1024 + 4 * 32 + 9), Pixel(4, 9, ch, i));
        EXPECT_EQ(d.value(i, ch * 1024 + 31 * 32 + 0), Pixel(31, 0, ch, i));
      }
    }
    ISOAE_EXPECT_OK(ValidateDataset(d));
  }
}

TEST(SvhnTest, BadContents) {
  const std::string dir = testing::FreshDir("svhn_bad");
  MatSpec wrong_label;
  wrong_label.labels = {10, 11, 1};
  WriteMat(dir + "/a.mat", wrong_label);
  EXPECT_THAT(LoadSvhnMat(dir + "/a.mat", "a"),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("a.mat"), HasSubstr("y(2) = 11"))));
  MatSpec counts;
  counts.labels = {1, 2};
  WriteMat(dir + "/b.mat", counts);
  EXPECT_THAT(LoadSvhnMat(dir + "/b.mat", "b"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("inconsistent counts")));
  MatSpec small;
  small.x_rows = 28;
  WriteMat(dir + "/c.mat", small);
  EXPECT_THAT(LoadSvhnMat(dir + "/c.mat", "c"),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("extents 28x32x3x3, expected 32x32x3xN")));
  MatSpec no_y;
  no_y.write_y = false;
  WriteMat(dir + "/d.mat", no_y);
  EXPECT_THAT(LoadSvhnMat(dir + "/d.mat", "d"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("cannot read variable y")));
}

// Found by libFuzzer: matio allocates what a variable's dims declare before
// it reads the data (4.7 GB for a 560-byte file); the pre-check refuses dims
// the data does not back, and non-numeric variables.
TEST(SvhnTest, DeclaredSizesMustBeBackedByTheData) {
  const std::string dir = testing::FreshDir("svhn_huge");
  WriteMat(dir + "/full.mat", MatSpec{});
  std::ifstream in(dir + "/full.mat", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Header 128, miMATRIX tag 8, array flags 16, dims tag 8: X's 4th extent.
  int32_t n = 0;
  std::memcpy(&n, bytes.data() + 172, 4);
  ASSERT_EQ(n, 3);
  const int32_t more = 1000;
  std::memcpy(&bytes[172], &more, 4);
  testing::WriteBytes(dir + "/more.mat", bytes);
  EXPECT_THAT(LoadSvhnMat(dir + "/more.mat", "more"),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("more.mat"),
                             HasSubstr("declaring 3072000 elements whose data holds 9216"))));
  const int32_t huge = 0x7fffffff;
  std::memcpy(&bytes[172], &huge, 4);
  testing::WriteBytes(dir + "/huge.mat", bytes);
  EXPECT_THAT(LoadSvhnMat(dir + "/huge.mat", "huge"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("implausibly large dimensions")));
  // A cell array (class 1) instead of a numeric one.
  std::memcpy(&bytes[172], &n, 4);
  bytes[144] = 1;
  testing::WriteBytes(dir + "/cell.mat", bytes);
  EXPECT_THAT(LoadSvhnMat(dir + "/cell.mat", "cell"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("MATLAB class 1")));
}

TEST(SvhnTest, TruncatedAndGarbageFiles) {
  const std::string dir = testing::FreshDir("svhn_trunc");
  WriteMat(dir + "/full.mat", MatSpec{});
  std::ifstream in(dir + "/full.mat", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  for (size_t cut : {size_t{100}, size_t{200}, bytes.size() / 2, bytes.size() - 10}) {
    testing::WriteBytes(dir + "/cut.mat", bytes.substr(0, cut));
    EXPECT_THAT(LoadSvhnMat(dir + "/cut.mat", "cut"),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("cut.mat")))
        << "cut at " << cut;
  }
  // The same bytes marked big-endian, and a MATLAB v4 header (20 bytes:
  // type, rows, columns, imaginary flag, name length) declaring 10^5 x 10^5
  // doubles that matio would allocate before reading: refused up front.
  std::string big_endian = bytes;
  big_endian[126] = 'M';
  big_endian[127] = 'I';
  testing::WriteBytes(dir + "/be.mat", big_endian);
  EXPECT_THAT(LoadSvhnMat(dir + "/be.mat", "be"),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("be.mat"), HasSubstr("not a little-endian MATLAB v5"))));
  std::string v4(20, '\0');
  const int32_t header[5] = {0, 100000, 100000, 0, 2};
  std::memcpy(v4.data(), header, sizeof header);
  v4 += std::string("X\0", 2) + std::string(200, '\1');
  testing::WriteBytes(dir + "/v4.mat", v4);
  EXPECT_THAT(LoadSvhnMat(dir + "/v4.mat", "v4"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not a little-endian MATLAB v5")));
  // The same v4 header with "IM" at 126-127 but no v5 version word: matio
  // would still read it as v4.
  std::string v4_im = v4.substr(0, 128);
  v4_im[124] = 0x05;
  v4_im[125] = 0x00;
  v4_im[126] = 'I';
  v4_im[127] = 'M';
  testing::WriteBytes(dir + "/v4im.mat", v4_im);
  EXPECT_THAT(LoadSvhnMat(dir + "/v4im.mat", "v4im"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("version 0x0100")));
  std::string v73 = bytes;
  v73[125] = 0x02;
  testing::WriteBytes(dir + "/v73.mat", v73);
  EXPECT_THAT(LoadSvhnMat(dir + "/v73.mat", "v73"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("v7.3")));
  testing::WriteBytes(dir + "/junk.mat", std::string(300, 'j'));
  EXPECT_THAT(LoadSvhnMat(dir + "/junk.mat", "junk"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("junk.mat")));
  EXPECT_THAT(LoadSvhn(dir, "test"),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("test_32x32.mat"), HasSubstr("housenumbers"))));
  EXPECT_THAT(LoadSvhn(dir, "validation"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("validation")));
}

}  // namespace
}  // namespace isoae
