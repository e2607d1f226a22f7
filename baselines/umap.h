// UMAP (McInnes, Healy & Melville 2018), the I-AE issue's optional classic
// comparison next to t-SNE, with umap-learn's defaults and conventions:
//
//   1. Fuzzy simplicial set: the k nearest neighbours of each point (k =
//      n_neighbors counting the point itself, as umap-learn), rho_i = the
//      distance to the nearest other point, sigma_i by bisection so that
//      sum_j exp(-max(0, d_ij - rho_i) / sigma_i) = log2(k) over the k - 1
//      others (floored at 1e-3 of the mean neighbour distance), memberships
//      w_ij = exp(-(d_ij - rho_i) / sigma_i), symmetrised by the fuzzy union
//      P = W + W^T - W o W^T.
//   2. Curve 1 / (1 + a d^2b) fitted by least squares to the target
//      membership in the plane (1 below min_dist, exp(-(d - min_dist) /
//      spread) above) on 300 points of [0, 3 spread]: a = 1.577, b = 0.895
//      for the defaults.
//   3. Spectral initialisation: the eigenvectors of the normalised graph
//      Laplacian I - D^-1/2 P D^-1/2 for its 2nd..(dims+1)th smallest
//      eigenvalues (300 steps of block power iteration on the sparse matrix
//      and a Rayleigh-Ritz step: an approximation where the spectral gap is
//      small, enough for a starting layout), expanded to max |y| = 10 with a
//      1e-4 jitter and scaled to [0, 10] per coordinate; random in
//      [-10, 10] when the graph is disconnected (umap-learn lays the
//      components out apart; we do not).
//   4. Stochastic gradient descent over the edges: edge e is sampled every
//      n_epochs * max(w) / (n_epochs * w_e) epochs, pulls its ends together
//      with -2ab d^2(b-1) / (1 + a d^2b), and each sample pushes the head
//      away from negative_sample_rate random points with 2b / ((0.001 + d^2)
//      (1 + a d^2b)); every step clipped to [-4, 4], the rate decays
//      linearly from learning_rate to 0 (updated after each epoch). Edges
//      below max(w) / n_epochs are dropped (by the default epoch count when
//      n_epochs <= 10). n_epochs = 0: 500 up to 10,000 points, else 200.
//
// Single-threaded and deterministic for a seed. Errors (kInvalidArgument):
// NaN/Inf input, fewer than 4 points, n_neighbors outside [2, n / 2],
// min_dist < 0 or > spread, spread <= 0, dims outside [1, n - 2], negative
// epochs or rates. With n_epochs = 1 the result is the initial layout (epoch
// 0 samples no edge), which is how the tests look at it.
#ifndef ISOAE_BASELINES_UMAP_H_
#define ISOAE_BASELINES_UMAP_H_

#include <Eigen/Dense>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace isoae {

struct UmapOptions {
  int n_neighbors = 15;
  int dims = 2;
  double min_dist = 0.1;
  double spread = 1.0;
  int n_epochs = 0;  // 0: 500 up to 10,000 points, else 200 (umap-learn)
  double learning_rate = 1.0;
  int negative_sample_rate = 5;
  uint64_t seed = 42;
};

// The fitted a, b of 1 / (1 + a d^2b) (step 2).
struct UmapCurve {
  double a = 0, b = 0;
};
absl::StatusOr<UmapCurve> FitUmapCurve(double min_dist, double spread);

// Step 1's per-point bandwidths for the distances to the k - 1 nearest
// other points (rows, ascending): rho_i and sigma_i.
struct SmoothKnn {
  Eigen::VectorXd rho, sigma;
};
SmoothKnn SmoothKnnDistances(const Eigen::MatrixXd& knn_distances, int k);

struct UmapResult {
  Eigen::MatrixXd embedding;  // [n, dims]
  UmapCurve curve;
  int64_t edges = 0;          // of the symmetrised graph, after pruning
  bool spectral_init = false;  // false: the graph was disconnected
};

absl::StatusOr<UmapResult> Umap(const Eigen::MatrixXd& x, const UmapOptions& options = {});

}  // namespace isoae

#endif  // ISOAE_BASELINES_UMAP_H_
