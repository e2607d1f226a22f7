#include "baselines/umap.h"

#include <Eigen/Sparse>

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "metrics/neighborhood.h"

namespace isoae {
namespace {

using SparseMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor>;

absl::Status CheckOptions(const Eigen::MatrixXd& x, const UmapOptions& o) {
  const int64_t n = x.rows();
  if (n < 4) return absl::InvalidArgumentError(absl::StrCat("UMAP needs at least 4 points, got ", n));
  if (!x.allFinite()) return absl::InvalidArgumentError("UMAP: NaN or Inf input");
  if (o.n_neighbors < 2 || 2 * static_cast<int64_t>(o.n_neighbors - 1) >= n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "UMAP: n_neighbors must be in [2, n / 2] for n = ", n, ", got ", o.n_neighbors));
  }
  if (o.dims < 1 || o.dims > n - 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("UMAP: dims must be in [1, n - 2] for n = ", n, ", got ", o.dims));
  }
  if (!(o.spread > 0) || !std::isfinite(o.spread)) {
    return absl::InvalidArgumentError(absl::StrCat("UMAP: spread must be > 0, got ", o.spread));
  }
  if (!(o.min_dist >= 0) || o.min_dist > o.spread) {
    return absl::InvalidArgumentError(absl::StrCat(
        "UMAP: min_dist must be in [0, spread = ", o.spread, "], got ", o.min_dist));
  }
  if (o.n_epochs < 0 || !(o.learning_rate > 0) || o.negative_sample_rate < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "UMAP: n_epochs (", o.n_epochs, ") and negative_sample_rate (", o.negative_sample_rate,
        ") must be >= 0 and learning_rate (", o.learning_rate, ") > 0"));
  }
  return absl::OkStatus();
}

// Whether the graph (symmetric pattern) is connected: breadth-first search.
bool Connected(const SparseMatrix& p) {
  const int64_t n = p.rows();
  std::vector<char> seen(n, 0);
  std::queue<int64_t> q;
  q.push(0);
  seen[0] = 1;
  int64_t count = 1;
  while (!q.empty()) {
    const int64_t i = q.front();
    q.pop();
    for (SparseMatrix::InnerIterator it(p, i); it; ++it) {
      if (!seen[it.col()]) {
        seen[it.col()] = 1;
        ++count;
        q.push(it.col());
      }
    }
  }
  return count == n;
}

// The eigenvectors of I - D^-1/2 P D^-1/2 for its eigenvalues 2..dims+1
// (ascending): the top eigenvectors of A = (I + D^-1/2 P D^-1/2) / 2, whose
// spectrum is in [0, 1], by block power iteration with a few extra vectors
// and a Rayleigh-Ritz step at the end.
Eigen::MatrixXd SpectralLayout(const SparseMatrix& p, int dims, std::mt19937_64& rng) {
  const int64_t n = p.rows();
  const Eigen::VectorXd d = p * Eigen::VectorXd::Ones(n);
  const Eigen::VectorXd inv_sqrt_d = d.cwiseSqrt().cwiseInverse();
  auto apply = [&](const Eigen::MatrixXd& v) {
    const Eigen::MatrixXd scaled = inv_sqrt_d.asDiagonal() * v;
    return Eigen::MatrixXd(0.5 * (v + inv_sqrt_d.asDiagonal() * (p * scaled)));
  };
  const int block = std::min<int64_t>(n, dims + 1 + 4);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd q(n, block);
  for (int64_t i = 0; i < q.size(); ++i) q.data()[i] = normal(rng);
  for (int it = 0; it < 300; ++it) {
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(apply(q));
    q = qr.householderQ() * Eigen::MatrixXd::Identity(n, block);
  }
  const Eigen::MatrixXd t = q.transpose() * apply(q);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(0.5 * (t + t.transpose()));
  // Eigenvalues ascending: the largest is the trivial D^1/2 1; take the
  // next dims.
  Eigen::MatrixXd out(n, dims);
  for (int c = 0; c < dims; ++c) out.col(c) = q * eig.eigenvectors().col(block - 2 - c);
  return out;
}

}  // namespace

