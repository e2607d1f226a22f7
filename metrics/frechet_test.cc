#include "metrics/frechet.h"

#include <Eigen/Eigenvalues>

#include <random>

#include "core/status_matchers.h"
#include "metrics/testing/random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

Eigen::MatrixXd Samples(int n, int d, unsigned seed) {
  return testing::GaussianMatrix(n, d, seed);
}

TEST(FrechetTest, IdenticalSetsAreAtZero) {
  const Eigen::MatrixXd x = Samples(200, 6, 1);
  ISOAE_ASSERT_OK_AND_ASSIGN(double d, FrechetDistance(x, x));
  EXPECT_NEAR(d, 0.0, 1e-9);
}

TEST(FrechetTest, ClosedFormForDiagonalGaussians) {
  GaussianFit a{Eigen::Vector3d(0, 1, 2), Eigen::Vector3d(1, 4, 9).asDiagonal(), 10};
  GaussianFit b{Eigen::Vector3d(1, 1, 0), Eigen::Vector3d(4, 4, 1).asDiagonal(), 10};
  // |mu|^2 = 1 + 0 + 4; sum (sqrt(v_a) - sqrt(v_b))^2 = 1 + 0 + 4.
  ISOAE_ASSERT_OK_AND_ASSIGN(double d, FrechetDistance(a, b));
  EXPECT_NEAR(d, 10.0, 1e-12);
}

TEST(FrechetTest, GeneralCovariancesMatchTheNonSymmetricFormula) {
  std::mt19937 rng(2);
  const Eigen::MatrixXd p = Samples(4, 6, 3), q = Samples(4, 6, 4);
  GaussianFit a{Eigen::VectorXd::Zero(4), p * p.transpose(), 10};
  GaussianFit b{Eigen::VectorXd::Ones(4), q * q.transpose(), 10};
  // Tr sqrt(S_a S_b) = sum sqrt(eig(S_a S_b)) (real, non-negative).
  Eigen::EigenSolver<Eigen::MatrixXd> es(a.covariance * b.covariance);
  double tr = 0;
  for (int i = 0; i < 4; ++i) tr += std::sqrt(es.eigenvalues()(i).real());
  const double expected =
      4.0 + a.covariance.trace() + b.covariance.trace() - 2 * tr;
  ISOAE_ASSERT_OK_AND_ASSIGN(double d, FrechetDistance(a, b));
  EXPECT_NEAR(d, expected, 1e-9 * expected);
  // Symmetric in its arguments.
  ISOAE_ASSERT_OK_AND_ASSIGN(double r, FrechetDistance(b, a));
  EXPECT_NEAR(d, r, 1e-9 * d);
}

TEST(FrechetTest, FitUsesTheUnbiasedCovariance) {
  Eigen::MatrixXd x(3, 1);
  x << 1, 2, 6;
  ISOAE_ASSERT_OK_AND_ASSIGN(GaussianFit g, FitGaussian(x));
  EXPECT_DOUBLE_EQ(g.mean(0), 3.0);
  EXPECT_DOUBLE_EQ(g.covariance(0, 0), 7.0);  // (4 + 1 + 9) / 2
}

TEST(FrechetTest, Errors) {
  EXPECT_THAT(FrechetDistance(Samples(5, 3, 1), Samples(5, 4, 2)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("3 vs 4")));
  EXPECT_THAT(FitGaussian(Samples(1, 3, 1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at least 2")));
  Eigen::MatrixXd nan = Samples(4, 2, 1);
  nan(2, 0) = std::nan("");
  EXPECT_THAT(FrechetDistance(nan, nan),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NaN")));
}

}  // namespace
}  // namespace isoae
