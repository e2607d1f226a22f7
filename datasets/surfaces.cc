#include "datasets/surfaces.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "absl/strings/str_cat.h"

namespace isoae {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Arc length of r(t) = (t cos t, t sin t) from 0: (t sqrt(1+t^2) + asinh t)/2.
double SpiralArc(double t) { return 0.5 * (t * std::sqrt(1 + t * t) + std::asinh(t)); }

double InvertSpiralArc(double s, double t0) {
  double t = t0;
  for (int i = 0; i < 50; ++i) {
    const double step = (SpiralArc(t) - s) / std::sqrt(1 + t * t);
    t -= step;
    if (std::abs(step) < 1e-14 * std::max(1.0, t)) break;
  }
  return t;
}

}  // namespace

absl::StatusOr<Surface> ParseSurface(const std::string& name) {
  if (name == "s_shape") return Surface::kSShape;
  if (name == "swiss_roll") return Surface::kSwissRoll;
  if (name == "open_sphere") return Surface::kOpenSphere;
  return absl::InvalidArgumentError(absl::StrCat(
      "surface \"", name, "\": expected s_shape, swiss_roll or open_sphere"));
}

std::string SurfaceName(Surface s) {
  switch (s) {
    case Surface::kSShape: return "s_shape";
    case Surface::kSwissRoll: return "swiss_roll";
    case Surface::kOpenSphere: return "open_sphere";
  }
  return "?";
}

std::vector<Surface> AllSurfaces() {
  return {Surface::kSShape, Surface::kSwissRoll, Surface::kOpenSphere};
}

absl::StatusOr<SurfaceSample> SampleSurface(Surface surface, const SurfaceConfig& c) {
  if (c.num_points <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("num_points must be positive, got ", c.num_points));
  }
  if (!(c.noise >= 0) || !std::isfinite(c.noise)) {
    return absl::InvalidArgumentError(absl::StrCat("noise must be finite and >= 0, got ", c.noise));
  }
  if (!(c.s_shape_height > 0) || !(c.swiss_roll_height > 0) || !(c.swiss_roll_scale > 0) ||
      !(c.open_sphere_cap_angle > 0 && c.open_sphere_cap_angle < kPi)) {
    return absl::InvalidArgumentError(
        "surface sizes must be positive and the cap angle in (0, pi)");
  }
  std::mt19937_64 rng(c.seed);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  const int64_t n = c.num_points;
  SurfaceSample out;
  out.points.resize(n, 3);
  out.chart.resize(n, 2);
  for (int64_t i = 0; i < n; ++i) {
    switch (surface) {
      case Surface::kSShape: {
        const double t = -1.5 * kPi + 3 * kPi * unif(rng);
        const double y = c.s_shape_height * unif(rng);
        const double sgn = t < 0 ? -1.0 : 1.0;
        out.points.row(i) << std::sin(t), y, sgn * (std::cos(t) - 1);
        out.chart.row(i) << t, y;
        break;
      }
      case Surface::kSwissRoll: {
        const double t_lo = 1.5 * kPi, t_hi = 4.5 * kPi;
        const double a_lo = SpiralArc(t_lo), a_hi = SpiralArc(t_hi);
        const double a = a_lo + (a_hi - a_lo) * unif(rng);
        const double t = InvertSpiralArc(a, 0.5 * (t_lo + t_hi));
        const double y = c.swiss_roll_height * unif(rng);
        out.points.row(i) << c.swiss_roll_scale * t * std::cos(t), y,
            c.swiss_roll_scale * t * std::sin(t);
        out.chart.row(i) << c.swiss_roll_scale * (a - a_lo), y;
        break;
      }
      case Surface::kOpenSphere: {
        const double cmax = std::cos(c.open_sphere_cap_angle);
        const double ct = -1 + (cmax + 1) * unif(rng);
        const double theta = std::acos(ct);
        const double phi = 2 * kPi * unif(rng);
        const double st = std::sin(theta);
        out.points.row(i) << st * std::cos(phi), st * std::sin(phi), ct;
        const double r = kPi - theta;
        out.chart.row(i) << r * std::cos(phi), r * std::sin(phi);
        break;
      }
    }
    if (c.noise > 0) {
      for (int d = 0; d < 3; ++d) out.points(i, d) += c.noise * normal(rng);
    }
  }
  return out;
}

absl::StatusOr<Eigen::MatrixXd> ChartToSurface(Surface surface,
                                               const SurfaceConfig& c,
                                               const Eigen::MatrixXd& chart) {
  if (chart.cols() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "chart must have 2 columns, got ", chart.cols()));
  }
  Eigen::MatrixXd out(chart.rows(), 3);
  for (int64_t i = 0; i < chart.rows(); ++i) {
    const double a = chart(i, 0), b = chart(i, 1);
    switch (surface) {
      case Surface::kSShape: {
        const double sgn = a < 0 ? -1.0 : 1.0;
        out.row(i) << std::sin(a), b, sgn * (std::cos(a) - 1);
        break;
      }
      case Surface::kSwissRoll: {
        const double a_lo = SpiralArc(1.5 * kPi);
        const double t = InvertSpiralArc(a / c.swiss_roll_scale + a_lo, 3 * kPi);
        out.row(i) << c.swiss_roll_scale * t * std::cos(t), b,
            c.swiss_roll_scale * t * std::sin(t);
        break;
      }
      case Surface::kOpenSphere: {
        const double r = std::hypot(a, b);
        const double theta = kPi - r, phi = std::atan2(b, a);
        out.row(i) << std::sin(theta) * std::cos(phi), std::sin(theta) * std::sin(phi),
            std::cos(theta);
        break;
      }
    }
  }
  return out;
}

absl::StatusOr<SurfaceSplit> SplitSurface(const SurfaceSample& sample,
                                          double train_fraction, uint64_t seed) {
  if (!(train_fraction > 0 && train_fraction <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "train fraction must be in (0, 1], got ", train_fraction));
  }
  const int64_t n = sample.points.rows();
  std::vector<int64_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(idx.begin(), idx.end(), rng);
  const int64_t n_train = std::max<int64_t>(1, std::llround(train_fraction * n));
  SurfaceSplit split;
  auto take = [&](int64_t from, int64_t to, SurfaceSample* s) {
    s->points.resize(to - from, 3);
    s->chart.resize(to - from, 2);
    for (int64_t i = from; i < to; ++i) {
      s->points.row(i - from) = sample.points.row(idx[i]);
      s->chart.row(i - from) = sample.chart.row(idx[i]);
    }
  };
  take(0, n_train, &split.train);
  take(n_train, n, &split.test);
  return split;
}

}  // namespace isoae
