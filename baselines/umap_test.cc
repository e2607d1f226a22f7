#include "baselines/umap.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "core/status_matchers.h"
#include "metrics/neighborhood.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

TEST(UmapCurveTest, MatchesUmapLearnsFitForItsDefaults) {
  // umap-learn's find_ab_params(spread=1, min_dist=0.1): a = 1.5769, b = 0.8951.
  ISOAE_ASSERT_OK_AND_ASSIGN(UmapCurve c, FitUmapCurve(0.1, 1.0));
  EXPECT_NEAR(c.a, 1.577, 0.005);
  EXPECT_NEAR(c.b, 0.895, 0.003);
  // Another setting: the fitted curve follows its own target closely.
  ISOAE_ASSERT_OK_AND_ASSIGN(UmapCurve d, FitUmapCurve(0.5, 2.0));
  double worst = 0;
  for (double x = 0.05; x < 6; x += 0.05) {
    const double target = x < 0.5 ? 1.0 : std::exp(-(x - 0.5) / 2.0);
    worst = std::max(worst, std::abs(1 / (1 + d.a * std::pow(x, 2 * d.b)) - target));
  }
  EXPECT_LT(worst, 0.12);
  EXPECT_THAT(FitUmapCurve(2, 1).status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("min_dist")));
}

TEST(UmapSmoothKnnTest, EachRowsMembershipsSumToLog2K) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.1, 3);
  const int k = 15;
  Eigen::MatrixXd d(50, k - 1);
  for (int64_t i = 0; i < d.size(); ++i) d.data()[i] = u(rng);
  for (int i = 0; i < d.rows(); ++i) {
    Eigen::VectorXd r = d.row(i);
    std::sort(r.data(), r.data() + r.size());
    d.row(i) = r;
  }
  const SmoothKnn s = SmoothKnnDistances(d, k);
  for (int i = 0; i < d.rows(); ++i) {
    EXPECT_DOUBLE_EQ(s.rho(i), d(i, 0));
    double sum = 0;
    for (int j = 0; j < k - 1; ++j) sum += std::exp(-std::max(0.0, d(i, j) - s.rho(i)) / s.sigma(i));
    EXPECT_NEAR(sum, std::log2(k), 1e-4) << "row " << i;
  }
}

// Points of a 2-D square embedded isometrically in 6-D by a random rotation.
Eigen::MatrixXd PlaneIn6d(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> g;
  Eigen::MatrixXd q = Eigen::MatrixXd::NullaryExpr(6, 6, [&] { return g(rng); });
  q = Eigen::HouseholderQR<Eigen::MatrixXd>(q).householderQ();
  Eigen::MatrixXd x(n, 6);
  for (int i = 0; i < n; ++i) {
    Eigen::VectorXd p = Eigen::VectorXd::Zero(6);
    p(0) = u(rng);
    p(1) = u(rng);
    x.row(i) = (q * p).transpose();
  }
  return x;
}

TEST(UmapTest, KeepsTheNeighbourhoodsOfAPlane) {
  const Eigen::MatrixXd x = PlaneIn6d(400, 1);
  UmapOptions o;
  o.n_epochs = 200;
  ISOAE_ASSERT_OK_AND_ASSIGN(UmapResult r, Umap(x, o));
  ASSERT_EQ(r.embedding.rows(), 400);
  ASSERT_EQ(r.embedding.cols(), 2);
  EXPECT_TRUE(r.embedding.allFinite());
  EXPECT_TRUE(r.spectral_init);
  ISOAE_ASSERT_OK_AND_ASSIGN(NeighborhoodScores s, NeighborhoodPreservation(x, r.embedding, 10));
  // A random layout scores ~0.5 trustworthiness and ~0.03 recall.
  EXPECT_GT(s.trustworthiness, 0.95);
  EXPECT_GT(s.continuity, 0.95);
  EXPECT_GT(s.knn_recall, 0.4);
}

