#include "metrics/riemannian.h"

#include <Eigen/Eigenvalues>

#include <cmath>
#include <random>

#include "core/status_matchers.h"
#include "metrics/testing/random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

Eigen::MatrixXd RandomMatrix(int rows, int cols, std::mt19937* rng) {
  return testing::GaussianMatrix(rows, cols, rng);
}

Eigen::MatrixXd RandomSpd(int m, std::mt19937* rng) {
  const Eigen::MatrixXd a = RandomMatrix(m, m + 2, rng);
  return a * a.transpose() + 0.1 * Eigen::MatrixXd::Identity(m, m);
}

Eigen::MatrixXd RandomOrthogonal(int n, std::mt19937* rng) {
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(RandomMatrix(n, n, rng));
  return qr.householderQ();
}

// Brute force: eigenvalues of the non-symmetric B^{-1} A with a general
// eigensolver (real, positive for SPD A, B).
double BruteForceD2(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  Eigen::EigenSolver<Eigen::MatrixXd> es(b.inverse() * a);
  double d2 = 0;
  for (int i = 0; i < es.eigenvalues().size(); ++i) {
    d2 += std::pow(std::log(es.eigenvalues()(i).real()), 2);
  }
  return d2;
}

// Metrics G_i = J_i^T J_i of random 10 x m Jacobians.
MetricField RandomField(int n, int m, std::mt19937* rng, const Eigen::MatrixXd* q = nullptr,
                        double scale = 1.0) {
  MetricField g;
  for (int i = 0; i < n; ++i) {
    Eigen::MatrixXd j = scale * RandomMatrix(10, m, rng);
    if (q != nullptr) j = *q * j;
    g.push_back(j.transpose() * j);
  }
  return g;
}

TEST(RiemannianTest, DistanceMatchesBruteForceAndIsAMetric) {
  std::mt19937 rng(1);
  for (int m : {2, 3, 5}) {
    for (int trial = 0; trial < 5; ++trial) {
      const Eigen::MatrixXd a = RandomSpd(m, &rng), b = RandomSpd(m, &rng);
      ISOAE_ASSERT_OK_AND_ASSIGN(double ab, AffineInvariantDistanceSquared(a, b));
      ISOAE_ASSERT_OK_AND_ASSIGN(double ba, AffineInvariantDistanceSquared(b, a));
      ISOAE_ASSERT_OK_AND_ASSIGN(double aa, AffineInvariantDistanceSquared(a, a));
      EXPECT_NEAR(ab, BruteForceD2(a, b), 1e-9 * (1 + ab)) << "m=" << m;
      EXPECT_NEAR(ab, ba, 1e-9 * (1 + ab));
      EXPECT_NEAR(aa, 0, 1e-18);
      // Congruence invariance: d(P^T A P, P^T B P) = d(A, B).
      const Eigen::MatrixXd p = RandomMatrix(m, m, &rng);
      ISOAE_ASSERT_OK_AND_ASSIGN(double pp, AffineInvariantDistanceSquared(
                                                p.transpose() * a * p, p.transpose() * b * p));
      EXPECT_NEAR(pp, ab, 1e-7 * (1 + ab));
    }
  }
  // A closed form: d^2(diag(e, e^2), I) = 1 + 4.
  ISOAE_ASSERT_OK_AND_ASSIGN(
      double d, AffineInvariantDistanceSquared(
                    Eigen::Vector2d(std::exp(1.0), std::exp(2.0)).asDiagonal().toDenseMatrix(),
                    Eigen::MatrixXd::Identity(2, 2)));
  EXPECT_NEAR(d, 5.0, 1e-12);
}

