#include "iae/generalize.h"

#include "third_party/torch_light.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/status_matchers.h"
#include "datasets/testing/fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

// 28x28 images of a blob whose position varies with the item (a 2-D family),
// through the Table 6 network at 1/32 of its width.
GeneralizeConfig Fixture(const std::string& tag) {
  GeneralizeConfig c;
  c.data.name = "mnist";
  c.data.data_dir = ::isoae::testing::WriteMnistStyleDir(
      tag, 240, 40, 28, 28, [](int i, int y, int x) -> uint8_t {
        const int cx = 6 + (i * 7) % 17, cy = 6 + (i * 5 + i / 17) % 17;
        const int d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
        return static_cast<uint8_t>(10 + 210 * std::exp(-d2 / 12.0));
      });
  c.data.train_count = 180;
  c.data.valid_count = 60;
  c.methods = {"ae"};
  c.width_multiplier = 1.0 / 32;
  c.train.epochs = 3;
  c.train.batch_size = 10;
  c.train.learning_rate = 2e-3;
  c.train.quiet = true;
  c.output_dir = ::testing::TempDir() + "/" + tag + "_out";
  return c;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The validation log's rows as (epoch, l2).
std::vector<std::pair<int64_t, double>> ValidationRows(const std::string& path) {
  std::vector<std::pair<int64_t, double>> rows;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "epoch,step,valid_l2");
  while (std::getline(in, line)) {
    int64_t epoch, step;
    double l2;
    char comma;
    std::istringstream fields(line);
    fields >> epoch >> comma >> step >> comma >> l2;
    rows.emplace_back(epoch, l2);
  }
  return rows;
}

TEST(GeneralizeTest, KeepsTheEpochWithTheLowestValidationError) {
  GeneralizeConfig c = Fixture("generalize_best");
  c.methods = {"ae", "iae:0.1"};
  c.train.epochs = 4;
  ISOAE_ASSERT_OK_AND_ASSIGN(GeneralizeResult r, RunGeneralizeExperiment(c));
  ASSERT_EQ(r.rows.size(), 2u);
  for (const GeneralizeRow& row : r.rows) {
    SCOPED_TRACE(row.method);
    const std::string tag = row.method == "ae" ? "ae" : "iae_0.1";
    const auto rows = ValidationRows(c.output_dir + "/validation_" + tag + ".csv");
    ASSERT_EQ(rows.size(), 4u);  // one evaluation per epoch
    size_t argmin = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(rows[i].first, static_cast<int64_t>(i) + 1);
      if (rows[i].second < rows[argmin].second) argmin = i;
    }
    EXPECT_EQ(row.best_epoch, rows[argmin].first);
    EXPECT_NEAR(row.valid_l2, rows[argmin].second, 1e-7 * rows[argmin].second);
    // Training took place (the kept epoch is well below the first one) and
    // the test items, from the same family, score like the validation ones.
    EXPECT_LT(row.valid_l2, 0.5 * rows[0].second);
    EXPECT_NEAR(row.test_l2, row.valid_l2, 0.3 * row.valid_l2);
    EXPECT_GT(row.test_fd_pixels, 0.0);
    EXPECT_TRUE(std::isfinite(row.test_fd_pixels));
    EXPECT_TRUE(std::filesystem::exists(c.output_dir + "/checkpoints/" + tag + "_best.pt"));
  }
  EXPECT_TRUE(std::filesystem::exists(c.output_dir + "/generalize_table.json"));
  EXPECT_TRUE(std::filesystem::exists(c.output_dir + "/reconstructions.png"));
}

TEST(GeneralizeTest, TestScoresComeFromTheBestEpochNotTheLast) {
  // At lr 0.1 the validation error of this fixture rises from epoch 2 to
  // epoch 3 (calibration: 0.024 then 0.039), so the kept weights are not the
  // last ones and their test error is the lower one.
  GeneralizeConfig c = Fixture("generalize_not_last");
  c.train.learning_rate = 0.1;
  c.train.epochs = 3;
  ISOAE_ASSERT_OK_AND_ASSIGN(GeneralizeResult r, RunGeneralizeExperiment(c));
  const auto rows = ValidationRows(c.output_dir + "/validation_ae.csv");
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_LT(rows[1].second, rows[2].second) << "the fixture no longer overshoots";
  EXPECT_EQ(r.rows[0].best_epoch, 2);
  EXPECT_NEAR(r.rows[0].valid_l2, rows[1].second, 1e-7 * rows[1].second);
  EXPECT_LT(r.rows[0].test_l2, r.rows[0].last_test_l2);
}

TEST(GeneralizeTest, AResumedRunEndsAsAnUninterruptedOne) {
  GeneralizeConfig whole = Fixture("generalize_whole");
  ISOAE_ASSERT_OK_AND_ASSIGN(GeneralizeResult a, RunGeneralizeExperiment(whole));

  GeneralizeConfig part = Fixture("generalize_part");
  part.train.epochs = 1;
  ISOAE_ASSERT_OK(RunGeneralizeExperiment(part).status());
  part.train.epochs = 3;
  part.train.resume = true;
  ISOAE_ASSERT_OK_AND_ASSIGN(GeneralizeResult b, RunGeneralizeExperiment(part));
  // It resumed (its own history starts after the first epoch's 18 steps)
  // rather than training again from the start.
  std::ifstream history(part.output_dir + "/history_ae.csv");
  std::string header, first;
  std::getline(history, header);
  std::getline(history, first);
  EXPECT_GT(std::stoi(first.substr(0, first.find(','))), 18) << first;
  ASSERT_EQ(a.rows.size(), 1u);
  ASSERT_EQ(b.rows.size(), 1u);
  EXPECT_EQ(a.rows[0].best_epoch, b.rows[0].best_epoch);
  EXPECT_EQ(a.rows[0].valid_l2, b.rows[0].valid_l2);
  EXPECT_EQ(a.rows[0].test_l2, b.rows[0].test_l2);
  EXPECT_EQ(ReadFile(whole.output_dir + "/validation_ae.csv"),
            ReadFile(part.output_dir + "/validation_ae.csv"));
}

TEST(GeneralizeTest, RefusesConfigurationsItCannotScore) {
  GeneralizeConfig c = Fixture("generalize_bad");
  c.max_valid_items = 0;
  EXPECT_THAT(RunGeneralizeExperiment(c).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--max_valid_items")));
  c = Fixture("generalize_bad");
  c.train.epochs = 0;
  EXPECT_THAT(RunGeneralizeExperiment(c).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--epochs")));
  c = Fixture("generalize_bad");
  c.methods = {"fm"};
  EXPECT_THAT(RunGeneralizeExperiment(c).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("flattens")));
  c = Fixture("generalize_bad");
  c.data.valid_count = 0;
  EXPECT_THAT(RunGeneralizeExperiment(c).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no validation items")));
}

}  // namespace
}  // namespace isoae
