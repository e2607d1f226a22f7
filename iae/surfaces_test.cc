#include "iae/surfaces.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

std::string TempDir(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

// A small, fast version of the experiment: 300 points, 3 x FC 64 per side,
// 1000 full-batch epochs, lambda_iso = 0.1 (about 8 s on one core).
SurfacesExperimentConfig SmallSwissRoll(const std::string& out) {
  SurfacesExperimentConfig c;
  c.surfaces = {"swiss_roll"};
  c.data.num_points = 300;
  c.hidden_width = 64;
  c.hidden_layers = 3;
  c.epochs = 1000;
  c.iae.lambda_iso = 0.1;
  c.output_dir = out;
  c.quiet = true;
  return c;
}

TEST(SurfacesExperimentTest, IaeEndsCloserToAnIsometryThanAe) {
  // Calibration (seeds 0-3 of this config): I-AE std 0.22-0.26, AE std
  // 0.54-0.71, ratio at most 0.48. The bound 0.7 leaves room for platform
  // differences in floating point while failing if the regulariser is off.
  const std::string out = TempDir("surfaces_small");
  ISOAE_ASSERT_OK_AND_ASSIGN(SurfacesExperimentResult r,
                             RunSurfacesExperiment(SmallSwissRoll(out)));
  ASSERT_EQ(r.runs.size(), 2u);
  const SurfaceRunResult& iae = r.runs[0];
  const SurfaceRunResult& ae = r.runs[1];
  ASSERT_EQ(iae.method, "iae");
  ASSERT_EQ(ae.method, "ae");
  EXPECT_LT(iae.edge_ratio.std, 0.7 * ae.edge_ratio.std)
      << "I-AE " << iae.edge_ratio.std << " vs AE " << ae.edge_ratio.std;
  // Both actually learned the surface (initial L_rec is about 1.5).
  EXPECT_LT(iae.final_rec, 0.1);
  EXPECT_LT(ae.final_rec, 0.1);
  for (const char* f : {"edge_ratio_table.csv", "edge_ratio_table.json", "edge_ratio_details.csv",
                        "history_swiss_roll_iae.csv", "embedding_swiss_roll_iae.png",
                        "decoded_grid_swiss_roll_ae.png", "checkpoints/swiss_roll_iae.pt"}) {
    EXPECT_TRUE(std::filesystem::exists(out + "/" + f)) << f;
  }
  EXPECT_THAT(r.table_text, HasSubstr("swiss_roll"));

  // Resuming a finished run is a no-op that reproduces the same numbers.
  SurfacesExperimentConfig again = SmallSwissRoll(out);
  again.resume = true;
  again.write_figures = false;
  ISOAE_ASSERT_OK_AND_ASSIGN(SurfacesExperimentResult r2, RunSurfacesExperiment(again));
  EXPECT_DOUBLE_EQ(r2.runs[0].edge_ratio.std, iae.edge_ratio.std);
  // A checkpoint from another architecture is refused, naming both.
  SurfacesExperimentConfig other = again;
  other.hidden_width = 32;
  EXPECT_THAT(RunSurfacesExperiment(other),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("Linear(3 -> 32)")));
}

TEST(SurfacesExperimentTest, IsomapWarmStartGivesANearIsometricChart) {
  // The warm start fits the AE to an Isomap chart (geodesic distances, so
  // nearly isometric; 800 points keep the kNN graph off the roll's next
  // layer) and back: scored right after it (epochs = 0), the decoder is
  // closer to an isometry than the same AE trained from a random start
  // (calibration, seed 0: 0.43 against 0.67 after 1000 epochs; the
  // reconstruction check rules out a vacuous pass by an untrained network).
  SurfacesExperimentConfig warm = SmallSwissRoll(TempDir("surfaces_warm"));
  warm.data.num_points = 800;
  warm.methods = {"ae"};
  warm.warm_start = "isomap";
  warm.warm_start_epochs = 2000;
  warm.epochs = 0;
  warm.write_figures = false;
  ISOAE_ASSERT_OK_AND_ASSIGN(SurfacesExperimentResult w, RunSurfacesExperiment(warm));
  SurfacesExperimentConfig cold = warm;
  cold.output_dir = TempDir("surfaces_cold");
  cold.warm_start = "";
  cold.epochs = 1000;
  ISOAE_ASSERT_OK_AND_ASSIGN(SurfacesExperimentResult r, RunSurfacesExperiment(cold));
  EXPECT_LT(w.runs[0].edge_ratio.std, 0.8 * r.runs[0].edge_ratio.std)
      << "warm " << w.runs[0].edge_ratio.std << " vs cold " << r.runs[0].edge_ratio.std;
  EXPECT_LT(w.runs[0].final_rec, 0.05) << w.runs[0].final_rec;
}