TEST(RiemannianTest, LinearDecoderHasZeroVorAndMcnSigmaRatioSquared) {
  std::mt19937 rng(2);
  // J = U diag(sigma) V^T with orthonormal U (20 x 3) and V (3 x 3).
  const Eigen::MatrixXd u = RandomOrthogonal(20, &rng).leftCols(3);
  const Eigen::MatrixXd v = RandomOrthogonal(3, &rng);
  const Eigen::Vector3d sigma(0.5, 2.0, 3.0);
  const Eigen::MatrixXd j = u * sigma.asDiagonal() * v.transpose();
  const MetricField g(50, j.transpose() * j);
  ISOAE_ASSERT_OK_AND_ASSIGN(double vor, VarianceOfRiemannianMetric(g));
  ISOAE_ASSERT_OK_AND_ASSIGN(double vor_k,
                             VarianceOfRiemannianMetric(g, MeanKind::kKarcher));
  EXPECT_NEAR(vor, 0, 1e-20);
  EXPECT_NEAR(vor_k, 0, 1e-20);
  ISOAE_ASSERT_OK_AND_ASSIGN(ConditionStats c, ConditionNumbers(g));
  EXPECT_NEAR(c.mean, 36.0, 1e-9);  // (3 / 0.5)^2
  EXPECT_NEAR(c.std, 0.0, 1e-9);
  // The same for the 2-D fast paths.
  const Eigen::MatrixXd j2 = u.leftCols(2) * Eigen::Vector2d(0.5, 1.5).asDiagonal();
  ISOAE_ASSERT_OK_AND_ASSIGN(ConditionStats c2,
                             ConditionNumbers(MetricField(3, j2.transpose() * j2)));
  EXPECT_NEAR(c2.mean, 9.0, 1e-12);
}

TEST(RiemannianTest, InvariantToDataRotationAndDecoderScale) {
  std::mt19937 rng(3);
  std::mt19937 same = rng;
  const MetricField g = RandomField(40, 3, &rng);
  const Eigen::MatrixXd q = RandomOrthogonal(10, &rng);
  const MetricField rotated_scaled = RandomField(40, 3, &same, &q, 7.0);
  ISOAE_ASSERT_OK_AND_ASSIGN(double a, VarianceOfRiemannianMetric(g));
  ISOAE_ASSERT_OK_AND_ASSIGN(double b, VarianceOfRiemannianMetric(rotated_scaled));
  EXPECT_GT(a, 0.1);
  EXPECT_NEAR(a, b, 1e-9 * a);
  ISOAE_ASSERT_OK_AND_ASSIGN(ConditionStats ca, ConditionNumbers(g));
  ISOAE_ASSERT_OK_AND_ASSIGN(ConditionStats cb, ConditionNumbers(rotated_scaled));
  EXPECT_NEAR(ca.mean, cb.mean, 1e-9 * ca.mean);
  EXPECT_NEAR(ca.std, cb.std, 1e-8 * ca.std);
  ISOAE_ASSERT_OK_AND_ASSIGN(RelaxedDistortionStats ra, RelaxedDistortion(g));
  ISOAE_ASSERT_OK_AND_ASSIGN(RelaxedDistortionStats rb, RelaxedDistortion(rotated_scaled));
  EXPECT_NEAR(ra.distortion, rb.distortion, 1e-9 * ra.distortion);
  EXPECT_NEAR(rb.mean_trace, 49 * ra.mean_trace, 1e-9 * rb.mean_trace);
  // VoR is also invariant to a linear change of latent coordinates.
  const Eigen::MatrixXd p = RandomMatrix(3, 3, &rng);
  MetricField congruent;
  for (const auto& m : g) congruent.push_back(p.transpose() * m * p);
  ISOAE_ASSERT_OK_AND_ASSIGN(double c, VarianceOfRiemannianMetric(congruent));
  EXPECT_NEAR(a, c, 1e-7 * a);
}

// VoR of a field that is not constant, by hand: diagonal metrics commute
// with their mean, so d^2(G_i, mean) = sum_k log^2(g_ik / mean_k).
TEST(RiemannianTest, VorOfANonConstantFieldByHand) {
  const MetricField g = {Eigen::Vector2d(1, 1).asDiagonal(), Eigen::Vector2d(4, 1).asDiagonal(),
                         Eigen::Vector2d(1, 9).asDiagonal()};
  const double m0 = 2.0, m1 = 11.0 / 3.0;
  auto sq = [](double v) { return v * v; };
  const double want = (sq(std::log(1 / m0)) + sq(std::log(1 / m1)) + sq(std::log(4 / m0)) +
                       sq(std::log(1 / m1)) + sq(std::log(1 / m0)) + sq(std::log(9 / m1))) /
                      3;
  ISOAE_ASSERT_OK_AND_ASSIGN(const double vor, VarianceOfRiemannianMetric(g));
  EXPECT_NEAR(vor, want, 1e-12);
  // A congruence by a rotation leaves it unchanged (the field no longer commutes
  // with the axes, the hand value still holds).
  const Eigen::Matrix2d r = Eigen::Rotation2Dd(0.3).toRotationMatrix();
  MetricField rotated;
  for (const auto& m : g) rotated.push_back(r.transpose() * m * r);
  ISOAE_ASSERT_OK_AND_ASSIGN(const double vor_r, VarianceOfRiemannianMetric(rotated));
  EXPECT_NEAR(vor_r, want, 1e-12);
}

