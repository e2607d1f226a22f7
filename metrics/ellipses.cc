#include "metrics/ellipses.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace isoae {
namespace {

absl::Status CheckPlanar(const MetricField& metrics) {
  const absl::Status s = CheckMetricField(metrics);
  if (!s.ok()) return s;
  if (metrics[0].rows() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "equidistance ellipses need 2x2 metrics, got ", metrics[0].rows(), "x",
        metrics[0].cols()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<double> ChooseEllipseScale(const MetricField& metrics,
                                          double radius) {
  if (!(radius > 0) || !std::isfinite(radius)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ellipse radius must be positive, got ", radius));
  }
  const absl::Status s = CheckPlanar(metrics);
  if (!s.ok()) return s;
  std::vector<double> unit;  // mean radius at k = 1
  unit.reserve(metrics.size());
  for (const auto& g : metrics) {
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> es(g, Eigen::EigenvaluesOnly);
    unit.push_back(0.5 * (1 / std::sqrt(es.eigenvalues()(0)) +
                          1 / std::sqrt(es.eigenvalues()(1))));
  }
  std::nth_element(unit.begin(), unit.begin() + unit.size() / 2, unit.end());
  const double median = unit[unit.size() / 2];
  return (radius / median) * (radius / median);
}

absl::StatusOr<std::vector<Ellipse>> EquidistanceEllipses(
    const Eigen::MatrixXd& centers, const MetricField& metrics, double k) {
  if (!(k > 0) || !std::isfinite(k)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ellipse level k must be positive, got ", k));
  }
  if (centers.cols() != 2 ||
      centers.rows() != static_cast<Eigen::Index>(metrics.size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "centres are ", centers.rows(), "x", centers.cols(), ", expected ",
        metrics.size(), "x2 (one per metric)"));
  }
  if (!centers.allFinite()) {
    return absl::InvalidArgumentError("centres have NaN/Inf entries");
  }
  const absl::Status s = CheckPlanar(metrics);
  if (!s.ok()) return s;
  std::vector<Ellipse> out;
  out.reserve(metrics.size());
  for (size_t i = 0; i < metrics.size(); ++i) {
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> es(metrics[i]);
    const Eigen::Vector2d l = es.eigenvalues();  // ascending
    Ellipse e;
    e.center = centers.row(i).transpose();
    e.major = std::sqrt(k / l(0)) * es.eigenvectors().col(0);
    e.minor = std::sqrt(k / l(1)) * es.eigenvectors().col(1);
    e.condition = l(1) / l(0);
    out.push_back(e);
  }
  return out;
}

absl::StatusOr<Eigen::MatrixXd> EllipsePolygon(const Ellipse& e, int segments) {
  if (segments < 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("ellipse polygon needs >= 3 segments, got ", segments));
  }
  Eigen::MatrixXd p(segments, 2);
  for (int s = 0; s < segments; ++s) {
    const double t = 2 * M_PI * s / segments;
    p.row(s) = (e.center + std::cos(t) * e.major + std::sin(t) * e.minor).transpose();
  }
  return p;
}

}  // namespace isoae
