// //irvae:cmu end to end on fixture motion capture (the CMU files are not on
// this machine): a CMU skeleton, one smooth periodic trial per class, through
// the real ASF/AMC loader, the D.2 networks and every method of Fig. 3.
#include <cmath>
#include <filesystem>
#include <string>

#include "core/status_matchers.h"
#include "datasets/testing/fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "irvae/mnist.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

MnistTradeoffConfig CmuFixture(const std::string& tag) {
  MnistTradeoffConfig c;
  const std::string dir = ::isoae::testing::WriteCmuMocapDir(tag, 100);
  c.data.name = "cmu_mocap";
  c.data.data_dir = dir;
  c.data.trial_list = dir + "/trials.txt";
  c.data.train_count = 240;
  c.data.valid_count = 40;
  c.data.test_count = 120;
  c.arch = "irvae_cmu_fc";
  c.fmvae_alphas = {0.1};
  c.irvae_alphas = {10};
  c.train.epochs = 2;
  c.train.batch_size = 40;
  c.train.quiet = true;
  c.fm.train = c.train;
  c.fm.train.learning_rate = 1e-2;
  c.fm.flow.depth = 2;
  c.fm.flow.hidden = 32;
  c.output_dir = ::testing::TempDir() + "/" + tag + "_out";
  return c;
}

TEST(CmuTradeoffTest, RunsVaeFmvaeIrvaeAndFlatteningOnMotionCapture) {
  MnistTradeoffConfig c = CmuFixture("irvae_cmu_fixture");
  ISOAE_ASSERT_OK_AND_ASSIGN(MnistTradeoffResult r, RunMnistTradeoff(c));
  ASSERT_EQ(r.points.size(), 4u);
  EXPECT_EQ(r.points[3].method, "irvae+fm");
  for (const TradeoffPoint& p : r.points) {
    EXPECT_GT(p.mse, 0.0);
    // Poses are angles / 180 deg in [-1, 1]: the tanh decoder's error per
    // element is bounded by (1 - -1)^2 = 4.
    EXPECT_LT(p.mse, 4.0);
    EXPECT_GE(p.mcn, 1.0);
  }
  EXPECT_NEAR(r.points[3].mse, r.points[2].mse, 1e-5 * r.points[2].mse);
  for (const char* f : {"tradeoff.csv", "tradeoff_mcn.png", "latent_irvae_10.png",
                        "latent_irvae_10_fm.png", "checkpoints/vae.pt"}) {
    EXPECT_TRUE(std::filesystem::exists(c.output_dir + "/" + f)) << f;
  }
}

TEST(CmuTradeoffTest, MissingTrialsAndWrongNetworksAreNamed) {
  MnistTradeoffConfig c = CmuFixture("irvae_cmu_bad");
  std::filesystem::remove(c.data.data_dir + "/02_03.amc");
  EXPECT_THAT(RunMnistTradeoff(c).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("02_03.amc")));
  c = CmuFixture("irvae_cmu_bad2");
  c.arch = "s_cnn";  // 28 x 28 images in; poses have 50 values
  EXPECT_THAT(RunMnistTradeoff(c).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("takes 784 values per item; the data items have 50")));
}

}  // namespace
}  // namespace isoae