// The 2x2 closed form near the identity: A = I + eps S keeps its digits.
TEST(RiemannianTest, TwoByTwoDistanceIsAccurateNearTheIdentity) {
  Eigen::Matrix2d s;
  s << 0.7, 0.3, 0.3, -0.4;
  for (double eps : {1e-3, 1e-6, 1e-8, 1e-12}) {
    const Eigen::MatrixXd a = Eigen::Matrix2d::Identity() + eps * s;
    // The expected value from the stored A: A - I is exact in double
    // (Sterbenz), and its eigenvalues in closed form.
    const Eigen::Matrix2d e = a - Eigen::Matrix2d::Identity();
    const double mid = 0.5 * (e(0, 0) + e(1, 1));
    const double rad = std::hypot(0.5 * (e(0, 0) - e(1, 1)), e(0, 1));
    const double want = std::pow(std::log1p(mid + rad), 2) + std::pow(std::log1p(mid - rad), 2);
    ISOAE_ASSERT_OK_AND_ASSIGN(const double d2,
                               AffineInvariantDistanceSquared(a, Eigen::Matrix2d::Identity()));
    // Round-off only: log(1 + x) in place of log1p(x) is off by 1e-4 at 1e-12.
    EXPECT_NEAR(d2, want, 1e-9 * want) << eps;
    // Against B != I: d(P^T A P, P^T P) = d(A, I). Forming P^T A P rounds
    // its entries at 1e-16 of ~10 against a gap of 10 eps: checked down to 1e-8.
    if (eps < 1e-8) continue;
    Eigen::Matrix2d p;
    p << 2, 1, 0.5, 3;
    ISOAE_ASSERT_OK_AND_ASSIGN(
        const double d2p, AffineInvariantDistanceSquared(p.transpose() * a * p,
                                                         Eigen::MatrixXd(p.transpose() * p)));
    EXPECT_NEAR(d2p, want, 1e-6 * want) << eps;
  }
}

TEST(RiemannianTest, ZeroMetricsAreDroppedAndCounted) {
  MetricField g = {Eigen::Matrix2d::Identity(), Eigen::Matrix2d::Zero(),
                   2 * Eigen::Matrix2d::Identity(),
                   Eigen::Matrix2d::Constant(std::numeric_limits<double>::quiet_NaN())};
  EXPECT_EQ(DropZeroMetrics(&g), 2);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[1](0, 0), 2.0);
  // A singular but non-zero metric stays (the ridge handles it).
  MetricField s = {(Eigen::Matrix2d() << 1, 0, 0, 0).finished()};
  EXPECT_EQ(DropZeroMetrics(&s), 0);
}

TEST(RiemannianTest, RidgeMakesSingularMetricsMeasurable) {
  MetricField g = {Eigen::Vector2d(1, 0).asDiagonal(), Eigen::Vector2d(2, 2).asDiagonal()};
  EXPECT_FALSE(ConditionNumbers(g).ok());  // the first metric is singular
  AddRelativeRidge(&g, 1e-6);
  ISOAE_ASSERT_OK_AND_ASSIGN(const ConditionStats c, ConditionNumbers(g));
  // diag(1, 0) + 0.5e-6 I: condition (1 + 0.5e-6) / 0.5e-6; diag(2, 2): 1.
  EXPECT_NEAR(c.per_point[0], (1 + 0.5e-6) / 0.5e-6, 1e-3);
  EXPECT_NEAR(c.per_point[1], 1.0, 1e-12);
}

