// //irvae:retrieval end to end on a small CelebA-format copy (the real one is
// not on this machine): JPEGs through the real CelebA loader, the D.3
// networks at 1/64 width, every method of Table 1 and the per-attribute
// table of Table 4.
#include "irvae/retrieval.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/status_matchers.h"
#include "datasets/image_io.h"
#include "datasets/testing/fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

// 80 images of 80x80: image i lights the quadrants of the bits of i % 16;
// attribute a is bit a % 4 of that pattern. Partitions: 40 train, 5 valid,
// 35 test (K = 20 needs 20).
std::string WriteCelebaCopy(const std::string& tag) {
  const std::string dir = ::isoae::testing::FreshDir(tag);
  ::isoae::testing::MakeDirs(dir + "/img_align_celeba");
  std::string names;
  for (int a = 0; a < 40; ++a) names += absl::StrCat(a ? " " : "", "Attr_", a);
  std::string attrs = absl::StrCat(80, "\n", names, "\n"), parts;
  for (int i = 0; i < 80; ++i) {
    const int bits = i % 16;
    Image img{80, 80, 3, std::vector<uint8_t>(80 * 80 * 3, 30)};
    for (int y = 0; y < 80; ++y) {
      for (int x = 0; x < 80; ++x) {
        const int q = (y >= 40) * 2 + (x >= 40);
        if (bits >> q & 1) img.pixels[(y * 80 + x) * 3 + q % 3] = 220;
      }
    }
    const std::string file = absl::StrCat(100000 + i, ".jpg");
    EXPECT_TRUE(WriteJpeg(dir + "/img_align_celeba/" + file, img, 95).ok());
    attrs += file;
    for (int a = 0; a < 40; ++a) attrs += (bits >> (a % 4) & 1) ? "  1" : " -1";
    attrs += "\n";
    parts += absl::StrCat(file, " ", i < 40 ? 0 : i < 45 ? 1 : 2, "\n");
  }
  ::isoae::testing::WriteBytes(dir + "/list_attr_celeba.txt", attrs);
  ::isoae::testing::WriteBytes(dir + "/list_eval_partition.txt", parts);
  return dir;
}

RetrievalConfig Small(const std::string& tag) {
  RetrievalConfig c;
  c.data.name = "celeba";
  c.data.data_dir = WriteCelebaCopy(tag);
  c.data.celeba.crop = 64;
  c.data.celeba.size = 64;
  c.data.celeba.threads = 2;
  c.width_multiplier = 1.0 / 64;
  c.latent_dim = 4;
  c.train.epochs = 1;
  c.train.batch_size = 20;
  c.train.quiet = true;
  c.fm.train = c.train;
  c.fm.flow.depth = 2;
  c.fm.flow.hidden = 16;
  c.output_dir = ::testing::TempDir() + "/" + tag + "_out";
  return c;
}

TEST(RetrievalExperimentTest, EveryMethodOfTableOneOnACelebaFormatCopy) {
  const RetrievalConfig c = Small("retrieval_celeba");
  ISOAE_ASSERT_OK_AND_ASSIGN(RetrievalReport r, RunRetrievalExperiment(c));
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.rows[0].method, "vae");
  EXPECT_EQ(r.rows[3].method, "irvae+fm");
  for (const RetrievalRow& row : r.rows) {
    ASSERT_EQ(row.single.size(), 4u);  // K = 1, 5, 10, 20
    ASSERT_EQ(row.dual.size(), 4u);
    for (const auto* ps : {&row.single, &row.dual}) {
      for (double p : *ps) {
        EXPECT_GE(p, 0.0);
        EXPECT_LE(p, 1.0);
      }
    }
    EXPECT_GT(row.mse, 0.0);
  }
  // Flattening changes the codes, not the reconstructions.
  EXPECT_NEAR(r.rows[3].mse, r.rows[2].mse, 1e-5 * r.rows[2].mse);
  std::ifstream per(c.output_dir + "/per_attribute_p10.csv");
  int lines = 0;
  std::string first;
  for (std::string l; std::getline(per, l); ++lines) {
    if (lines == 0) first = l;
  }
  EXPECT_EQ(lines, 41);  // header + 40 attributes
  EXPECT_THAT(first, HasSubstr("irvae+fm"));
  for (const char* f : {"retrieval.csv", "retrieval.json", "checkpoints/irvae_fm.pt"}) {
    EXPECT_TRUE(std::filesystem::exists(c.output_dir + "/" + f)) << f;
  }
}

TEST(RetrievalExperimentTest, NeedsAnAttributeDataset) {
  RetrievalConfig c = Small("retrieval_mnist");
  c.data = DatasetRequest{};
  c.data.name = "mnist";
  c.data.data_dir = ::isoae::testing::WriteMnistStyleDir(
      "retrieval_mnist_idx", 40, 20, 28, 28, [](int i, int y, int x) { return uint8_t(i + y + x); });
  c.data.train_count = 30;
  c.data.valid_count = 10;
  EXPECT_THAT(RunRetrievalExperiment(c).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has no attributes")));
}

}  // namespace
}  // namespace isoae