absl::StatusOr<UmapCurve> FitUmapCurve(double min_dist, double spread) {
  if (!(spread > 0) || !(min_dist >= 0) || min_dist > spread) {
    return absl::InvalidArgumentError(absl::StrCat(
        "UMAP curve: need 0 <= min_dist <= spread and spread > 0, got min_dist ", min_dist,
        ", spread ", spread));
  }
  const int m = 300;
  std::vector<double> xs(m), ys(m);
  for (int i = 0; i < m; ++i) {
    xs[i] = 3 * spread * i / (m - 1);
    ys[i] = xs[i] < min_dist ? 1.0 : std::exp(-(xs[i] - min_dist) / spread);
  }
  // Levenberg-Marquardt on (a, b) from (1, 1), as scipy's curve_fit.
  double a = 1, b = 1, mu = 1e-3;
  auto cost = [&](double a_, double b_) {
    double s = 0;
    for (int i = 0; i < m; ++i) {
      const double f = 1 / (1 + a_ * std::pow(xs[i], 2 * b_));
      s += (f - ys[i]) * (f - ys[i]);
    }
    return s;
  };
  double c = cost(a, b);
  for (int it = 0; it < 500; ++it) {
    Eigen::Matrix2d jtj = Eigen::Matrix2d::Zero();
    Eigen::Vector2d jtr = Eigen::Vector2d::Zero();
    for (int i = 0; i < m; ++i) {
      if (xs[i] <= 0) continue;  // f = 1 there whatever a, b
      const double u = std::pow(xs[i], 2 * b);
      const double den = 1 + a * u;
      const double f = 1 / den;
      const Eigen::Vector2d g(-u / (den * den), -a * u * 2 * std::log(xs[i]) / (den * den));
      jtj += g * g.transpose();
      jtr += g * (f - ys[i]);
    }
    Eigen::Matrix2d damped = jtj;
    damped.diagonal() *= 1 + mu;
    const Eigen::Vector2d step = damped.ldlt().solve(-jtr);
    const double na = a + step(0), nb = b + step(1);
    const double nc = na > 0 && nb > 0 ? cost(na, nb) : std::numeric_limits<double>::infinity();
    if (nc < c) {
      const bool done = c - nc < 1e-15 * std::max(1.0, c);
      a = na;
      b = nb;
      c = nc;
      mu = std::max(mu / 10, 1e-12);
      if (done) break;
    } else {
      mu *= 10;
      if (mu > 1e12) break;
    }
  }
  return UmapCurve{a, b};
}

SmoothKnn SmoothKnnDistances(const Eigen::MatrixXd& knn_distances, int k) {
  const int64_t n = knn_distances.rows();
  const double target = std::log2(static_cast<double>(k));
  const double global_mean =
      knn_distances.sum() / (static_cast<double>(knn_distances.rows()) * k);
  SmoothKnn out{Eigen::VectorXd::Zero(n), Eigen::VectorXd::Zero(n)};
  for (int64_t i = 0; i < n; ++i) {
    const auto row = knn_distances.row(i);
    double rho = 0;
    for (int64_t j = 0; j < row.size(); ++j) {
      if (row(j) > 0) {
        rho = row(j);
        break;
      }
    }
    double lo = 0, hi = std::numeric_limits<double>::infinity(), mid = 1;
    for (int it = 0; it < 64; ++it) {
      double psum = 0;
      for (int64_t j = 0; j < row.size(); ++j) {
        const double d = row(j) - rho;
        psum += d > 0 ? std::exp(-d / mid) : 1.0;
      }
      if (std::abs(psum - target) < 1e-5) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = std::isinf(hi) ? mid * 2 : (lo + hi) / 2;
      }
    }
    // umap-learn's means count the point's zero distance to itself.
    const double floor = 1e-3 * (rho > 0 ? row.sum() / k : global_mean);
    out.rho(i) = rho;
    out.sigma(i) = std::max(mid, floor);
  }
  return out;
}

