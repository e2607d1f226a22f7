#include "baselines/classic_embeddings.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <queue>
#include <random>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "metrics/neighborhood.h"

namespace isoae {
namespace {

absl::Status CheckInput(const Eigen::MatrixXd& x, int64_t min_rows, int dims,
                        const char* method) {
  if (dims < 1) {
    return absl::InvalidArgumentError(absl::StrCat(method, ": dims must be >= 1, got ", dims));
  }
  if (x.rows() < min_rows) {
    return absl::InvalidArgumentError(absl::StrCat(method, " needs at least ", min_rows,
                                                   " points, got ", x.rows()));
  }
  if (!x.allFinite()) return absl::InvalidArgumentError(absl::StrCat(method, ": NaN or Inf input"));
  return absl::OkStatus();
}

// ||x_i - x_j||^2 by one GEMM, clamped at 0 against round-off.
Eigen::MatrixXd SquaredDistances(const Eigen::MatrixXd& x) {
  const Eigen::VectorXd sq = x.rowwise().squaredNorm();
  Eigen::MatrixXd d2 = -2.0 * x * x.transpose();
  d2.colwise() += sq;
  d2.rowwise() += sq.transpose();
  d2 = d2.cwiseMax(0.0);
  d2.diagonal().setZero();
  return d2;
}

// k must fit ExactKnn (metrics/neighborhood.h), which finds the neighbours.
absl::Status CheckK(int k, int64_t n, const char* method) {
  if (k < 1 || 2 * static_cast<int64_t>(k) >= n) {
    return absl::InvalidArgumentError(
        absl::StrCat(method, ": k must be in [1, n / 2) for n = ", n, ", got ", k));
  }
  return absl::OkStatus();
}

// Eigen-decomposition of a symmetric matrix, eigenvalues ascending (dense).
Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> SymmetricEigen(const Eigen::MatrixXd& m) {
  return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(m);
}

}  // namespace

absl::StatusOr<Eigen::MatrixXd> Pca(const Eigen::MatrixXd& x, int dims) {
  if (absl::Status s = CheckInput(x, dims + 1, dims, "PCA"); !s.ok()) return s;
  if (dims > x.cols()) {
    return absl::InvalidArgumentError(
        absl::StrCat("PCA: dims ", dims, " exceeds the data's ", x.cols(), " columns"));
  }
  const Eigen::MatrixXd centred = x.rowwise() - x.colwise().mean();
  Eigen::BDCSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinU);
  return Eigen::MatrixXd(svd.matrixU().leftCols(dims) *
                         svd.singularValues().head(dims).asDiagonal());
}

absl::StatusOr<Eigen::MatrixXd> Isomap(const Eigen::MatrixXd& x, int k, int dims) {
  if (absl::Status s = CheckInput(x, dims + 2, dims, "Isomap"); !s.ok()) return s;
  if (absl::Status s = CheckK(k, x.rows(), "Isomap"); !s.ok()) return s;
  const int n = static_cast<int>(x.rows());
  const Eigen::MatrixXd d2 = SquaredDistances(x);
  // Symmetrised kNN graph.
  std::vector<std::vector<std::pair<int, double>>> adj(n);
  ISOAE_ASSIGN_OR_RETURN(const IndexMatrix nb, ExactKnn(x, k));
  for (int i = 0; i < n; ++i) {
    for (int a = 0; a < k; ++a) {
      const int j = static_cast<int>(nb(i, a));
      const double w = std::sqrt(d2(i, j));
      adj[i].push_back({j, w});
      adj[j].push_back({i, w});
    }
  }
  // Dijkstra from every node.
  constexpr double kInf = std::numeric_limits<double>::infinity();
  Eigen::MatrixXd geo = Eigen::MatrixXd::Constant(n, n, kInf);
  using Item = std::pair<double, int>;
  for (int s = 0; s < n; ++s) {
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue;
    geo(s, s) = 0;
    queue.push({0.0, s});
    while (!queue.empty()) {
      const auto [d, u] = queue.top();
      queue.pop();
      if (d > geo(s, u)) continue;
      for (const auto& [v, w] : adj[u]) {
        if (d + w < geo(s, v)) {
          geo(s, v) = d + w;
          queue.push({d + w, v});
        }
      }
    }
    for (int v = 0; v < n; ++v) {
      if (geo(s, v) == kInf) {
        return absl::FailedPreconditionError(absl::StrCat(
            "Isomap: the ", k, "-nearest-neighbour graph is disconnected (no path from point ",
            s, " to point ", v, "); raise k"));
      }
    }
  }
  // Classical MDS of the squared geodesics.
  Eigen::MatrixXd b = geo.cwiseAbs2();
  const Eigen::VectorXd row_mean = b.rowwise().mean();
  const double mean = row_mean.mean();
  b.colwise() -= row_mean;
  b.rowwise() -= row_mean.transpose();
  b.array() += mean;
  b *= -0.5;
  const auto eig = SymmetricEigen(b);
  Eigen::MatrixXd y(n, dims);
  for (int c = 0; c < dims; ++c) {
    const int e = n - 1 - c;
    y.col(c) = eig.eigenvectors().col(e) * std::sqrt(std::max(eig.eigenvalues()(e), 0.0));
  }
  return y;
}

