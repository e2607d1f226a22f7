#include "metrics/riemannian.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"

namespace isoae {
namespace {

template <typename F>
Eigen::MatrixXd SpectralMap(const Eigen::MatrixXd& a, F f) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(a);
  Eigen::VectorXd d = es.eigenvalues();
  for (Eigen::Index i = 0; i < d.size(); ++i) d(i) = f(d(i));
  return es.eigenvectors() * d.asDiagonal() * es.eigenvectors().transpose();
}

}  // namespace

Eigen::MatrixXd SpdLog(const Eigen::MatrixXd& a) {
  return SpectralMap(a, [](double x) { return std::log(x); });
}
Eigen::MatrixXd SymExp(const Eigen::MatrixXd& a) {
  return SpectralMap(a, [](double x) { return std::exp(x); });
}
Eigen::MatrixXd SpdSqrt(const Eigen::MatrixXd& a) {
  return SpectralMap(a, [](double x) { return std::sqrt(x); });
}
Eigen::MatrixXd SpdInvSqrt(const Eigen::MatrixXd& a) {
  return SpectralMap(a, [](double x) { return 1.0 / std::sqrt(x); });
}

absl::Status CheckSpd(const Eigen::MatrixXd& a, const std::string& what) {
  if (a.rows() == 0 || a.rows() != a.cols()) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " is ", a.rows(), "x", a.cols(), ", not a non-empty square matrix"));
  }
  if (!a.allFinite()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " has NaN/Inf entries"));
  }
  const double scale = a.cwiseAbs().maxCoeff();
  if ((a - a.transpose()).cwiseAbs().maxCoeff() > 1e-8 * scale) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is not symmetric"));
  }
  double smallest;
  if (a.rows() == 2) {  // fast path for latent planes
    const double tr = a(0, 0) + a(1, 1);
    const double det = a(0, 0) * a(1, 1) - a(0, 1) * a(1, 0);
    const double hi = tr / 2 + std::sqrt(std::max(0.0, tr * tr / 4 - det));
    smallest = hi > 0 ? det / hi : hi;
  } else {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(a, Eigen::EigenvaluesOnly);
    smallest = es.info() == Eigen::Success
                   ? es.eigenvalues()(0)
                   : -std::numeric_limits<double>::infinity();
  }
  if (!(smallest > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " is not positive definite (smallest eigenvalue ", smallest, ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckMetricField(const MetricField& g) {
  if (g.empty()) return absl::InvalidArgumentError("empty metric field");
  for (size_t i = 0; i < g.size(); ++i) {
    if (g[i].rows() != g[0].rows() || g[i].cols() != g[0].cols()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "metric ", i, " is ", g[i].rows(), "x", g[i].cols(), ", metric 0 is ",
          g[0].rows(), "x", g[0].cols()));
    }
    const absl::Status s = CheckSpd(g[i], absl::StrCat("metric ", i));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

namespace {
// d^2 for matrices already known to be SPD and of equal size.
double DistanceSquaredUnchecked(const Eigen::MatrixXd& a,
                                const Eigen::MatrixXd& b) {
  if (a.rows() == 2) {
    // 2x2: the eigenvalues of B^-1 A are those of the symmetric
    // C = L^-1 A L^-T (B = L L^T, Cholesky in closed form), and
    // lambda = 1 + m +- r with m = (c00 + c11)/2 - 1, r = hypot((c00 - c11)/2, c01).
    // Unlike the roots of det(A - l B) = 0 (whose discriminant t^2 - 4 det(A)
    // det(B) cancels when A ~ B), r is formed from differences of C's entries
    // and log1p keeps the digits of lambda - 1: near the identity the
    // relative error stays at round-off (tested at a gap of 1e-6).
    const double l00 = std::sqrt(b(0, 0));
    const double l10 = b(1, 0) / l00;
    const double l11 = std::sqrt(b(1, 1) - l10 * l10);
    Eigen::Matrix2d linv;
    linv << 1 / l00, 0, -l10 / (l00 * l11), 1 / l11;
    const Eigen::Matrix2d c = linv * a.topLeftCorner<2, 2>() * linv.transpose();
    // The smaller eigenvalue is det(C) / lambda_max, with det(C) - 1 formed
    // from C - I, so neither a near-identity nor an ill-conditioned C cancels.
    const double e00 = c(0, 0) - 1, e11 = c(1, 1) - 1, c01 = 0.5 * (c(0, 1) + c(1, 0));
    const double m = 0.5 * (e00 + e11);
    const double r = std::hypot(0.5 * (e00 - e11), c01);
    const double log_max = std::log1p(m + r);
    const double log_det = std::log1p(e00 * e11 + e00 + e11 - c01 * c01);
    return std::pow(log_max, 2) + std::pow(log_det - log_max, 2);
  }
  Eigen::GeneralizedSelfAdjointEigenSolver<Eigen::MatrixXd> es(
      a, b, Eigen::EigenvaluesOnly | Eigen::Ax_lBx);
  double d2 = 0;
  for (Eigen::Index i = 0; i < es.eigenvalues().size(); ++i) {
    d2 += std::pow(std::log(es.eigenvalues()(i)), 2);
  }
  return d2;
}
}  // namespace

absl::StatusOr<double> AffineInvariantDistanceSquared(const Eigen::MatrixXd& a,
                                                      const Eigen::MatrixXd& b) {
  absl::Status s = CheckSpd(a, "A");
  if (s.ok()) s = CheckSpd(b, "B");
  if (!s.ok()) return s;
  if (a.rows() != b.rows()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "A is ", a.rows(), "x", a.cols(), ", B is ", b.rows(), "x", b.cols()));
  }
  return DistanceSquaredUnchecked(a, b);
}

