#include "baselines/classic_embeddings.h"

#include <cmath>
#include <random>
#include <vector>

#include "core/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "metrics/neighborhood.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

Eigen::MatrixXd Distances(const Eigen::MatrixXd& y) {
  Eigen::MatrixXd d(y.rows(), y.rows());
  for (int64_t i = 0; i < y.rows(); ++i)
    for (int64_t j = 0; j < y.rows(); ++j) d(i, j) = (y.row(i) - y.row(j)).norm();
  return d;
}

// A random rotation of R^3 (QR of a Gaussian matrix).
Eigen::Matrix3d Rotation(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n;
  Eigen::Matrix3d a;
  for (int i = 0; i < 9; ++i) a(i / 3, i % 3) = n(rng);
  return Eigen::HouseholderQR<Eigen::Matrix3d>(a).householderQ();
}

// A Swiss roll: chart (t along the spiral's arc, h) and its points in 3-D.
void SwissRoll(int n, Eigen::MatrixXd* chart, Eigen::MatrixXd* points) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  chart->resize(n, 2);
  points->resize(n, 3);
  for (int i = 0; i < n; ++i) {
    const double t = 1.5 * M_PI * (1 + 2 * u(rng)), h = 21 * u(rng);
    (*chart)(i, 0) = 0.5 * (t * std::sqrt(1 + t * t) + std::asinh(t));  // arc length
    (*chart)(i, 1) = h;
    (*points)(i, 0) = t * std::cos(t);
    (*points)(i, 1) = h;
    (*points)(i, 2) = t * std::sin(t);
  }
}