absl::StatusOr<UmapResult> Umap(const Eigen::MatrixXd& x, const UmapOptions& o) {
  ISOAE_RETURN_IF_ERROR(CheckOptions(x, o));
  const int64_t n = x.rows();
  const int others = o.n_neighbors - 1;
  const int n_epochs = o.n_epochs > 0 ? o.n_epochs : (n <= 10000 ? 500 : 200);
  ISOAE_ASSIGN_OR_RETURN(const IndexMatrix knn, ExactKnn(x, others));
  Eigen::MatrixXd dist(n, others);
  for (int64_t i = 0; i < n; ++i) {
    for (int j = 0; j < others; ++j) dist(i, j) = (x.row(i) - x.row(knn(i, j))).norm();
  }
  const SmoothKnn s = SmoothKnnDistances(dist, o.n_neighbors);

  // Fuzzy union of the directed memberships.
  std::vector<Eigen::Triplet<double>> triplets;
  triplets.reserve(n * others);
  for (int64_t i = 0; i < n; ++i) {
    for (int j = 0; j < others; ++j) {
      const double d = dist(i, j) - s.rho(i);
      triplets.emplace_back(i, knn(i, j), d <= 0 ? 1.0 : std::exp(-d / s.sigma(i)));
    }
  }
  SparseMatrix w(n, n);
  w.setFromTriplets(triplets.begin(), triplets.end());
  const SparseMatrix wt = w.transpose();
  SparseMatrix p = w + wt - SparseMatrix(w.cwiseProduct(wt));
  const double max_w = p.coeffs().maxCoeff();
  // umap-learn prunes by the default epoch count when asked for 10 or fewer.
  const int default_epochs = n <= 10000 ? 500 : 200;
  const double keep = max_w / (n_epochs > 10 ? n_epochs : default_epochs);
  p.prune([&](int64_t, int64_t, double v) { return v >= keep; });
  p.makeCompressed();

  UmapResult result;
  ISOAE_ASSIGN_OR_RETURN(result.curve, FitUmapCurve(o.min_dist, o.spread));
  const double a = result.curve.a, b = result.curve.b;
  std::mt19937_64 rng(o.seed);

  Eigen::MatrixXd init;
  result.spectral_init = Connected(p);
  if (result.spectral_init) {
    init = SpectralLayout(p, o.dims, rng);
  } else {
    std::uniform_real_distribution<double> u(-10, 10);
    init.resize(n, o.dims);
    for (int64_t i = 0; i < init.size(); ++i) init.data()[i] = u(rng);
  }
  // As umap-learn: the spectral layout expanded to max |y| = 10 plus a
  // 1e-4 jitter, then each coordinate scaled to [0, 10].
  if (result.spectral_init) {
    const double big = init.cwiseAbs().maxCoeff();
    if (big > 0) init *= 10 / big;
    std::normal_distribution<double> jitter(0, 1e-4);
    for (int64_t i = 0; i < init.size(); ++i) init.data()[i] += jitter(rng);
  }
  std::vector<double> y(n * o.dims);
  for (int c = 0; c < o.dims; ++c) {
    const double lo = init.col(c).minCoeff(), hi = init.col(c).maxCoeff();
    const double scale = hi > lo ? 10 / (hi - lo) : 1;
    for (int64_t i = 0; i < n; ++i) y[i * o.dims + c] = (init(i, c) - lo) * scale;
  }

  // Edges (both directions of the symmetric graph) and their schedules.
  std::vector<int64_t> head, tail;
  std::vector<double> every, next, neg_every, next_neg;
  for (int64_t i = 0; i < n; ++i) {
    for (SparseMatrix::InnerIterator it(p, i); it; ++it) {
      head.push_back(i);
      tail.push_back(it.col());
      every.push_back(max_w / it.value());
    }
  }
  result.edges = static_cast<int64_t>(head.size());
  next = every;
  for (double e : every) neg_every.push_back(e / std::max(o.negative_sample_rate, 1));
  next_neg = neg_every;
  auto clip = [](double v) { return std::clamp(v, -4.0, 4.0); };
  const int dims = o.dims;
  for (int epoch = 0; epoch < n_epochs; ++epoch) {
    // umap-learn lowers the rate after each epoch: epochs 0 and 1 run at the
    // initial rate, epoch e >= 1 at 1 - (e - 1) / n_epochs of it.
    const double alpha =
        o.learning_rate * (1 - static_cast<double>(std::max(epoch - 1, 0)) / n_epochs);
    for (size_t e = 0; e < head.size(); ++e) {
      if (next[e] > epoch) continue;
      double* yi = &y[head[e] * dims];
      double* yj = &y[tail[e] * dims];
      double d2 = 0;
      for (int c = 0; c < dims; ++c) d2 += (yi[c] - yj[c]) * (yi[c] - yj[c]);
      if (d2 > 0) {
        const double coeff =
            -2 * a * b * std::pow(d2, b - 1) / (a * std::pow(d2, b) + 1);
        for (int c = 0; c < dims; ++c) {
          const double g = clip(coeff * (yi[c] - yj[c]));
          yi[c] += g * alpha;
          yj[c] -= g * alpha;
        }
      }
      next[e] += every[e];
      if (o.negative_sample_rate == 0) continue;
      const int64_t negatives = static_cast<int64_t>((epoch - next_neg[e]) / neg_every[e]);
      for (int64_t q = 0; q < negatives; ++q) {
        const int64_t k = static_cast<int64_t>(rng() % static_cast<uint64_t>(n));
        if (k == head[e]) continue;
        const double* yk = &y[k * dims];
        double dk = 0;
        for (int c = 0; c < dims; ++c) dk += (yi[c] - yk[c]) * (yi[c] - yk[c]);
        if (!(dk > 0)) continue;
        const double coeff = 2 * b / ((0.001 + dk) * (a * std::pow(dk, b) + 1));
        for (int c = 0; c < dims; ++c) yi[c] += clip(coeff * (yi[c] - yk[c])) * alpha;
      }
      next_neg[e] += static_cast<double>(negatives) * neg_every[e];
    }
  }
  result.embedding.resize(n, dims);
  for (int64_t i = 0; i < n; ++i) {
    for (int c = 0; c < dims; ++c) result.embedding(i, c) = y[i * dims + c];
  }
  return result;
}

}  // namespace isoae
