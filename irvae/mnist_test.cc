#include "irvae/mnist.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "core/status_matchers.h"
#include "datasets/testing/fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

MnistTradeoffConfig Fixture(const std::string& tag) {
  MnistTradeoffConfig c;
  c.data.name = "mnist";
  // 12x12 "digits": a bright square whose position depends on the item.
  c.data.data_dir = ::isoae::testing::WriteMnistStyleDir(
      tag, 300, 60, 12, 12, [](int i, int y, int x) -> uint8_t {
        const int cy = 2 + i % 7, cx = 2 + (i / 7) % 7;
        return (std::abs(y - cy) < 2 && std::abs(x - cx) < 2) ? 255 : 0;
      });
  c.data.train_count = 240;
  c.data.valid_count = 60;
  c.fmvae_alphas = {0.1};
  c.irvae_alphas = {10};
  c.train.epochs = 2;
  c.train.batch_size = 50;
  c.train.quiet = true;
  c.fm.train = c.train;
  c.fm.train.learning_rate = 1e-2;  // large steps, so that two epochs move h
  c.fm.flow.depth = 2;
  c.fm.flow.hidden = 32;
  c.output_dir = ::testing::TempDir() + "/" + tag + "_out";
  return c;
}

TEST(MnistTradeoffTest, RunsEveryMethodAndWritesTablesAndFigures) {
  MnistTradeoffConfig c = Fixture("irvae_mnist_fixture");
  ISOAE_ASSERT_OK_AND_ASSIGN(MnistTradeoffResult r, RunMnistTradeoff(c));
  ASSERT_EQ(r.points.size(), 4u);
  EXPECT_EQ(r.points[0].method, "vae");
  EXPECT_EQ(r.points[1].method, "fmvae");
  EXPECT_EQ(r.points[2].method, "irvae");
  EXPECT_EQ(r.points[3].method, "irvae+fm");
  // The flattening module changes the coordinates, not the reconstructions.
  EXPECT_NEAR(r.points[3].mse, r.points[2].mse, 1e-5 * r.points[2].mse);
  EXPECT_NE(r.points[3].vor, r.points[2].vor);
  for (const TradeoffPoint& p : r.points) {
    EXPECT_GT(p.mse, 0.0);
    EXPECT_GE(p.mcn, 1.0);
    EXPECT_GE(p.vor, 0.0);
  }
  for (const char* f : {"tradeoff.csv", "tradeoff.json", "tradeoff_vor.png", "tradeoff_mcn.png",
                        "latent_vae.png", "latent_fmvae_0p1.png", "latent_irvae_10.png",
                        "latent_irvae_10_fm.png", "checkpoints/irvae_10_fm.pt"}) {
    EXPECT_TRUE(std::filesystem::exists(c.output_dir + "/" + f)) << f;
  }
  std::ifstream csv(c.output_dir + "/tradeoff.csv");
  int lines = 0;
  for (std::string l; std::getline(csv, l);) ++lines;
  EXPECT_EQ(lines, 5);  // header + 4 runs
}

// An interrupted sweep resumes: finished runs load their checkpoints (same
// numbers), runs it had not reached start from scratch.
TEST(MnistTradeoffTest, ResumedSweepContinuesAndStartsMissingRuns) {
  MnistTradeoffConfig c = Fixture("irvae_mnist_resume");
  c.fmvae_alphas.clear();
  c.write_figures = false;
  ISOAE_ASSERT_OK_AND_ASSIGN(MnistTradeoffResult first, RunMnistTradeoff(c));
  c.fmvae_alphas = {0.1};
  c.train.resume = true;
  c.fm.train.resume = true;
  ISOAE_ASSERT_OK_AND_ASSIGN(MnistTradeoffResult second, RunMnistTradeoff(c));
  ASSERT_EQ(second.points.size(), first.points.size() + 1);
  EXPECT_EQ(second.points[1].method, "fmvae");
  EXPECT_EQ(second.points[0].mse, first.points[0].mse);  // vae, loaded
  EXPECT_EQ(second.points[2].mse, first.points[1].mse);  // irvae, loaded
  EXPECT_EQ(second.points[3].vor, first.points[2].vor);  // irvae+fm, loaded
}

TEST(MnistTradeoffTest, BadConfigsAreRejectedByName) {
  MnistTradeoffConfig c = Fixture("irvae_mnist_bad");
  c.irvae_alphas = {-1};
  EXPECT_THAT(RunMnistTradeoff(c).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("alphas")));
  c = Fixture("irvae_mnist_bad2");
  c.run_vae = false;
  c.fmvae_alphas.clear();
  c.irvae_alphas.clear();
  EXPECT_THAT(RunMnistTradeoff(c).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nothing to run")));
  c = Fixture("irvae_mnist_bad3");
  c.data.data_dir = "/nonexistent/mnist";
  EXPECT_THAT(RunMnistTradeoff(c).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/mnist")));
}

}  // namespace
}  // namespace isoae
