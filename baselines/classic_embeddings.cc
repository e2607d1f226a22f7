#include "baselines/classic_embeddings.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
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

namespace {

// Row i's conditional P_{j|i} over candidates with squared distances d2
// (i itself excluded by the caller), with entropy log(perplexity): bisection
// on the precision beta = 1 / (2 sigma^2), as bhtsne.
void ConditionalRow(const double* d2, int64_t m, double target, double* out) {
  double beta = 1, lo = 0, hi = std::numeric_limits<double>::infinity();
  double dmin = std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < m; ++j) dmin = std::min(dmin, d2[j]);
  for (int it = 0; it < 200; ++it) {
    double sum = 0, dot = 0;
    for (int64_t j = 0; j < m; ++j) {
      out[j] = std::exp(-(d2[j] - dmin) * beta);
      sum += out[j];
      dot += (d2[j] - dmin) * out[j];
    }
    const double entropy = std::log(sum) + beta * dot / sum;
    for (int64_t j = 0; j < m; ++j) out[j] /= sum;
    if (std::abs(entropy - target) < 1e-5) break;
    if (entropy > target) {
      lo = beta;
      beta = std::isinf(hi) ? beta * 2 : (beta + hi) / 2;
    } else {
      hi = beta;
      beta = (beta + lo) / 2;
    }
  }
}

// A point-region quadtree over the embedding with each cell's point count
// and centre of mass: the repulsive forces of Barnes-Hut t-SNE.
class QuadTree {
 public:
  explicit QuadTree(const Eigen::MatrixXd& y) : y_(y) {
    const Eigen::RowVector2d lo = y.colwise().minCoeff(), hi = y.colwise().maxCoeff();
    const Eigen::RowVector2d mid = (lo + hi) / 2;
    const double half = std::max((hi - lo).maxCoeff() / 2, 1e-12) * (1 + 1e-9);
    nodes_.push_back(Node{mid(0), mid(1), half});
    nodes_.reserve(static_cast<size_t>(4 * y.rows()));
    for (int64_t i = 0; i < y.rows(); ++i) Insert(0, i, 0);
  }

  // Adds to *neg the repulsion on point i, sum over j != i of
  // qt_ij^2 (y_i - y_j) with qt = 1 / (1 + |y_i - y_j|^2), and to *z the sum
  // of qt_ij: cells seen from i under an angle width / distance < theta
  // count as one point at their centre of mass.
  void Repulsion(int64_t i, double theta, double* neg_x, double* neg_y, double* z) const {
    Visit(0, i, theta, neg_x, neg_y, z);
  }

 private:
  struct Node {
    double cx, cy, half;
    double sum_x = 0, sum_y = 0;  // sum of the points' coordinates
    int64_t count = 0;
    int64_t point = -1;  // a leaf's first point (others: duplicates)
    int64_t child = -1;  // index of the first of four children
  };

  void Insert(size_t n, int64_t i, int depth) {
    const double px = y_(i, 0), py = y_(i, 1);
    while (true) {
      Node& node = nodes_[n];
      node.sum_x += px;
      node.sum_y += py;
      ++node.count;
      if (node.child < 0) {
        if (node.count == 1) {
          node.point = i;
          return;
        }
        // A leaf that already holds a point: split it, unless the points
        // coincide (or nearly), which then share the leaf.
        const int64_t old = node.point;
        if (depth > 48 || (y_(old, 0) == px && y_(old, 1) == py)) return;
        Split(n);
        Node& again = nodes_[n];
        const size_t q = Quadrant(again, y_(old, 0), y_(old, 1));
        Node& c = nodes_[static_cast<size_t>(again.child) + q];
        c.sum_x = y_(old, 0), c.sum_y = y_(old, 1), c.count = 1, c.point = old;
        nodes_[n].point = -1;
      }
      n = static_cast<size_t>(nodes_[n].child) + Quadrant(nodes_[n], px, py);
      ++depth;
    }
  }

  void Split(size_t n) {
    const double h = nodes_[n].half / 2, cx = nodes_[n].cx, cy = nodes_[n].cy;
    nodes_[n].child = static_cast<int64_t>(nodes_.size());
    for (int q = 0; q < 4; ++q) {
      nodes_.push_back(Node{cx + (q & 1 ? h : -h), cy + (q & 2 ? h : -h), h});
    }
  }

