// Synthetic 2-D surfaces in R^3 with known charts, for the I-AE paper's
// section 4.1 / Table 2 experiment (3D -> 2D embeddings).
//
// Every surface is sampled uniformly with respect to area (not parameter):
//   S-shape      (sin t, y, sign(t)(cos t - 1)), t in [-3pi/2, 3pi/2],
//                y in [0, height]. The curve has unit speed, so t is arc
//                length: uniform t is uniform area and (t, y) is an
//                isometric chart.
//   Swiss roll   scale * (t cos t, t sin t) in the x-z plane, y in [0,
//                height], t in [1.5pi, 4.5pi]. Arc length
//                s(t) = scale/2 (t sqrt(1+t^2) + asinh t); s is drawn
//                uniformly and inverted by Newton's method, and (s, y) is an
//                isometric chart.
//   Open sphere  unit sphere without the polar cap of angular radius
//                cap_angle around the north pole; cos(theta) uniform in
//                [-1, cos(cap_angle)] and phi uniform is uniform area. No
//                isometric chart exists; the chart given is the azimuthal
//                equidistant one about the south pole, (r cos phi, r sin phi)
//                with r = pi - theta (geodesic distance), isometric radially.
// Optional isotropic Gaussian noise of standard deviation `noise` is added to
// the points (not the charts).
//
// Shapes: points [n, 3], chart [n, 2] (Eigen, row per sample). Errors:
// kInvalidArgument for n <= 0, non-positive sizes, noise < 0, an unknown
// surface name, or a train fraction outside (0, 1].
#ifndef ISOAE_DATASETS_SURFACES_H_
#define ISOAE_DATASETS_SURFACES_H_

#include <Eigen/Dense>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace isoae {

enum class Surface { kSShape, kSwissRoll, kOpenSphere };

// "s_shape", "swiss_roll", "open_sphere".
absl::StatusOr<Surface> ParseSurface(const std::string& name);
std::string SurfaceName(Surface s);
std::vector<Surface> AllSurfaces();

struct SurfaceConfig {
  int64_t num_points = 1000;
  double noise = 0.0;
  uint64_t seed = 0;
  double s_shape_height = 2.0;
  double swiss_roll_height = 3.0;
  double swiss_roll_scale = 0.1;
  double open_sphere_cap_angle = 0.35 * 3.14159265358979323846;  // ~63 degrees
};

struct SurfaceSample {
  Eigen::MatrixXd points;  // [n, 3]
  Eigen::MatrixXd chart;   // [n, 2], see above
};

absl::StatusOr<SurfaceSample> SampleSurface(Surface surface,
                                            const SurfaceConfig& config);

// The surface point of each chart coordinate (the inverse chart), rows of
// `chart` [n, 2] -> [n, 3]; for checking metrics against ground truth.
absl::StatusOr<Eigen::MatrixXd> ChartToSurface(Surface surface,
                                               const SurfaceConfig& config,
                                               const Eigen::MatrixXd& chart);

// Deterministic split: the first round(fraction * n) rows of a seeded
// permutation go to train, the rest to test.
struct SurfaceSplit {
  SurfaceSample train;
  SurfaceSample test;
};
absl::StatusOr<SurfaceSplit> SplitSurface(const SurfaceSample& sample,
                                          double train_fraction, uint64_t seed);

}  // namespace isoae

#endif  // ISOAE_DATASETS_SURFACES_H_
