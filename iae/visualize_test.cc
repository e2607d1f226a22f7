#include "iae/visualize.h"

#include "third_party/torch_light.h"

#include <cmath>
#include <filesystem>

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

// 12x12 images on a 2-D affine subspace: pixel = 100 + a U + b V with U = +-1
// by column half and V = +-1 by row half (orthogonal, equal norms), so the
// images are a similarity (scale 12) of the points (a, b), which are spread
// without a pattern.
VisualizeConfig Fixture(const std::string& tag) {
  VisualizeConfig c;
  c.data.name = "mnist";
  c.data.data_dir = ::isoae::testing::WriteMnistStyleDir(
      tag, 200, 60, 12, 12, [](int i, int y, int x) -> uint8_t {
        const int a = (i * 7) % 31 - 15, b = (i * 13) % 29 - 14;
        return static_cast<uint8_t>(100 + a * (x < 6 ? 1 : -1) + b * (y < 6 ? 1 : -1));
      });
  c.data.train_count = 200;
  c.data.valid_count = 0;
  c.arch = "fc_nn";
  c.train.epochs = 8;
  c.train.batch_size = 50;
  c.train.learning_rate = 1e-3;
  c.train.quiet = true;
  c.max_test_items = 60;
  c.k = 5;
  c.classic = {"pca"};
  c.output_dir = ::testing::TempDir() + "/" + tag + "_out";
  return c;
}

TEST(VisualizeTest, PcaRecoversNeighbourhoodsOfPlanarImages) {
  VisualizeConfig c = Fixture("visualize_pca");
  c.methods = {"ae"};
  c.classic = {"pca", "umap"};
  c.train.epochs = 1;
  ISOAE_ASSERT_OK_AND_ASSIGN(VisualizeResult r, RunVisualizeExperiment(c));
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[1].method, "pca");
  // A similarity of the images keeps every neighbourhood.
  EXPECT_GT(r.rows[1].trustworthiness, 0.999);
  EXPECT_GT(r.rows[1].continuity, 0.999);
  EXPECT_GT(r.rows[1].knn_recall, 0.98);  // a few exact distance ties
  EXPECT_TRUE(std::isnan(r.rows[1].test_mse));
  // The AE row is scored too (values in range, files written).
  EXPECT_GT(r.rows[0].trustworthiness, 0.0);
  EXPECT_LE(r.rows[0].trustworthiness, 1.0);
  EXPECT_GT(r.rows[0].test_mse, 0.0);
  EXPECT_TRUE(std::filesystem::exists(c.output_dir + "/visualize_table.csv"));
  EXPECT_TRUE(std::filesystem::exists(c.output_dir + "/embedding_ae.png"));
  EXPECT_TRUE(std::filesystem::exists(c.output_dir + "/embedding_pca.png"));
  // UMAP's row: a neighbourhood-preserving layout of the same items.
  EXPECT_EQ(r.rows[2].method, "umap");
  EXPECT_GT(r.rows[2].trustworthiness, 0.9);
  EXPECT_TRUE(std::filesystem::exists(c.output_dir + "/embedding_umap.png"));
}

