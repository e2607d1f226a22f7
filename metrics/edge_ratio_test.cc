#include "metrics/edge_ratio.h"

#include <cmath>
#include <random>

#include "core/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

// Only floating-point round-off separates these from the exact values.
constexpr double kTol = 1e-12;

// Codes filling [0, 4] x [0, 2]: with 4 cells along x every cell is occupied.
Eigen::MatrixXd FilledRectangle() {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd codes(4000, 2);
  for (int i = 0; i < codes.rows(); ++i) codes.row(i) << 4 * u(rng), 2 * u(rng);
  codes.row(0) << 0, 0;
  codes.row(1) << 4, 2;
  return codes;
}

TEST(EdgeRatioTest, FullRectangleHasExpectedCounts) {
  LatentGridConfig c;
  c.cells = 4;
  ISOAE_ASSERT_OK_AND_ASSIGN(TriangulatedGrid g, BuildLatentGrid(FilledRectangle(), c));
  EXPECT_DOUBLE_EQ(g.cell_size, 1.0);
  EXPECT_EQ(g.vertices.rows(), 5 * 3);
  EXPECT_EQ(g.triangles.size(), 2u * 4 * 2);
  // horizontal 4*3 + vertical 5*2 + diagonal 4*2
  EXPECT_EQ(g.edges.size(), 12u + 10u + 8u);
}

TEST(EdgeRatioTest, RigidMotionHasZeroStd) {
  LatentGridConfig c;
  c.cells = 10;
  ISOAE_ASSERT_OK_AND_ASSIGN(TriangulatedGrid g, BuildLatentGrid(FilledRectangle(), c));
  Eigen::Matrix3d r = Eigen::AngleAxisd(0.7, Eigen::Vector3d(1, 2, 3).normalized()).toRotationMatrix();
  Eigen::MatrixXd lifted(g.vertices.rows(), 3);
  lifted << g.vertices, Eigen::VectorXd::Zero(g.vertices.rows());
  Eigen::MatrixXd decoded = (lifted * r.transpose()).rowwise() + Eigen::RowVector3d(5, -1, 2);
  ISOAE_ASSERT_OK_AND_ASSIGN(EdgeRatioStats s, EdgeLengthRatios(g, decoded));
  EXPECT_NEAR(s.raw_mean, 1.0, kTol);
  EXPECT_NEAR(s.std, 0.0, kTol);
  EXPECT_NEAR(s.p5, 1.0, kTol);
  EXPECT_NEAR(s.p95, 1.0, kTol);
}

TEST(EdgeRatioTest, LinearMapGivesAnalyticStd) {
  LatentGridConfig c;
  c.cells = 4;
  ISOAE_ASSERT_OK_AND_ASSIGN(TriangulatedGrid g, BuildLatentGrid(FilledRectangle(), c));
  Eigen::Matrix<double, 3, 2> a;
  a << 2, 0.5, 0, 1, 1, -1;
  Eigen::MatrixXd decoded = g.vertices * a.transpose();
  // Horizontal edges have ratio |A e1|, vertical |A e2|, diagonal
  // |A (e1+e2)| / sqrt(2); counts 12, 10, 8 (see above).
  const double lh = a.col(0).norm(), lv = a.col(1).norm();
  const double ld = (a.col(0) + a.col(1)).norm() / std::sqrt(2.0);
  const double n = 30, mean = (12 * lh + 10 * lv + 8 * ld) / n;
  const double var = (12 * std::pow(lh / mean - 1, 2) + 10 * std::pow(lv / mean - 1, 2) +
                      8 * std::pow(ld / mean - 1, 2)) / n;
  ISOAE_ASSERT_OK_AND_ASSIGN(EdgeRatioStats s, EdgeLengthRatios(g, decoded));
  EXPECT_EQ(s.num_edges, 30);
  EXPECT_NEAR(s.raw_mean, mean, kTol);
  EXPECT_NEAR(s.std, std::sqrt(var), kTol);
  // Scaling the decoder does not change the normalised ratios.
  ISOAE_ASSERT_OK_AND_ASSIGN(EdgeRatioStats s3, EdgeLengthRatios(g, 3.0 * decoded));
  EXPECT_NEAR(s3.std, s.std, kTol);
}

TEST(EdgeRatioTest, OnlyOccupiedCellsAreTriangulated) {
  // Two clusters in opposite corners of a 10x10 box: only their cells count.
  Eigen::MatrixXd codes(4, 2);
  codes << 0.1, 0.1, 0.2, 0.3, 9.9, 9.9, 9.8, 9.7;
  LatentGridConfig c;
  c.cells = 10;
  ISOAE_ASSERT_OK_AND_ASSIGN(TriangulatedGrid g, BuildLatentGrid(codes, c));
  EXPECT_EQ(g.triangles.size(), 4u);
  EXPECT_EQ(g.vertices.rows(), 8);
  // min_codes_per_cell = 0: the whole box, 10 x 10 cells, 11 x 11 vertices,
  // 10*11 horizontal + 11*10 vertical + 100 diagonal edges.
  c.min_codes_per_cell = 0;
  ISOAE_ASSERT_OK_AND_ASSIGN(TriangulatedGrid box, BuildLatentGrid(codes, c));
  EXPECT_EQ(box.triangles.size(), 200u);
  EXPECT_EQ(box.vertices.rows(), 121);
  EXPECT_EQ(box.edges.size(), 320u);
}

TEST(EdgeRatioTest, BadInputsAreInvalidArgument) {
  LatentGridConfig c;
  EXPECT_THAT(BuildLatentGrid(Eigen::MatrixXd::Zero(10, 3), c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[n, 2]")));
  EXPECT_THAT(BuildLatentGrid(Eigen::MatrixXd::Zero(2, 2), c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at least 3")));
  EXPECT_THAT(BuildLatentGrid(Eigen::MatrixXd::Zero(5, 2), c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("identical")));
  Eigen::MatrixXd nan = Eigen::MatrixXd::Random(5, 2);
  nan(2, 1) = NAN;
  EXPECT_THAT(BuildLatentGrid(nan, c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NaN")));
  c.cells = 0;
  EXPECT_THAT(BuildLatentGrid(Eigen::MatrixXd::Random(5, 2), c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cells")));
  c.cells = 4;
  c.min_codes_per_cell = -1;
  EXPECT_THAT(BuildLatentGrid(Eigen::MatrixXd::Random(5, 2), c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("min_codes_per_cell")));
  c.min_codes_per_cell = 1;
  c.cells = 4;
  ISOAE_ASSERT_OK_AND_ASSIGN(TriangulatedGrid g, BuildLatentGrid(FilledRectangle(), c));
  EXPECT_THAT(EdgeLengthRatios(g, Eigen::MatrixXd::Zero(3, 3)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("15 vertices")));
  EXPECT_THAT(EdgeLengthRatios(g, Eigen::MatrixXd::Zero(15, 3)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("length 0")));
  Eigen::MatrixXd bad = Eigen::MatrixXd::Random(15, 3);
  bad(0, 0) = INFINITY;
  EXPECT_THAT(EdgeLengthRatios(g, bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NaN or Inf")));
}

}  // namespace
}  // namespace isoae