  static size_t Quadrant(const Node& node, double x, double y) {
    return (x >= node.cx ? 1 : 0) + (y >= node.cy ? 2 : 0);
  }

  void Visit(size_t n, int64_t i, double theta, double* neg_x, double* neg_y, double* z) const {
    const Node& node = nodes_[n];
    if (node.count == 0) return;
    const double yi_x = y_(i, 0), yi_y = y_(i, 1);
    double count = static_cast<double>(node.count);
    double sx = node.sum_x, sy = node.sum_y;
    if (node.child < 0) {
      // A leaf: one point, or several at the same place. Leave i out of its
      // own leaf (its duplicates land in the same one).
      const int64_t pt = node.point;
      if (pt == i || (y_(pt, 0) == yi_x && y_(pt, 1) == yi_y)) {
        count -= 1;
        sx -= yi_x;
        sy -= yi_y;
        if (count <= 0) return;
      }
    }
    const double mx = sx / count, my = sy / count;
    const double dx = yi_x - mx, dy = yi_y - my, d2 = dx * dx + dy * dy;
    if (node.child < 0 || 2 * node.half < theta * std::sqrt(d2)) {
      const double q = 1.0 / (1.0 + d2);
      *z += count * q;
      const double m = count * q * q;
      *neg_x += m * dx;
      *neg_y += m * dy;
      return;
    }
    for (int q = 0; q < 4; ++q) {
      Visit(static_cast<size_t>(node.child) + q, i, theta, neg_x, neg_y, z);
    }
  }

  const Eigen::MatrixXd& y_;
  std::vector<Node> nodes_;
};

}  // namespace