TEST(UmapTest, SpectralLayoutOfARingIsACircle) {
  // The graph Laplacian of a ring has cos and sin of the angle as its first
  // non-trivial eigenvectors. With n_epochs = 1 Umap returns its initial
  // layout (epoch 0 samples no edge).
  const int n = 200;
  Eigen::MatrixXd x(n, 3);
  for (int i = 0; i < n; ++i) {
    const double t = 2 * M_PI * i / n;
    x.row(i) << std::cos(t), std::sin(t), 0.1 * std::cos(3 * t);
  }
  UmapOptions o;
  o.n_epochs = 1;
  ISOAE_ASSERT_OK_AND_ASSIGN(UmapResult r, Umap(x, o));
  ASSERT_TRUE(r.spectral_init);
  const Eigen::MatrixXd& z = r.embedding;
  const Eigen::RowVectorXd centre = z.colwise().mean();
  Eigen::VectorXd radius(n);
  for (int i = 0; i < n; ++i) radius(i) = (z.row(i) - centre).norm();
  const double mean_r = radius.mean();
  const double sd_r = std::sqrt((radius.array() - mean_r).square().mean());
  EXPECT_LT(sd_r / mean_r, 0.1);
  // Neighbours on the ring stay neighbours: a step along it is short.
  double longest = 0;
  for (int i = 0; i < n; ++i) longest = std::max(longest, (z.row(i) - z.row((i + 1) % n)).norm());
  EXPECT_LT(longest, 0.2 * mean_r);
}

TEST(UmapTest, SeparatesClustersAndIsDeterministicForASeed) {
  std::mt19937_64 rng(2);
  std::normal_distribution<double> g;
  Eigen::MatrixXd x(180, 10);
  for (int i = 0; i < 180; ++i) {
    for (int c = 0; c < 10; ++c) x(i, c) = g(rng) + (c == i / 60 ? 20.0 : 0.0);
  }
  UmapOptions o;
  o.n_epochs = 200;
  ISOAE_ASSERT_OK_AND_ASSIGN(UmapResult r, Umap(x, o));
  // Disconnected kNN graph (three far clusters): random initial layout.
  EXPECT_FALSE(r.spectral_init);
  // Every point's nearest embedded neighbour is in its own cluster, and the
  // clusters are further apart than they are wide.
  const Eigen::MatrixXd& z = r.embedding;
  Eigen::MatrixXd centre = Eigen::MatrixXd::Zero(3, 2);
  for (int i = 0; i < 180; ++i) centre.row(i / 60) += z.row(i) / 60;
  double widest = 0;
  for (int i = 0; i < 180; ++i) {
    widest = std::max(widest, (z.row(i) - centre.row(i / 60)).norm());
    int best = -1;
    double best_d = std::numeric_limits<double>::infinity();
    for (int j = 0; j < 180; ++j) {
      const double d = (z.row(i) - z.row(j)).norm();
      if (j != i && d < best_d) {
        best_d = d;
        best = j;
      }
    }
    EXPECT_EQ(best / 60, i / 60) << "point " << i;
  }
  for (int a = 0; a < 3; ++a) {
    for (int b = a + 1; b < 3; ++b) EXPECT_GT((centre.row(a) - centre.row(b)).norm(), widest);
  }
  ISOAE_ASSERT_OK_AND_ASSIGN(UmapResult again, Umap(x, o));
  EXPECT_TRUE(again.embedding == r.embedding);
  o.seed = 7;
  ISOAE_ASSERT_OK_AND_ASSIGN(UmapResult other, Umap(x, o));
  EXPECT_FALSE(other.embedding == r.embedding);
}

TEST(UmapTest, BadInputIsRejectedByName) {
  const Eigen::MatrixXd x = PlaneIn6d(40, 3);
  UmapOptions o;
  o.n_neighbors = 1;
  EXPECT_THAT(Umap(x, o).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("n_neighbors")));
  o = UmapOptions{};
  o.n_neighbors = 30;  // 29 others of 40 points
  EXPECT_THAT(Umap(x, o).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("n_neighbors")));
  o = UmapOptions{};
  o.dims = 39;
  EXPECT_THAT(Umap(x, o).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("dims")));
  o = UmapOptions{};
  o.min_dist = 2;
  EXPECT_THAT(Umap(x, o).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("min_dist")));
  o = UmapOptions{};
  o.learning_rate = 0;
  EXPECT_THAT(Umap(x, o).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("learning_rate")));
  Eigen::MatrixXd bad = x;
  bad(3, 2) = std::nan("");
  EXPECT_THAT(Umap(bad).status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NaN")));
}

}  // namespace
}  // namespace isoae