TEST(RiemannianTest, KarcherMeanOfCommutingMetricsIsTheGeometricMean) {
  MetricField g = {Eigen::Vector2d(1, 8).asDiagonal().toDenseMatrix(),
                   Eigen::Vector2d(4, 2).asDiagonal().toDenseMatrix(),
                   Eigen::Vector2d(16, 4).asDiagonal().toDenseMatrix()};
  ISOAE_ASSERT_OK_AND_ASSIGN(Eigen::MatrixXd k, KarcherMean(g));
  EXPECT_NEAR(k(0, 0), 4.0, 1e-10);  // (1 * 4 * 16)^(1/3)
  EXPECT_NEAR(k(1, 1), 4.0, 1e-10);  // (8 * 2 * 4)^(1/3)
  EXPECT_NEAR(k(0, 1), 0.0, 1e-12);
  // The Karcher mean minimises the mean squared distance.
  std::mt19937 rng(4);
  const MetricField r = RandomField(30, 3, &rng);
  ISOAE_ASSERT_OK_AND_ASSIGN(double arith, VarianceOfRiemannianMetric(r));
  ISOAE_ASSERT_OK_AND_ASSIGN(double karcher,
                             VarianceOfRiemannianMetric(r, MeanKind::kKarcher));
  EXPECT_LT(karcher, arith);
}

TEST(RiemannianTest, RelaxedDistortionAndFlatnessClosedForms) {
  // G = diag(1, 4): sum_i (lambda_i / 2.5 - 1)^2 = 0.36 + 0.36.
  const MetricField g(5, Eigen::Vector2d(1, 4).asDiagonal().toDenseMatrix());
  ISOAE_ASSERT_OK_AND_ASSIGN(RelaxedDistortionStats r, RelaxedDistortion(g));
  EXPECT_NEAR(r.trace_ratio, 17.0 / 25.0, 1e-12);
  EXPECT_NEAR(r.distortion, 0.72, 1e-12);
  EXPECT_NEAR(r.mean_trace, 5.0, 1e-12);
  // A scaled isometry has zero distortion whatever the scale.
  ISOAE_ASSERT_OK_AND_ASSIGN(
      RelaxedDistortionStats iso,
      RelaxedDistortion(MetricField(3, 9.0 * Eigen::MatrixXd::Identity(4, 4))));
  EXPECT_NEAR(iso.distortion, 0.0, 1e-12);
  // FMVAE: G = diag(1, 3), c = 2: ||diag(-1, 1)||^2 = 2.
  ISOAE_ASSERT_OK_AND_ASSIGN(
      double f, FmvaeFlatness(MetricField(2, Eigen::Vector2d(1, 3).asDiagonal().toDenseMatrix())));
  EXPECT_NEAR(f, 2.0, 1e-12);
}

TEST(RiemannianTest, Errors) {
  Eigen::MatrixXd not_spd(2, 2);
  not_spd << 1, 2, 2, 1;
  EXPECT_THAT(AffineInvariantDistanceSquared(not_spd, Eigen::MatrixXd::Identity(2, 2)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("A is not positive definite")));
  EXPECT_THAT(AffineInvariantDistanceSquared(Eigen::MatrixXd::Identity(2, 2),
                                             Eigen::MatrixXd::Identity(3, 3)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("B is 3x3")));
  Eigen::MatrixXd nan = Eigen::MatrixXd::Identity(2, 2);
  nan(0, 1) = std::nan("");
  EXPECT_THAT(ConditionNumbers({Eigen::MatrixXd::Identity(2, 2), nan}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("metric 1 has NaN")));
  Eigen::MatrixXd asym(2, 2);
  asym << 2, 1, 0, 2;
  EXPECT_THAT(VarianceOfRiemannianMetric({asym}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not symmetric")));
  EXPECT_THAT(RelaxedDistortion({Eigen::MatrixXd::Identity(2, 2), Eigen::MatrixXd::Identity(3, 3)}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("metric 1 is 3x3")));
  EXPECT_THAT(FmvaeFlatness({}), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("empty metric field")));
  EXPECT_THAT(CheckSpd(Eigen::MatrixXd::Zero(2, 3), "G"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("G is 2x3")));
  Eigen::MatrixXd singular3 = Eigen::MatrixXd::Identity(3, 3);
  singular3(2, 2) = 0;
  EXPECT_THAT(CheckSpd(singular3, "G"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("G is not positive definite")));
}

}  // namespace
}  // namespace isoae