absl::StatusOr<TsneResult> Tsne(const Eigen::MatrixXd& x, const TsneOptions& o) {
  if (absl::Status s = CheckInput(x, 4, 2, "t-SNE"); !s.ok()) return s;
  const int64_t n = x.rows();
  const bool exact = o.theta == 0;
  if (!(o.theta >= 0) || o.theta > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("t-SNE: theta must be in [0, 1] (0: exact), got ", o.theta));
  }
  if (exact && n > o.max_points) {
    return absl::InvalidArgumentError(absl::StrCat(
        "t-SNE: ", n, " points exceed max_points = ", o.max_points,
        " for exact t-SNE (O(n^2) per iteration); use Barnes-Hut (theta > 0)"));
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
  const double target = std::log(o.perplexity);
  // Input affinities p_ij = (P_{j|i} + P_{i|j}) / 2n: dense for exact
  // t-SNE; for Barnes-Hut over the 3 * perplexity nearest neighbours of each
  // point (bhtsne), stored as a symmetric sparse matrix.
  Eigen::MatrixXd p;
  std::vector<std::vector<std::pair<int64_t, double>>> sparse;
  if (exact) {
    const Eigen::MatrixXd d2 = SquaredDistances(x);
    p = Eigen::MatrixXd::Zero(n, n);
    std::vector<double> dist(static_cast<size_t>(n - 1)), row(static_cast<size_t>(n - 1));
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0, k = 0; j < n; ++j) {
        if (j != i) dist[static_cast<size_t>(k++)] = d2(i, j);
      }
      ConditionalRow(dist.data(), n - 1, target, row.data());
      for (int64_t j = 0, k = 0; j < n; ++j) {
        if (j != i) p(i, j) = row[static_cast<size_t>(k++)];
      }
    }
    // .eval(): p + p^T written into p would read entries already overwritten.
    p = ((p + p.transpose().eval()) / (2.0 * n)).cwiseMax(1e-12);
    p.diagonal().setZero();
  } else {
    const int k = static_cast<int>(std::min<int64_t>(
        static_cast<int64_t>(3 * o.perplexity), (n - 1) / 2));
    ISOAE_ASSIGN_OR_RETURN(const IndexMatrix nb, ExactKnn(x, k));
    std::vector<std::map<int64_t, double>> sym(static_cast<size_t>(n));
    std::vector<double> dist(static_cast<size_t>(k)), row(static_cast<size_t>(k));
    for (int64_t i = 0; i < n; ++i) {
      for (int j = 0; j < k; ++j) dist[static_cast<size_t>(j)] = (x.row(i) - x.row(nb(i, j))).squaredNorm();
      ConditionalRow(dist.data(), k, target, row.data());
      for (int j = 0; j < k; ++j) {
        const double v = row[static_cast<size_t>(j)] / (2.0 * n);
        sym[static_cast<size_t>(i)][nb(i, j)] += v;
        sym[static_cast<size_t>(nb(i, j))][i] += v;
      }
    }
    sparse.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      sparse[static_cast<size_t>(i)].assign(sym[static_cast<size_t>(i)].begin(),
                                            sym[static_cast<size_t>(i)].end());
    }
  }

  std::mt19937_64 rng(o.seed);
  std::normal_distribution<double> normal(0.0, 1e-4);  // as bhtsne
  Eigen::MatrixXd y(n, 2);
  for (int64_t i = 0; i < n; ++i) y(i, 0) = normal(rng), y(i, 1) = normal(rng);
  Eigen::MatrixXd update = Eigen::MatrixXd::Zero(n, 2);
  Eigen::MatrixXd gains = Eigen::MatrixXd::Ones(n, 2);
  Eigen::MatrixXd grad(n, 2);
  TsneResult result;
  // KL(P || Q) of the current embedding (exact: every pair; Barnes-Hut: the
  // pairs where P is not zero, with the normaliser from the tree, as bhtsne).
  auto kl_now = [&]() {
    double kl = 0;
    if (exact) {
      Eigen::MatrixXd num = (1.0 + SquaredDistances(y).array()).inverse().matrix();
      num.diagonal().setZero();
      const Eigen::MatrixXd q = num / num.sum();
      for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          if (i != j) kl += p(i, j) * std::log(p(i, j) / std::max(q(i, j), 1e-300));
        }
      }
      return kl;
    }
    const QuadTree tree(y);
    double z = 0, nx = 0, ny = 0;
    for (int64_t i = 0; i < n; ++i) tree.Repulsion(i, o.theta, &nx, &ny, &z);
    for (int64_t i = 0; i < n; ++i) {
      for (const auto& [j, pij] : sparse[static_cast<size_t>(i)]) {
        const double q = 1.0 / (1.0 + (y.row(i) - y.row(j)).squaredNorm()) / z;
        kl += pij * std::log(std::max(pij, 1e-300) / std::max(q, 1e-300));
      }
    }
    return kl;
  };
  for (int it = 0; it < o.iterations; ++it) {
    const double e = it < o.exaggeration_iterations ? o.exaggeration : 1.0;
    const double momentum = it < 250 ? 0.5 : 0.8;
    // The gradient of KL(P || Q) is 4 sum_j (p_ij - q_ij) qt_ij (y_i - y_j)
    // with qt = 1 / (1 + d^2), q = qt / sum(qt); like bhtsne /
    // Multicore-TSNE (the implementation the I-AE paper ran), the factor 4
    // is left in the learning rate.
    if (exact) {
      Eigen::MatrixXd num = (1.0 + SquaredDistances(y).array()).inverse().matrix();
      num.diagonal().setZero();
      const Eigen::MatrixXd pq = (e * p - num / num.sum()).cwiseProduct(num);
      grad = pq.rowwise().sum().asDiagonal() * y - pq * y;
    } else {
      const QuadTree tree(y);
      Eigen::MatrixXd neg(n, 2);
      double z = 0;
      for (int64_t i = 0; i < n; ++i) {
        double nx = 0, ny = 0;
        tree.Repulsion(i, o.theta, &nx, &ny, &z);
        neg(i, 0) = nx, neg(i, 1) = ny;
        double ax = 0, ay = 0;
        for (const auto& [j, pij] : sparse[static_cast<size_t>(i)]) {
          const double dx = y(i, 0) - y(j, 0), dy = y(i, 1) - y(j, 1);
          const double w = e * pij / (1.0 + dx * dx + dy * dy);
          ax += w * dx;
          ay += w * dy;
        }
        grad(i, 0) = ax, grad(i, 1) = ay;
      }
      grad -= neg / z;
    }
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
    if (!y.allFinite()) return absl::InternalError("t-SNE diverged (NaN in the embedding)");
    if (it + 1 == o.exaggeration_iterations) result.kl_after_exaggeration = kl_now();
  }
  result.kl = kl_now();
  result.embedding = y;
  return result;
}

}  // namespace isoae