absl::StatusOr<Eigen::MatrixXd> ArithmeticMean(const MetricField& g) {
  const absl::Status s = CheckMetricField(g);
  if (!s.ok()) return s;
  Eigen::MatrixXd mean = Eigen::MatrixXd::Zero(g[0].rows(), g[0].cols());
  for (const auto& m : g) mean += m;
  return Eigen::MatrixXd(mean / static_cast<double>(g.size()));
}

absl::StatusOr<Eigen::MatrixXd> KarcherMean(const MetricField& g,
                                            const KarcherOptions& options) {
  if (options.max_iterations < 1 || !(options.tolerance > 0)) {
    return absl::InvalidArgumentError(
        "KarcherMean: max_iterations must be >= 1 and tolerance > 0");
  }
  absl::StatusOr<Eigen::MatrixXd> x = ArithmeticMean(g);
  if (!x.ok()) return x.status();
  Eigen::MatrixXd mean = *x;
  for (int it = 0; it < options.max_iterations; ++it) {
    const Eigen::MatrixXd s = SpdSqrt(mean), si = SpdInvSqrt(mean);
    Eigen::MatrixXd step = Eigen::MatrixXd::Zero(mean.rows(), mean.cols());
    for (const auto& m : g) step += SpdLog(si * m * si);
    step /= static_cast<double>(g.size());
    step = 0.5 * (step + step.transpose());
    mean = s * SymExp(step) * s;
    mean = 0.5 * (mean + mean.transpose());
    if (step.norm() < options.tolerance) break;
  }
  return mean;
}

absl::StatusOr<double> VarianceOfRiemannianMetric(const MetricField& g,
                                                  MeanKind kind) {
  absl::StatusOr<Eigen::MatrixXd> mean =
      kind == MeanKind::kArithmetic ? ArithmeticMean(g) : KarcherMean(g);
  if (!mean.ok()) return mean.status();
  double sum = 0;
  for (const auto& m : g) sum += DistanceSquaredUnchecked(m, *mean);
  return sum / static_cast<double>(g.size());
}

absl::StatusOr<ConditionStats> ConditionNumbers(const MetricField& g) {
  const absl::Status s = CheckMetricField(g);
  if (!s.ok()) return s;
  ConditionStats c;
  c.per_point.reserve(g.size());
  for (const auto& m : g) {
    double lo, hi;
    if (m.rows() == 2) {
      const double tr = m(0, 0) + m(1, 1);
      const double det = m(0, 0) * m(1, 1) - m(0, 1) * m(1, 0);
      const double root = std::sqrt(std::max(0.0, tr * tr / 4 - det));
      hi = tr / 2 + root;
      lo = det / hi;  // stable for nearly singular metrics
    } else {
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(m, Eigen::EigenvaluesOnly);
      lo = es.eigenvalues()(0);
      hi = es.eigenvalues()(es.eigenvalues().size() - 1);
    }
    c.per_point.push_back(hi / lo);
  }
  double sum = 0;
  for (double k : c.per_point) {
    sum += k;
    c.max = std::max(c.max, k);
  }
  c.mean = sum / static_cast<double>(c.per_point.size());
  double var = 0;
  for (double k : c.per_point) var += (k - c.mean) * (k - c.mean);
  c.std = std::sqrt(var / static_cast<double>(c.per_point.size()));
  return c;
}

absl::StatusOr<RelaxedDistortionStats> RelaxedDistortion(const MetricField& g) {
  const absl::Status s = CheckMetricField(g);
  if (!s.ok()) return s;
  double tr = 0, tr2 = 0;
  for (const auto& m : g) {
    tr += m.trace();
    tr2 += (m * m).trace();
  }
  const double n = static_cast<double>(g.size());
  const double dim = static_cast<double>(g[0].rows());
  RelaxedDistortionStats r;
  r.mean_trace = tr / n;
  r.trace_ratio = (tr2 / n) / (r.mean_trace * r.mean_trace);
  r.distortion = dim * dim * r.trace_ratio - dim;
  return r;
}

absl::StatusOr<double> FmvaeFlatness(const MetricField& g) {
  const absl::Status s = CheckMetricField(g);
  if (!s.ok()) return s;
  double tr = 0;
  for (const auto& m : g) tr += m.trace();
  const double c = tr / static_cast<double>(g.size()) / g[0].rows();
  double sum = 0;
  for (const auto& m : g) {
    sum += (m - c * Eigen::MatrixXd::Identity(m.rows(), m.cols())).squaredNorm();
  }
  return sum / static_cast<double>(g.size());
}

int64_t DropZeroMetrics(MetricField* g) {
  const size_t before = g->size();
  g->erase(std::remove_if(g->begin(), g->end(),
                          [](const Eigen::MatrixXd& m) {
                            const double t = m.trace();
                            return !(t > 0) || !std::isfinite(t);
                          }),
           g->end());
  return static_cast<int64_t>(before - g->size());
}

void AddRelativeRidge(MetricField* g, double ridge) {
  for (Eigen::MatrixXd& m : *g) {
    m.diagonal().array() += ridge * m.trace() / static_cast<double>(m.rows());
  }
}

}  // namespace isoae