TEST(SurfacesExperimentTest, BadConfigIsInvalidArgumentNamingTheFlag) {
  SurfacesExperimentConfig c = SmallSwissRoll(TempDir("bad"));
  c.surfaces = {"klein_bottle"};
  EXPECT_THAT(RunSurfacesExperiment(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--surfaces: surface \"klein_bottle\"")));
  c = SmallSwissRoll(TempDir("bad"));
  c.methods = {"iae", "vae"};
  EXPECT_THAT(RunSurfacesExperiment(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--methods")));
  c = SmallSwissRoll(TempDir("bad"));
  c.epochs = 0;  // allowed only with a warm start
  EXPECT_THAT(RunSurfacesExperiment(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--epochs")));
  c = SmallSwissRoll(TempDir("bad"));
  c.iae.lambda_iso = -0.5;
  EXPECT_THAT(RunSurfacesExperiment(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lambda_iso")));
  c = SmallSwissRoll(TempDir("bad"));
  c.device = "tpu";
  EXPECT_THAT(RunSurfacesExperiment(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--device=tpu")));
  c = SmallSwissRoll(TempDir("bad"));
  c.data.num_points = 3;
  EXPECT_THAT(RunSurfacesExperiment(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--num_points")));
  c = SmallSwissRoll(TempDir("bad"));
  c.learning_rate = NAN;
  EXPECT_THAT(RunSurfacesExperiment(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--lr")));
  c = SmallSwissRoll(TempDir("bad"));
  c.batch_size = -1;
  EXPECT_THAT(RunSurfacesExperiment(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--batch_size")));
  c = SmallSwissRoll(TempDir("bad"));
  c.data.noise = NAN;
  EXPECT_THAT(RunSurfacesExperiment(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--noise")));
  c = SmallSwissRoll(TempDir("bad"));
  c.data_scale = 0;
  EXPECT_THAT(RunSurfacesExperiment(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--data_scale")));
  c = SmallSwissRoll(TempDir("bad"));
  c.warm_start = "pca";
  EXPECT_THAT(RunSurfacesExperiment(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--warm_start")));
  c = SmallSwissRoll(TempDir("bad"));
  c.resume = true;  // nothing to resume from
  EXPECT_THAT(RunSurfacesExperiment(c),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("swiss_roll_iae.pt")));
}

TEST(SurfacesExperimentTest, ResumeStartsTheRunsAnInterruptedRunHadNotReached) {
  // A run stopped during its first method left one checkpoint: --resume
  // finishes that run and starts the second instead of failing on it.
  const std::string out = TempDir("surfaces_partial");
  SurfacesExperimentConfig first = SmallSwissRoll(out);
  first.epochs = 50;
  first.methods = {"iae"};
  first.write_figures = false;
  ISOAE_ASSERT_OK(RunSurfacesExperiment(first).status());
  ASSERT_FALSE(std::filesystem::exists(out + "/checkpoints/swiss_roll_ae.pt"));
  SurfacesExperimentConfig resumed = first;
  resumed.methods = {"iae", "ae"};
  resumed.resume = true;
  ISOAE_ASSERT_OK_AND_ASSIGN(SurfacesExperimentResult r, RunSurfacesExperiment(resumed));
  ASSERT_EQ(r.runs.size(), 2u);
  EXPECT_TRUE(std::filesystem::exists(out + "/checkpoints/swiss_roll_ae.pt"));
  // The AE trained from scratch: the same numbers as a run without --resume.
  SurfacesExperimentConfig fresh = first;
  fresh.methods = {"ae"};
  fresh.output_dir = TempDir("surfaces_partial_fresh");
  ISOAE_ASSERT_OK_AND_ASSIGN(SurfacesExperimentResult f, RunSurfacesExperiment(fresh));
  EXPECT_DOUBLE_EQ(r.runs[1].edge_ratio.std, f.runs[0].edge_ratio.std);
}

}  // namespace
}  // namespace isoae
