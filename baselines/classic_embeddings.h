// Classic (non-neural) 2-D embeddings the I-AE paper compares with in its
// visualisation experiments (section 4.2, Fig. 3-4): Isomap (Tenenbaum et
// al. 2000), LLE (Roweis & Saul 2000) and t-SNE (van der Maaten & Hinton
// 2008), with PCA as the linear reference. Eigen only; rows of `x` are items.
//
//   Pca        the top principal components of the centred rows.
//   Isomap     k-nearest-neighbour graph (symmetrised, Euclidean edge
//              lengths), geodesic distances by Dijkstra from every node,
//              classical MDS of the squared geodesics (top eigenvectors of
//              -1/2 J D^2 J scaled by sqrt(eigenvalue)).
//   Lle        reconstruction weights from the k neighbours (local Gram
//              matrix regularised by reg * trace), then the bottom
//              eigenvectors of (I - W)^T (I - W) orthogonal to the constant
//              one (shifted out of the way, not just skipped).
//   Tsne       t-SNE: per-point Gaussian bandwidths found by bisection
//              so that each conditional has the given perplexity, P
//              symmetrised, Student-t affinities in the plane, gradient
//              descent with momentum 0.5 -> 0.8, early exaggeration 12 for the
//              first 250 iterations and per-coordinate gains, as in
//              bhtsne / Multicore-TSNE (the implementation the paper ran;
//              its gradient omits KL's factor 4, so learning_rate 200 means
//              what it means there). theta > 0 (default 0.5, as
//              Multicore-TSNE's angle): Barnes-Hut (van der Maaten 2014), P
//              over the 3 * perplexity nearest neighbours (sparse) and the
//              repulsion from a quadtree, O(n log n) per iteration.
//              theta = 0: exact, every pair, O(n^2) memory and time per
//              iteration, refused above max_points.
//
// Neighbours come from metrics/neighborhood.h (ExactKnn), so k < n / 2.
// Dense eigenproblems are O(n^3): these are meant for the few thousand items
// an experiment scores. Errors (kInvalidArgument unless stated): fewer rows
// than the method needs, NaN/Inf, dims < 1, k out of range, perplexity out
// of range; kFailedPrecondition when the kNN graph is disconnected (Isomap:
// raise k) or duplicates make LLE's local systems singular beyond repair.
#ifndef ISOAE_BASELINES_CLASSIC_EMBEDDINGS_H_
#define ISOAE_BASELINES_CLASSIC_EMBEDDINGS_H_

#include <Eigen/Dense>

#include <cstdint>

#include "absl/status/statusor.h"

namespace isoae {

absl::StatusOr<Eigen::MatrixXd> Pca(const Eigen::MatrixXd& x, int dims = 2);

absl::StatusOr<Eigen::MatrixXd> Isomap(const Eigen::MatrixXd& x, int k = 10, int dims = 2);

absl::StatusOr<Eigen::MatrixXd> Lle(const Eigen::MatrixXd& x, int k = 10, int dims = 2,
                                    double reg = 1e-3);

struct TsneOptions {
  double perplexity = 50;  // the I-AE paper's setting
  int iterations = 1000;
  double learning_rate = 200;
  int exaggeration_iterations = 250;
  double exaggeration = 12;
  uint64_t seed = 42;
  double theta = 0.5;         // Barnes-Hut angle; 0: exact t-SNE
  int64_t max_points = 5000;  // exact t-SNE only
};

struct TsneResult {
  Eigen::MatrixXd embedding;  // [n, 2]
  double kl = 0;              // KL(P || Q) at the end
  double kl_after_exaggeration = 0;
};

absl::StatusOr<TsneResult> Tsne(const Eigen::MatrixXd& x, const TsneOptions& options = {});

}  // namespace isoae

#endif  // ISOAE_BASELINES_CLASSIC_EMBEDDINGS_H_
