#include "metrics/ellipses.h"

#include <cmath>

#include "core/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

TEST(EllipsesTest, PolygonPointsLieOnTheLevelSet) {
  Eigen::Matrix2d g;
  g << 5, 2, 2, 2;  // eigenvalues 1 and 6
  Eigen::MatrixXd c(1, 2);
  c << 0.5, -1;
  ISOAE_ASSERT_OK_AND_ASSIGN(auto e, EquidistanceEllipses(c, {g}, 0.25));
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NEAR(e[0].condition, 6.0, 1e-12);
  EXPECT_NEAR(e[0].major.norm(), std::sqrt(0.25 / 1.0), 1e-12);
  EXPECT_NEAR(e[0].minor.norm(), std::sqrt(0.25 / 6.0), 1e-12);
  EXPECT_NEAR(e[0].major.dot(e[0].minor), 0.0, 1e-12);
  ISOAE_ASSERT_OK_AND_ASSIGN(Eigen::MatrixXd p, EllipsePolygon(e[0], 17));
  for (int s = 0; s < p.rows(); ++s) {
    const Eigen::Vector2d d = p.row(s).transpose() - e[0].center;
    EXPECT_NEAR(d.dot(g * d), 0.25, 1e-12);
  }
}

TEST(EllipsesTest, IsometricFieldGivesEqualCirclesOfTheChosenRadius) {
  const MetricField g(4, 9.0 * Eigen::MatrixXd::Identity(2, 2));
  ISOAE_ASSERT_OK_AND_ASSIGN(double k, ChooseEllipseScale(g, 0.2));
  EXPECT_NEAR(k, 9.0 * 0.04, 1e-12);  // sqrt(k / 9) = 0.2
  Eigen::MatrixXd c = Eigen::MatrixXd::Random(4, 2);
  ISOAE_ASSERT_OK_AND_ASSIGN(auto e, EquidistanceEllipses(c, g, k));
  for (const Ellipse& x : e) {
    EXPECT_NEAR(x.major.norm(), 0.2, 1e-12);
    EXPECT_NEAR(x.minor.norm(), 0.2, 1e-12);
    EXPECT_NEAR(x.condition, 1.0, 1e-12);
  }
}

TEST(EllipsesTest, Errors) {
  const MetricField g(2, Eigen::MatrixXd::Identity(2, 2));
  EXPECT_THAT(EquidistanceEllipses(Eigen::MatrixXd::Zero(3, 2), g, 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected 2x2")));
  EXPECT_THAT(EquidistanceEllipses(Eigen::MatrixXd::Zero(2, 2), g, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("k must be positive")));
  EXPECT_THAT(ChooseEllipseScale(MetricField(1, Eigen::MatrixXd::Identity(3, 3)), 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("2x2 metrics")));
  EXPECT_THAT(ChooseEllipseScale(g, -1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("radius")));
  EXPECT_THAT(EllipsePolygon(Ellipse{}, 2),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(">= 3 segments")));
}

}  // namespace
}  // namespace isoae
