// Equidistance ellipses for 2-D latent plots (IRVAE figures 1, 2, 9):
//   E(z_c) = { z : (z - z_c)^T G(z_c) (z - z_c) = k }.
// With G = sum_i lambda_i v_i v_i^T the ellipse has semi-axes sqrt(k /
// lambda_i) along v_i. One scalar k is used per figure, so sizes compare
// across the plot: ChooseEllipseScale picks k so that the median ellipse's
// mean radius sqrt(k) * mean_i lambda_i^{-1/2} equals `radius` (e.g. a few
// percent of the plot's extent). An isometric field draws equal circles; a
// condition number is returned per ellipse for colouring.
//
// Errors (kInvalidArgument): centres not [n, 2], metrics not 2x2 SPD or a
// count different from the centres', NaN, k or radius <= 0, segments < 3.
#ifndef ISOAE_METRICS_ELLIPSES_H_
#define ISOAE_METRICS_ELLIPSES_H_

#include <Eigen/Dense>

#include <vector>

#include "absl/status/statusor.h"
#include "metrics/riemannian.h"

namespace isoae {

struct Ellipse {
  Eigen::Vector2d center;
  Eigen::Vector2d major;  // semi-axis vector (longest)
  Eigen::Vector2d minor;  // semi-axis vector (shortest)
  double condition = 1;   // lambda_max / lambda_min of G(z_c)
};

absl::StatusOr<double> ChooseEllipseScale(const MetricField& metrics,
                                          double radius);

absl::StatusOr<std::vector<Ellipse>> EquidistanceEllipses(
    const Eigen::MatrixXd& centers, const MetricField& metrics, double k);

// `segments` points on the ellipse (closed polygon without the repeat).
absl::StatusOr<Eigen::MatrixXd> EllipsePolygon(const Ellipse& e, int segments);

}  // namespace isoae

#endif  // ISOAE_METRICS_ELLIPSES_H_
