// //tools:train end to end on an MNIST-style fixture: train IRVAE, flatten it
// with --method=fm --base_checkpoint, evaluate both checkpoints; and the
// errors of the base-checkpoint flag.
#include "tools/train.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <string>

#include "core/status_matchers.h"
#include "datasets/testing/fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/evaluate.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

TrainToolConfig Fixture(const std::string& tag, const std::string& spec) {
  TrainToolConfig c;
  c.data.name = "mnist";
  c.data.data_dir = ::isoae::testing::WriteMnistStyleDir(
      "train_tool_idx", 60, 30, 28, 28, [](int i, int y, int x) -> uint8_t {
        const double cx = 6 + 2.0 * (i % 8), cy = 6 + 2.0 * ((i / 8) % 8);
        return static_cast<uint8_t>(255 * std::exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / 18.0));
      });
  c.data.train_count = 50;
  c.data.valid_count = 10;
  c.method.spec = spec;
  c.method.arch = "irvae_fc";
  c.method.latent_dim = 2;
  c.train.epochs = 2;
  c.train.batch_size = 25;
  c.quiet = true;
  c.output_dir = ::testing::TempDir() + "/" + tag;
  return c;
}

EvaluateConfig Eval(const TrainToolConfig& t, const std::string& checkpoint) {
  EvaluateConfig e;
  e.checkpoint = checkpoint;
  e.data = t.data;
  e.arch = "irvae_fc";
  e.latent_dim = 2;
  e.neighbors_k = 0;
  return e;
}

TEST(TrainToolTest, TrainsFlattensAndEvaluates) {
  const TrainToolConfig irvae = Fixture("train_irvae", "irvae:10");
  ISOAE_ASSERT_OK_AND_ASSIGN(TrainToolResult base, RunTraining(irvae));
  TrainToolConfig fm = Fixture("train_fm", "fm");
  fm.base_checkpoint = base.checkpoint;
  fm.method.options = "estimator=exact";
  ISOAE_ASSERT_OK_AND_ASSIGN(TrainToolResult flat, RunTraining(fm));
  EXPECT_EQ(flat.method, "flatten+relaxed_distortion:1");
  ISOAE_ASSERT_OK_AND_ASSIGN(EvaluationReport eb, RunEvaluation(Eval(irvae, base.checkpoint)));
  ISOAE_ASSERT_OK_AND_ASSIGN(EvaluationReport ef, RunEvaluation(Eval(fm, flat.checkpoint)));
  const nlohmann::json jb = nlohmann::json::parse(eb.json);
  const nlohmann::json jf = nlohmann::json::parse(ef.json);
  EXPECT_EQ(jb["model"], "vae");
  EXPECT_EQ(jf["model"], "flattened");
  const double mse = jb["reconstruction"]["mse_per_element"].get<double>();
  EXPECT_NEAR(jf["reconstruction"]["mse_per_element"].get<double>(), mse, 1e-5 * mse);
  // Same reconstructions but other coordinates: the flow was trained (an
  // untouched identity flow would also keep the MSE).
  EXPECT_GT(std::abs(jf["geometry"]["vor"].get<double>() - jb["geometry"]["vor"].get<double>()),
            1e-6);
  EXPECT_TRUE(std::filesystem::exists(fm.output_dir + "/summary.json"));
}

TEST(TrainToolTest, BaseCheckpointOnlyForFlattening) {
  EXPECT_THAT(RunTraining(Fixture("train_fm_nobase", "fm")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--base_checkpoint")));
  TrainToolConfig ae = Fixture("train_ae_base", "ae");
  ae.base_checkpoint = "/tmp/x.pt";
  EXPECT_THAT(RunTraining(ae),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("trains a new model")));
  TrainToolConfig fm = Fixture("train_fm_missing", "fm");
  fm.base_checkpoint = "/nonexistent/base.pt";
  EXPECT_THAT(RunTraining(fm),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/base.pt")));
}

}  // namespace
}  // namespace isoae
