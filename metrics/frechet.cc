#include "metrics/frechet.h"

#include <Eigen/Eigenvalues>

#include <cmath>

#include "absl/strings/str_cat.h"

namespace isoae {

absl::StatusOr<GaussianFit> FitGaussian(const Eigen::MatrixXd& features) {
  if (features.rows() < 2 || features.cols() < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Gaussian fit needs at least 2 feature rows, got ", features.rows(), "x",
        features.cols()));
  }
  if (!features.allFinite()) {
    return absl::InvalidArgumentError("features have NaN/Inf entries");
  }
  GaussianFit g;
  g.count = features.rows();
  g.mean = features.colwise().mean().transpose();
  const Eigen::MatrixXd centred = features.rowwise() - g.mean.transpose();
  g.covariance = centred.transpose() * centred / static_cast<double>(g.count - 1);
  return g;
}

absl::StatusOr<double> FrechetDistance(const GaussianFit& a, const GaussianFit& b) {
  if (a.mean.size() != b.mean.size() || a.covariance.rows() != a.mean.size() ||
      b.covariance.rows() != b.mean.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "feature widths differ: ", a.mean.size(), " vs ", b.mean.size()));
  }
  if (!a.mean.allFinite() || !b.mean.allFinite() || !a.covariance.allFinite() ||
      !b.covariance.allFinite()) {
    return absl::InvalidArgumentError("Gaussian fit has NaN/Inf entries");
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> ea(a.covariance);
  Eigen::VectorXd root = ea.eigenvalues().cwiseMax(0.0).cwiseSqrt();
  const Eigen::MatrixXd sa =
      ea.eigenvectors() * root.asDiagonal() * ea.eigenvectors().transpose();
  Eigen::MatrixXd m = sa * b.covariance * sa;
  m = 0.5 * (m + m.transpose());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> em(m, Eigen::EigenvaluesOnly);
  const double tr_sqrt = em.eigenvalues().cwiseMax(0.0).cwiseSqrt().sum();
  const double d = (a.mean - b.mean).squaredNorm() + a.covariance.trace() +
                   b.covariance.trace() - 2.0 * tr_sqrt;
  return std::max(0.0, d);
}

absl::StatusOr<double> FrechetDistance(const Eigen::MatrixXd& a,
                                       const Eigen::MatrixXd& b) {
  if (a.cols() != b.cols()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "feature widths differ: ", a.cols(), " vs ", b.cols()));
  }
  absl::StatusOr<GaussianFit> fa = FitGaussian(a);
  if (!fa.ok()) return fa.status();
  absl::StatusOr<GaussianFit> fb = FitGaussian(b);
  if (!fb.ok()) return fb.status();
  return FrechetDistance(*fa, *fb);
}

}  // namespace isoae