TEST(VisualizeTest, Coil20WithTheLCnnRunsFromFilesInTheDatasetsLayout) {
  // Two objects x 6 poses of 128 x 128 grey images named as COIL-20's
  // (obj<O>__<P>.png): a bright bar that turns with the pose.
  const std::string dir = ::testing::TempDir() + "/coil20_fixture";
  std::filesystem::create_directories(dir);
  for (int obj = 1; obj <= 2; ++obj) {
    for (int pose = 0; pose < 6; ++pose) {
      Image img{128, 128, 1, std::vector<uint8_t>(128 * 128)};
      const double a = 2 * M_PI * pose / 12;
      for (int y = 0; y < 128; ++y) {
        for (int x = 0; x < 128; ++x) {
          const double u = (x - 64) * std::cos(a) + (y - 64) * std::sin(a);
          const double v = -(x - 64) * std::sin(a) + (y - 64) * std::cos(a);
          const bool bar = std::abs(v) < 6 * obj && std::abs(u) < 40;
          img.pixels[y * 128 + x] = bar ? 220 : 30;
        }
      }
      ASSERT_TRUE(WritePng(absl::StrCat(dir, "/obj", obj, "__", pose, ".png"), img).ok());
    }
  }
  VisualizeConfig c;
  c.data.name = "coil20";
  c.data.data_dir = dir;
  c.arch = "l_cnn";
  // 1/16 of the L-CNN's widths: the full network's checkpoint (weights and
  // Adam state) is ~260 MB, and writing it was most of this test's time.
  c.width_multiplier = 1.0 / 16;
  c.methods = {"ae"};
  c.classic = {"pca"};
  c.train.epochs = 1;
  c.train.batch_size = 8;
  c.train.learning_rate = 1e-3;
  c.train.quiet = true;
  c.max_test_items = 12;
  c.k = 3;
  c.output_dir = ::testing::TempDir() + "/coil20_out";
  ISOAE_ASSERT_OK_AND_ASSIGN(VisualizeResult r, RunVisualizeExperiment(c));
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].method, "ae");
  // COIL-20 has no test split: all 12 views (the training items) embedded
  // and scored, the decoder's 128 x 128 output compared with the images.
  EXPECT_EQ(r.rows.size(), 2u);
  EXPECT_TRUE(std::isfinite(r.rows[0].test_mse));
  EXPECT_GT(r.rows[0].test_mse, 0.0);
  EXPECT_GT(r.rows[0].trustworthiness, 0.0);
  EXPECT_LE(r.rows[0].trustworthiness, 1.0);
  EXPECT_GT(r.rows[1].trustworthiness, 0.9);  // PCA of a turning bar
  EXPECT_TRUE(std::filesystem::exists(c.output_dir + "/embedding_ae.png"));
}

TEST(VisualizeTest, LambdaSweepLowersTheIsometryTermsAgainstThePlainAe) {
  // Fig. 5: L_iso and L_piso are high for the AE (lambda 0) and fall once
  // the I-AE terms are trained.
  // The IRVAE D.1 MLP (ReLU, no BatchNorm): the terms of the final model
  // are then the ones it was trained on (FC-NN's BatchNorm switches from
  // batch to running statistics for evaluation).
  VisualizeConfig c = Fixture("visualize_sweep");
  c.arch = "irvae_fc";
  c.lambdas = {0, 1};
  c.classic = {};
  ISOAE_ASSERT_OK_AND_ASSIGN(VisualizeResult r, RunVisualizeExperiment(c));
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].method, "ae");
  EXPECT_EQ(r.rows[1].method, "iae:1");
  EXPECT_LT(r.rows[1].l_iso, 0.5 * r.rows[0].l_iso);
  EXPECT_LT(r.rows[1].l_piso, 0.5 * r.rows[0].l_piso);
  EXPECT_TRUE(std::filesystem::exists(c.output_dir + "/lambda_sweep.csv"));
  EXPECT_TRUE(std::filesystem::exists(c.output_dir + "/lambda_sweep_log10_L_iso.png"));
}

TEST(VisualizeTest, BadConfigsAreRejectedByName) {
  VisualizeConfig c = Fixture("visualize_bad");
  c.lambdas = {0.1, -1};
  EXPECT_THAT(ValidateVisualizeConfig(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--lambdas")));
  c.lambdas = {};
  c.methods = {"fm"};
  EXPECT_THAT(ValidateVisualizeConfig(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("flattens")));
  c.methods = {"nope"};
  EXPECT_THAT(ValidateVisualizeConfig(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nope")));
  c.methods = {"ae"};
  c.width_multiplier = 0;
  EXPECT_THAT(ValidateVisualizeConfig(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--width_multiplier")));
  c.width_multiplier = 1;
  c.classic = {"mds"};
  EXPECT_THAT(ValidateVisualizeConfig(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("mds")));
  c.classic = {"pca", "tsne"};
  c.tsne_perplexity = 50;  // needs 151 items, the fixture scores 60
  EXPECT_THAT(ValidateVisualizeConfig(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tsne_perplexity")));
  c.classic = {"pca"};
  c.k = 40;
  EXPECT_THAT(ValidateVisualizeConfig(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--max_test_items")));
  c.k = 5;
  c.arch = "resnet";
  EXPECT_THAT(RunVisualizeExperiment(c).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("resnet")));
}

}  // namespace
}  // namespace isoae
