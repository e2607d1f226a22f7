#include "datasets/surfaces.h"

#include <cmath>

#include "core/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "metrics/edge_ratio.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

constexpr double kPi = 3.14159265358979323846;
// Points are computed in closed form; only round-off remains.
constexpr double kOnSurfaceTol = 1e-9;

TEST(SurfacesTest, PointsLieOnTheirSurface) {
  SurfaceConfig c;
  c.num_points = 2000;
  c.seed = 5;
  for (Surface s : AllSurfaces()) {
    SCOPED_TRACE(SurfaceName(s));
    ISOAE_ASSERT_OK_AND_ASSIGN(SurfaceSample x, SampleSurface(s, c));
    ASSERT_EQ(x.points.rows(), 2000);
    // The chart maps back to the same points.
    ISOAE_ASSERT_OK_AND_ASSIGN(Eigen::MatrixXd back, ChartToSurface(s, c, x.chart));
    EXPECT_LT((back - x.points).cwiseAbs().maxCoeff(), kOnSurfaceTol);
    for (int i = 0; i < x.points.rows(); ++i) {
      const Eigen::RowVector3d p = x.points.row(i);
      switch (s) {
        case Surface::kSShape: {
          // x = sin t, z = sign(t)(cos t - 1): each half is a unit circle.
          const double zc = p(2) > 0 ? 1.0 : -1.0;
          EXPECT_NEAR(p(0) * p(0) + (p(2) - zc) * (p(2) - zc), 1.0, kOnSurfaceTol);
          break;
        }
        case Surface::kSwissRoll: {
          const double r = std::hypot(p(0), p(2)) / c.swiss_roll_scale;
          EXPECT_GE(r, 1.5 * kPi - kOnSurfaceTol);
          EXPECT_LE(r, 4.5 * kPi + kOnSurfaceTol);
          EXPECT_NEAR(std::cos(r), p(0) / (c.swiss_roll_scale * r), 1e-7);
          break;
        }
        case Surface::kOpenSphere:
          EXPECT_NEAR(p.norm(), 1.0, kOnSurfaceTol);
          EXPECT_LE(p(2), std::cos(c.open_sphere_cap_angle) + kOnSurfaceTol);
          break;
      }
    }
  }
}

TEST(SurfacesTest, SamplingIsUniformInArea) {
  // Swiss roll: uniform area means the arc-length chart coordinate is
  // uniform: its mean is L/2 with standard error L/sqrt(12 n). The parameter
  // t is not uniform (outer turns are longer): its mean is above the middle.
  SurfaceConfig c;
  c.num_points = 20000;
  c.seed = 6;
  ISOAE_ASSERT_OK_AND_ASSIGN(SurfaceSample x, SampleSurface(Surface::kSwissRoll, c));
  const double len = x.chart.col(0).maxCoeff();
  const double se = len / std::sqrt(12.0 * c.num_points);
  EXPECT_NEAR(x.chart.col(0).mean(), len / 2, 5 * se);
  // Open sphere: z = cos(theta) uniform on [-1, cos(cap)].
  ISOAE_ASSERT_OK_AND_ASSIGN(SurfaceSample s, SampleSurface(Surface::kOpenSphere, c));
  const double top = std::cos(c.open_sphere_cap_angle);
  EXPECT_NEAR(s.points.col(2).mean(), (top - 1) / 2, 5 * (top + 1) / std::sqrt(12.0 * c.num_points));
}

TEST(SurfacesTest, TrueChartsOfFlatSurfacesHaveZeroEdgeRatioStd) {
  // S-shape and Swiss roll are developable: their charts are isometries, so
  // the edge-ratio std (I-AE Table 2) is zero up to the chord-vs-arc error of
  // the grid, O((h kappa)^2) with h the cell size and kappa the curvature.
  SurfaceConfig c;
  c.num_points = 5000;
  c.seed = 7;
  for (Surface s : {Surface::kSShape, Surface::kSwissRoll}) {
    SCOPED_TRACE(SurfaceName(s));
    ISOAE_ASSERT_OK_AND_ASSIGN(SurfaceSample x, SampleSurface(s, c));
    LatentGridConfig g;
    g.cells = 40;
    ISOAE_ASSERT_OK_AND_ASSIGN(TriangulatedGrid grid, BuildLatentGrid(x.chart, g));
    ISOAE_ASSERT_OK_AND_ASSIGN(Eigen::MatrixXd decoded, ChartToSurface(s, c, grid.vertices));
    ISOAE_ASSERT_OK_AND_ASSIGN(EdgeRatioStats st, EdgeLengthRatios(grid, decoded));
    EXPECT_LT(st.std, 5e-3);
    EXPECT_NEAR(st.raw_mean, 1.0, 5e-3);
  }
}

TEST(SurfacesTest, SplitIsDeterministicAndDisjoint) {
  SurfaceConfig c;
  c.num_points = 100;
  ISOAE_ASSERT_OK_AND_ASSIGN(SurfaceSample x, SampleSurface(Surface::kSShape, c));
  ISOAE_ASSERT_OK_AND_ASSIGN(SurfaceSplit a, SplitSurface(x, 0.8, 3));
  ISOAE_ASSERT_OK_AND_ASSIGN(SurfaceSplit b, SplitSurface(x, 0.8, 3));
  EXPECT_EQ(a.train.points.rows(), 80);
  EXPECT_EQ(a.test.points.rows(), 20);
  EXPECT_EQ(a.train.points, b.train.points);
}

TEST(SurfacesTest, BadConfigIsInvalidArgument) {
  SurfaceConfig c;
  c.num_points = 0;
  EXPECT_THAT(SampleSurface(Surface::kSShape, c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("num_points")));
  c.num_points = 10;
  c.noise = -1;
  EXPECT_THAT(SampleSurface(Surface::kSShape, c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("noise")));
  EXPECT_THAT(ParseSurface("torus"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("torus")));
  c.noise = 0;
  ISOAE_ASSERT_OK_AND_ASSIGN(SurfaceSample x, SampleSurface(Surface::kSShape, c));
  EXPECT_THAT(SplitSurface(x, 1.5, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("fraction")));
}

}  // namespace
}  // namespace isoae
