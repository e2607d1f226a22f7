// Neighbourhood preservation between data X (n x D) and codes Z (n x d):
// trustworthiness and continuity (Venna & Kaski 2001/2006) and kNN recall,
// with exact k-nearest neighbours (Euclidean; ties broken by lower index).
//
//   T(k) = 1 - 2 / (n k (2n - 3k - 1)) sum_i sum_{j in U_k(i)} (r_X(i, j) - k)
//   C(k) = 1 - 2 / (n k (2n - 3k - 1)) sum_i sum_{j in V_k(i)} (r_Z(i, j) - k)
// U_k(i): neighbours of i in Z that are not neighbours in X; r_X(i, j): rank
// of j among i's neighbours in X (1 = nearest). V_k, r_Z swap the roles.
// kNN recall = mean_i |N_X(i) ∩ N_Z(i)| / k. All three are 1 for an
// embedding that preserves neighbour order (an isometry, a similarity).
//
// Distances come from blocked GEMMs (|x|^2 + |y|^2 - 2 x.y through the
// system BLAS, OpenBLAS here), one block of rows at a time, so memory stays
// O(block * n); exact for up to ~20,000 points in seconds.
//
// Errors (kInvalidArgument): row counts that differ, NaN/Inf, k < 1 or
// k >= n / 2 (where the normalisation is defined).
#ifndef ISOAE_METRICS_NEIGHBORHOOD_H_
#define ISOAE_METRICS_NEIGHBORHOOD_H_

#include <Eigen/Dense>

#include <cstdint>

#include "absl/status/statusor.h"

namespace isoae {

using IndexMatrix =
    Eigen::Matrix<int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// [n, k]: row i holds i's k nearest other points, nearest first.
absl::StatusOr<IndexMatrix> ExactKnn(const Eigen::MatrixXd& x, int k);

struct NeighborhoodScores {
  int k = 0;
  double trustworthiness = 0;
  double continuity = 0;
  double knn_recall = 0;
};

absl::StatusOr<NeighborhoodScores> NeighborhoodPreservation(
    const Eigen::MatrixXd& data, const Eigen::MatrixXd& codes, int k);

}  // namespace isoae

#endif  // ISOAE_METRICS_NEIGHBORHOOD_H_
