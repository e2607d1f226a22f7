#include "metrics/neighborhood.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"

// Fortran BLAS (libblas.so.3: OpenBLAS or the reference implementation).
extern "C" void dgemm_(const char* transa, const char* transb, const int* m,
                       const int* n, const int* k, const double* alpha,
                       const double* a, const int* lda, const double* b,
                       const int* ldb, const double* beta, double* c,
                       const int* ldc);

namespace isoae {
namespace {

constexpr int kBlock = 512;

// Squared distances from rows [r0, r0 + rows) of x to all rows of x, as a
// column-major [n, rows] matrix: column b is point r0 + b's distance row,
// contiguous. d(j, b) = |x_j|^2 + |x_{r0+b}|^2 - 2 x_j . x_{r0+b}.
void BlockDistances(const Eigen::MatrixXd& x, const Eigen::VectorXd& norms,
                    int r0, int rows, Eigen::MatrixXd* d) {
  const int n = static_cast<int>(x.rows());
  const int dim = static_cast<int>(x.cols());
  d->resize(n, rows);
  // x is column-major n x dim; the block B = x[r0:r0+rows, :] has ldb = n.
  const double alpha = -2.0, beta = 0.0;
  const int lda = n, ldb = n, ldc = n;
  dgemm_("N", "T", &n, &rows, &dim, &alpha, x.data(), &lda, x.data() + r0, &ldb,
         &beta, d->data(), &ldc);
  for (int b = 0; b < rows; ++b) {
    double* col = d->col(b).data();
    const double nb = norms(r0 + b);
    for (int j = 0; j < n; ++j) col[j] = std::max(0.0, col[j] + norms(j) + nb);
  }
}

// The k nearest of row `row` (excluding `self`), nearest first, ties by index.
void Nearest(const double* dist, int n, int self, int k, std::vector<int>* scratch,
             int64_t* out) {
  std::vector<int>& idx = *scratch;
  idx.resize(n - 1);
  for (int j = 0, p = 0; j < n; ++j) {
    if (j != self) idx[p++] = j;
  }
  const auto closer = [dist](int a, int b) {
    return dist[a] < dist[b] || (dist[a] == dist[b] && a < b);
  };
  std::nth_element(idx.begin(), idx.begin() + k, idx.end(), closer);
  std::sort(idx.begin(), idx.begin() + k, closer);
  for (int t = 0; t < k; ++t) out[t] = idx[t];
}

// Rank of j among i's neighbours (1 = nearest), ties by index.
int64_t Rank(const double* dist, int n, int self, int j) {
  int64_t r = 1;
  const double dj = dist[j];
  for (int l = 0; l < n; ++l) {
    if (l == self || l == j) continue;
    r += (dist[l] < dj || (dist[l] == dj && l < j)) ? 1 : 0;
  }
  return r;
}

absl::Status CheckInput(const Eigen::MatrixXd& x, const char* what, int k) {
  if (x.rows() < 3 || x.cols() < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " is ", x.rows(), "x", x.cols(), "; need at least 3 points"));
  }
  if (!x.allFinite()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " has NaN/Inf entries"));
  }
  if (k < 1 || 2 * k >= x.rows()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "k = ", k, " for ", x.rows(), " points: need 1 <= k < n / 2"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<IndexMatrix> ExactKnn(const Eigen::MatrixXd& x, int k) {
  const absl::Status s = CheckInput(x, "points", k);
  if (!s.ok()) return s;
  const int n = static_cast<int>(x.rows());
  const Eigen::VectorXd norms = x.rowwise().squaredNorm();
  IndexMatrix out(n, k);
  Eigen::MatrixXd d;
  std::vector<int> scratch;
  for (int r0 = 0; r0 < n; r0 += kBlock) {
    const int rows = std::min(kBlock, n - r0);
    BlockDistances(x, norms, r0, rows, &d);
    for (int b = 0; b < rows; ++b) {
      Nearest(d.col(b).data(), n, r0 + b, k, &scratch, out.row(r0 + b).data());
    }
  }
  return out;
}

absl::StatusOr<NeighborhoodScores> NeighborhoodPreservation(
    const Eigen::MatrixXd& data, const Eigen::MatrixXd& codes, int k) {
  if (data.rows() != codes.rows()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "data has ", data.rows(), " rows, codes ", codes.rows()));
  }
  absl::Status s = CheckInput(data, "data", k);
  if (s.ok()) s = CheckInput(codes, "codes", k);
  if (!s.ok()) return s;
  const int n = static_cast<int>(data.rows());
  const Eigen::VectorXd nx = data.rowwise().squaredNorm();
  const Eigen::VectorXd nz = codes.rowwise().squaredNorm();
  Eigen::MatrixXd dx, dz;
  std::vector<int> scratch;
  std::vector<int64_t> kx(k), kz(k);
  double t_sum = 0, c_sum = 0;
  int64_t shared = 0;
  for (int r0 = 0; r0 < n; r0 += kBlock) {
    const int rows = std::min(kBlock, n - r0);
    BlockDistances(data, nx, r0, rows, &dx);
    BlockDistances(codes, nz, r0, rows, &dz);
    for (int b = 0; b < rows; ++b) {
      const int i = r0 + b;
      const double* rx = dx.col(b).data();  // i's distances in the data
      const double* rz = dz.col(b).data();  // and in the codes
      Nearest(rx, n, i, k, &scratch, kx.data());
      Nearest(rz, n, i, k, &scratch, kz.data());
      std::vector<int64_t> sx(kx), sz(kz);
      std::sort(sx.begin(), sx.end());
      std::sort(sz.begin(), sz.end());
      for (int64_t j : kz) {  // U: code neighbours that are not data neighbours
        if (std::binary_search(sx.begin(), sx.end(), j)) {
          ++shared;
        } else {
          t_sum += static_cast<double>(Rank(rx, n, i, j) - k);
        }
      }
      for (int64_t j : kx) {  // V: data neighbours that are not code neighbours
        if (!std::binary_search(sz.begin(), sz.end(), j)) {
          c_sum += static_cast<double>(Rank(rz, n, i, j) - k);
        }
      }
    }
  }
  const double norm = 2.0 / (static_cast<double>(n) * k * (2.0 * n - 3.0 * k - 1.0));
  NeighborhoodScores sc;
  sc.k = k;
  sc.trustworthiness = 1.0 - norm * t_sum;
  sc.continuity = 1.0 - norm * c_sum;
  sc.knn_recall = static_cast<double>(shared) / (static_cast<double>(n) * k);
  return sc;
}

}  // namespace isoae