absl::StatusOr<Eigen::MatrixXd> Lle(const Eigen::MatrixXd& x, int k, int dims, double reg) {
  if (absl::Status s = CheckInput(x, dims + 2, dims, "LLE"); !s.ok()) return s;
  if (absl::Status s = CheckK(k, x.rows(), "LLE"); !s.ok()) return s;
  if (!(reg > 0) || !std::isfinite(reg)) {
    return absl::InvalidArgumentError(absl::StrCat("LLE: reg must be > 0, got ", reg));
  }
  const int n = static_cast<int>(x.rows());
  ISOAE_ASSIGN_OR_RETURN(const IndexMatrix nb, ExactKnn(x, k));
  Eigen::MatrixXd w = Eigen::MatrixXd::Zero(n, n);
  for (int i = 0; i < n; ++i) {
    Eigen::MatrixXd z(k, x.cols());
    for (int a = 0; a < k; ++a) z.row(a) = x.row(nb(i, a)) - x.row(i);
    Eigen::MatrixXd c = z * z.transpose();
    // Regularised as scikit-learn: reg * trace (or reg alone for duplicates).
    const double tr = c.trace();
    c.diagonal().array() += tr > 0 ? reg * tr : reg;
    Eigen::VectorXd wi = c.ldlt().solve(Eigen::VectorXd::Ones(k));
    const double sum = wi.sum();
    if (!wi.allFinite() || !(std::abs(sum) > 0)) {
      return absl::FailedPreconditionError(
          absl::StrCat("LLE: the local system of point ", i, " is singular"));
    }
    wi /= sum;
    for (int a = 0; a < k; ++a) w(i, nb(i, a)) = wi(a);
  }
  const Eigen::MatrixXd iw = Eigen::MatrixXd::Identity(n, n) - w;
  Eigen::MatrixXd m = iw.transpose() * iw;
  // The constant vector has eigenvalue 0 (rows of W sum to 1), and the
  // embedding's eigenvalues are close to 0 too: the solver may mix them.
  // Shift the constant one to the top (1 is an eigenvector of both terms),
  // so the bottom eigenvectors are exactly orthogonal to it.
  m.array() += m.trace() / n;
  const auto eig = SymmetricEigen(m);
  return Eigen::MatrixXd(eig.eigenvectors().leftCols(dims) * std::sqrt(n));
}

