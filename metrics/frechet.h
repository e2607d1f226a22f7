// Frechet distance between Gaussians fitted to two feature sets (the formula
// behind FID, Heusel et al. 2017):
//   FD^2 = |mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^{1/2}),
// with Tr (S_a S_b)^{1/2} = sum_i sqrt(lambda_i(S_a^{1/2} S_b S_a^{1/2}))
// (a symmetric PSD eigenproblem; tiny negative eigenvalues from rounding are
// clamped to 0). Covariances use 1 / (n - 1).
//
// The features are pluggable (FeatureExtractor): raw pixels, latent codes, or
// any network the caller runs. Only with Inception-v3 pool features is this
// "FID"; those weights cannot be fetched here, so nothing in isoae calls its
// numbers FID (see docs/metrics.md).
//
// Errors (kInvalidArgument): fewer than 2 rows, different widths, NaN/Inf.
#ifndef ISOAE_METRICS_FRECHET_H_
#define ISOAE_METRICS_FRECHET_H_

#include <Eigen/Dense>

#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"

namespace isoae {

// Maps items (one per row) to features (one per row).
using FeatureExtractor =
    std::function<absl::StatusOr<Eigen::MatrixXd>(const Eigen::MatrixXd& items)>;

struct GaussianFit {
  Eigen::VectorXd mean;
  Eigen::MatrixXd covariance;
  int64_t count = 0;
};

absl::StatusOr<GaussianFit> FitGaussian(const Eigen::MatrixXd& features);

absl::StatusOr<double> FrechetDistance(const GaussianFit& a, const GaussianFit& b);

// FitGaussian on both, then the distance (squared, as FID reports it).
absl::StatusOr<double> FrechetDistance(const Eigen::MatrixXd& a,
                                       const Eigen::MatrixXd& b);

}  // namespace isoae

#endif  // ISOAE_METRICS_FRECHET_H_