TEST(ClassicEmbeddingsTest, PcaOfARotatedPlaneKeepsEveryDistance) {
  Eigen::MatrixXd plane = Eigen::MatrixXd::Random(50, 3);
  plane.col(2).setZero();
  const Eigen::MatrixXd x = plane * Rotation(1).transpose();
  ISOAE_ASSERT_OK_AND_ASSIGN(Eigen::MatrixXd y, Pca(x, 2));
  EXPECT_LT((Distances(y) - Distances(x)).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(ClassicEmbeddingsTest, IsomapOfACurveRecoversArcLength) {
  // Points along a helix with growing spacing, k = 1: each point's nearest
  // neighbour is its predecessor, so the graph is the chain, geodesics are sums
  // of chords, and a path metric on a line is Euclidean in one dimension, so
  // classical MDS returns the cumulative chord length (up to sign, shift).
  const int n = 40;
  Eigen::MatrixXd x(n, 3);
  for (int i = 0; i < n; ++i) {
    const double s = 0.1 * i + 0.01 * i * i;
    x.row(i) << std::cos(s), std::sin(s), 0.3 * s;
  }
  ISOAE_ASSERT_OK_AND_ASSIGN(Eigen::MatrixXd y, Isomap(x, 1, 1));
  Eigen::VectorXd arc(n);
  arc(0) = 0;
  for (int i = 1; i < n; ++i) arc(i) = arc(i - 1) + (x.row(i) - x.row(i - 1)).norm();
  arc.array() -= arc.mean();
  const double sign = y(n - 1, 0) > y(0, 0) ? 1.0 : -1.0;
  EXPECT_LT((sign * y.col(0) - arc).cwiseAbs().maxCoeff(), 1e-8);
}

TEST(ClassicEmbeddingsTest, IsomapUnrollsASwissRollThatPcaCannot) {
  Eigen::MatrixXd chart, x;
  SwissRoll(800, &chart, &x);
  ISOAE_ASSERT_OK_AND_ASSIGN(Eigen::MatrixXd iso, Isomap(x, 10));
  ISOAE_ASSERT_OK_AND_ASSIGN(Eigen::MatrixXd pca, Pca(x));
  ISOAE_ASSERT_OK_AND_ASSIGN(NeighborhoodScores iso_s, NeighborhoodPreservation(chart, iso, 10));
  ISOAE_ASSERT_OK_AND_ASSIGN(NeighborhoodScores pca_s, NeighborhoodPreservation(chart, pca, 10));
  // Scored against the true chart: Isomap keeps neighbourhoods, PCA's
  // projection puts the roll's layers on top of each other.
  EXPECT_GT(iso_s.trustworthiness, 0.97);
  EXPECT_LT(pca_s.trustworthiness, iso_s.trustworthiness - 0.05);
}

TEST(ClassicEmbeddingsTest, IsomapRefusesADisconnectedGraph) {
  Eigen::MatrixXd x = Eigen::MatrixXd::Random(20, 3);
  x.bottomRows(10).array() += 100;
  EXPECT_THAT(Isomap(x, 3), StatusIs(absl::StatusCode::kFailedPrecondition,
                                     HasSubstr("disconnected")));
}

TEST(ClassicEmbeddingsTest, LleOfAPlaneIsAnAffineImageOfItsCoordinates) {
  // LLE weights reproduce linear functions, so on a plane the bottom
  // eigenvectors span the plane's coordinates: a linear fit from the true
  // coordinates explains the embedding.
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-1, 1);
  const int n = 300;
  Eigen::MatrixXd uv(n, 2), x(n, 3);
  for (int i = 0; i < n; ++i) {
    uv.row(i) << u(rng), u(rng);
    x.row(i) << uv(i, 0), uv(i, 1), 0.0;
  }
  x = x * Rotation(2).transpose();
  ISOAE_ASSERT_OK_AND_ASSIGN(Eigen::MatrixXd y, Lle(x, 10, 2, 1e-6));
  Eigen::MatrixXd design(n, 3);
  design << uv, Eigen::VectorXd::Ones(n);
  const Eigen::MatrixXd fit = design * design.colPivHouseholderQr().solve(y);
  for (int c = 0; c < 2; ++c) {
    SCOPED_TRACE(c);
    // Not the constant eigenvector (which a linear fit would also explain).
    EXPECT_NEAR(y.col(c).mean(), 0.0, 1e-6);
    EXPECT_GT(y.col(c).norm(), 1.0);
    const double r2 = 1 - (y.col(c) - fit.col(c)).squaredNorm() /
                              (y.col(c).array() - y.col(c).mean()).matrix().squaredNorm();
    EXPECT_GT(r2, 0.99);
  }
}

Eigen::MatrixXd Blobs(int blobs, int per, int dim, double gap, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g;
  Eigen::MatrixXd x(blobs * per, dim);
  for (int c = 0; c < blobs; ++c)
    for (int i = 0; i < per; ++i)
      for (int d = 0; d < dim; ++d) x(c * per + i, d) = g(rng) + (d == c ? gap : 0.0);
  return x;
}

// Every point's k nearest embedded neighbours from its own blob (of `per`).
int SameBlobNeighbours(const Eigen::MatrixXd& y, int per, int k) {
  const IndexMatrix nn = ExactKnn(y, k).value();
  int same = 0;
  for (int64_t i = 0; i < y.rows(); ++i)
    for (int j = 0; j < k; ++j) same += (nn(i, j) / per) == (i / per);
  return same;
}

TEST(ClassicEmbeddingsTest, TsneSeparatesBlobsAndLowersItsObjective) {
  const int per = 60;
  const Eigen::MatrixXd x = Blobs(3, per, 10, 20.0, 5);
  std::vector<double> kl;
  for (double theta : {0.0, 0.5}) {  // exact, Barnes-Hut
    SCOPED_TRACE(theta);
    TsneOptions o;
    o.perplexity = 20;
    o.theta = theta;
    ISOAE_ASSERT_OK_AND_ASSIGN(TsneResult r, Tsne(x, o));
    ASSERT_EQ(r.embedding.rows(), 3 * per);
    EXPECT_LT(r.kl, r.kl_after_exaggeration);
    EXPECT_GT(r.kl, 0.0);
    EXPECT_EQ(SameBlobNeighbours(r.embedding, per, 10), 3 * per * 10);
    ISOAE_ASSERT_OK_AND_ASSIGN(NeighborhoodScores s,
                               NeighborhoodPreservation(x, r.embedding, 10));
    EXPECT_GT(s.trustworthiness, 0.9);
    kl.push_back(r.kl);
  }
  // Barnes-Hut (sparse P over 60 neighbours, theta 0.5) reaches the exact
  // method's objective to within 10 %.
  EXPECT_NEAR(kl[1], kl[0], 0.1 * kl[0]);
}

TEST(ClassicEmbeddingsTest, BarnesHutTsneEmbedsMoreThanExactAllows) {
  // 6,000 points (exact t-SNE refuses above 5,000), coincident points
  // included: the quadtree must not split them forever.
  const int per = 2000;
  Eigen::MatrixXd x = Blobs(3, per, 3, 15.0, 9);
  x.row(1) = x.row(0);
  x.row(2) = x.row(0);
  TsneOptions o;
  o.perplexity = 10;
  o.iterations = 400;
  ISOAE_ASSERT_OK_AND_ASSIGN(TsneResult r, Tsne(x, o));
  EXPECT_TRUE(r.embedding.allFinite());
  EXPECT_LT(r.kl, r.kl_after_exaggeration);
  EXPECT_GT(SameBlobNeighbours(r.embedding, per, 5), 0.99 * 3 * per * 5);
  o.theta = 0;
  EXPECT_THAT(Tsne(x, o), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Barnes-Hut")));
}

TEST(ClassicEmbeddingsTest, BadInputsAreRefusedByName) {
  Eigen::MatrixXd x = Eigen::MatrixXd::Random(30, 3);
  EXPECT_THAT(Isomap(x, 0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("k must")));
  EXPECT_THAT(Lle(x, 30), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("k must")));
  EXPECT_THAT(Lle(x, 5, 2, 0.0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reg")));
  EXPECT_THAT(Pca(x, 4), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("dims 4")));
  TsneOptions o;
  EXPECT_THAT(Tsne(x, o), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("perplexity")));
  o.perplexity = 5;
  o.theta = 0;
  o.max_points = 20;
  EXPECT_THAT(Tsne(x, o), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Barnes-Hut")));
  o.theta = 1.5;
  EXPECT_THAT(Tsne(x, o), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("theta")));
  x(3, 1) = NAN;
  EXPECT_THAT(Pca(x), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NaN")));
  EXPECT_THAT(Isomap(Eigen::MatrixXd::Random(3, 3)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at least 4")));
}

}  // namespace
}  // namespace isoae