absl::StatusOr<TsneResult> Tsne(const Eigen::MatrixXd& x, const TsneOptions& o) {
  if (absl::Status s = CheckInput(x, 4, 2, "t-SNE"); !s.ok()) return s;
  const int64_t n = x.rows();
  if (n > o.max_points) {
    return absl::InvalidArgumentError(absl::StrCat(
        "t-SNE: ", n, " points exceed max_points = ", o.max_points,
        " (exact t-SNE is O(n^2) per iteration; Barnes-Hut is not implemented)"));
  }
  if (!(o.perplexity >= 1) || 3 * o.perplexity > n - 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "t-SNE: perplexity must be in [1, (n - 1) / 3] = [1, ", (n - 1) / 3.0, "], got ",
        o.perplexity));
  }
  if (o.iterations < 1 || !(o.learning_rate > 0) || o.exaggeration_iterations < 0 ||
      !(o.exaggeration >= 1)) {
    return absl::InvalidArgumentError(
        "t-SNE: iterations >= 1, learning_rate > 0, exaggeration >= 1 required");
  }
  const Eigen::MatrixXd d2 = SquaredDistances(x);
  // Conditional P_{j|i} with entropy log(perplexity), by bisection on the
  // precision beta = 1 / (2 sigma^2).
  Eigen::MatrixXd p = Eigen::MatrixXd::Zero(n, n);
  const double target = std::log(o.perplexity);
  for (int64_t i = 0; i < n; ++i) {
    double beta = 1, lo = 0, hi = std::numeric_limits<double>::infinity();
    double dmin = std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < n; ++j) {
      if (j != i) dmin = std::min(dmin, d2(i, j));
    }
    Eigen::VectorXd row(n);
    for (int it = 0; it < 200; ++it) {
      double sum = 0, dot = 0;
      for (int64_t j = 0; j < n; ++j) {
        row(j) = j == i ? 0.0 : std::exp(-(d2(i, j) - dmin) * beta);
        sum += row(j);
        dot += (d2(i, j) - dmin) * row(j);
      }
      const double entropy = std::log(sum) + beta * dot / sum;
      row /= sum;
      if (std::abs(entropy - target) < 1e-5) break;
      if (entropy > target) {
        lo = beta;
        beta = std::isinf(hi) ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
    p.row(i) = row.transpose();
  }
  // .eval(): p + p^T written into p would read entries already overwritten.
  p = ((p + p.transpose().eval()) / (2.0 * n)).cwiseMax(1e-12);
  p.diagonal().setZero();

  std::mt19937_64 rng(o.seed);
  std::normal_distribution<double> normal(0.0, 1e-4);  // as bhtsne
  Eigen::MatrixXd y(n, 2);
  for (int64_t i = 0; i < n; ++i) y(i, 0) = normal(rng), y(i, 1) = normal(rng);
  Eigen::MatrixXd update = Eigen::MatrixXd::Zero(n, 2);
  Eigen::MatrixXd gains = Eigen::MatrixXd::Ones(n, 2);
  TsneResult result;
  auto kl_of = [&](const Eigen::MatrixXd& q) {
    double kl = 0;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        if (i != j) kl += p(i, j) * std::log(p(i, j) / std::max(q(i, j), 1e-300));
      }
    }
    return kl;
  };
  Eigen::MatrixXd q;
  for (int it = 0; it < o.iterations; ++it) {
    const bool exaggerate = it < o.exaggeration_iterations;
    const double momentum = it < 250 ? 0.5 : 0.8;
    Eigen::MatrixXd num = (1.0 + SquaredDistances(y).array()).inverse().matrix();
    num.diagonal().setZero();
    q = num / num.sum();
    const Eigen::MatrixXd pq =
        ((exaggerate ? o.exaggeration : 1.0) * p - q).cwiseProduct(num);
    // The gradient of KL(P || Q) is 4 * sum_j (p_ij - q_ij) num_ij (y_i - y_j);
    // like bhtsne / Multicore-TSNE (the implementation the I-AE paper ran),
    // the factor 4 is left in the learning rate.
    const Eigen::MatrixXd grad = pq.rowwise().sum().asDiagonal() * y - pq * y;
    for (int64_t i = 0; i < n; ++i) {
      for (int c = 0; c < 2; ++c) {
        // bhtsne's sign(0) = 0: the first step (update 0) raises every gain.
        const bool same = update(i, c) != 0 && (grad(i, c) > 0) == (update(i, c) > 0);
        gains(i, c) = std::max(same ? gains(i, c) * 0.8 : gains(i, c) + 0.2, 0.01);
      }
    }
    update = momentum * update - o.learning_rate * gains.cwiseProduct(grad);
    y += update;
    y.rowwise() -= y.colwise().mean();
    if (it + 1 == o.exaggeration_iterations) result.kl_after_exaggeration = kl_of(q);
  }
  result.kl = kl_of(q);
  if (!y.allFinite()) return absl::InternalError("t-SNE diverged (NaN in the embedding)");
  result.embedding = y;
  return result;
}

}  // namespace isoae
