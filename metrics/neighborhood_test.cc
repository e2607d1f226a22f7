#include "metrics/neighborhood.h"

#include <algorithm>
#include <random>

#include "core/status_matchers.h"
#include "metrics/testing/random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Eigen::MatrixXd Gaussian(int n, int d, unsigned seed) {
  return testing::GaussianMatrix(n, d, seed);
}

// Brute-force trustworthiness straight from the definition.
double BruteTrust(const Eigen::MatrixXd& x, const Eigen::MatrixXd& z, int k) {
  const int n = x.rows();
  const auto order = [&](const Eigen::MatrixXd& m, int i) {
    std::vector<int> idx;
    for (int j = 0; j < n; ++j)
      if (j != i) idx.push_back(j);
    std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) {
      return (m.row(a) - m.row(i)).squaredNorm() < (m.row(b) - m.row(i)).squaredNorm();
    });
    return idx;
  };
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    const std::vector<int> ox = order(x, i), oz = order(z, i);
    for (int t = 0; t < k; ++t) {
      const int j = oz[t];
      const int rank = std::find(ox.begin(), ox.end(), j) - ox.begin() + 1;
      if (rank > k) sum += rank - k;
    }
  }
  return 1 - 2.0 / (n * k * (2.0 * n - 3 * k - 1)) * sum;
}

TEST(NeighborhoodTest, ExactKnnOnALine) {
  Eigen::MatrixXd x(7, 1);
  x << 0, 1, 3, 6, 10, 15, 21;
  ISOAE_ASSERT_OK_AND_ASSIGN(IndexMatrix nn, ExactKnn(x, 2));
  EXPECT_THAT(std::vector<int64_t>(nn.row(0).data(), nn.row(0).data() + 2), ElementsAre(1, 2));
  EXPECT_THAT(std::vector<int64_t>(nn.row(3).data(), nn.row(3).data() + 2), ElementsAre(2, 4));
  EXPECT_THAT(std::vector<int64_t>(nn.row(6).data(), nn.row(6).data() + 2), ElementsAre(5, 4));
}

TEST(NeighborhoodTest, IsometricEmbeddingScoresOne) {
  const Eigen::MatrixXd z = Gaussian(300, 2, 1);
  // Embed isometrically into R^10: rotate [z, 0].
  Eigen::MatrixXd pad = Eigen::MatrixXd::Zero(300, 10);
  pad.leftCols(2) = z;
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(Gaussian(10, 10, 2));
  const Eigen::MatrixXd q = qr.householderQ();
  const Eigen::MatrixXd x = 3.0 * pad * q;  // a similarity keeps ranks too
  ISOAE_ASSERT_OK_AND_ASSIGN(NeighborhoodScores s, NeighborhoodPreservation(x, z, 10));
  EXPECT_NEAR(s.trustworthiness, 1.0, 1e-12);
  EXPECT_NEAR(s.continuity, 1.0, 1e-12);
  EXPECT_NEAR(s.knn_recall, 1.0, 1e-12);
}

TEST(NeighborhoodTest, ScrambledEmbeddingScoresLowerAndMatchesBruteForce) {
  const Eigen::MatrixXd x = Gaussian(120, 5, 3);
  Eigen::MatrixXd z = x.leftCols(2);  // a projection: neither 1 nor random
  ISOAE_ASSERT_OK_AND_ASSIGN(NeighborhoodScores proj, NeighborhoodPreservation(x, z, 7));
  EXPECT_NEAR(proj.trustworthiness, BruteTrust(x, z, 7), 1e-12);
  EXPECT_NEAR(proj.continuity, BruteTrust(z, x, 7), 1e-12);
  EXPECT_LT(proj.trustworthiness, 1.0);
  Eigen::MatrixXd scrambled = z;
  for (int i = 0; i < 120; ++i) scrambled.row(i) = z.row((i * 37 + 5) % 120);
  ISOAE_ASSERT_OK_AND_ASSIGN(NeighborhoodScores bad,
                             NeighborhoodPreservation(x, scrambled, 7));
  EXPECT_LT(bad.trustworthiness, proj.trustworthiness);
  EXPECT_LT(bad.continuity, proj.continuity);
  EXPECT_LT(bad.knn_recall, 0.2);
  EXPECT_NEAR(bad.trustworthiness, BruteTrust(x, scrambled, 7), 1e-12);
  // Random codes sit near 0.5 for T and C.
  EXPECT_NEAR(bad.trustworthiness, 0.5, 0.1);
}

TEST(NeighborhoodTest, Errors) {
  const Eigen::MatrixXd x = Gaussian(10, 2, 4);
  EXPECT_THAT(NeighborhoodPreservation(x, Gaussian(9, 2, 5), 2),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("10 rows, codes 9")));
  EXPECT_THAT(NeighborhoodPreservation(x, x, 5),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("k = 5 for 10 points")));
  Eigen::MatrixXd nan = x;
  nan(3, 1) = std::nan("");
  EXPECT_THAT(NeighborhoodPreservation(x, nan, 2),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("codes has NaN")));
  EXPECT_THAT(ExactKnn(x, 0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("k = 0")));
}

}  // namespace
}  // namespace isoae
