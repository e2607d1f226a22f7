#include "metrics/edge_ratio.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"

namespace isoae {
namespace {

double Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double pos = q * (sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(sorted.size() - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

}  // namespace

absl::StatusOr<TriangulatedGrid> BuildLatentGrid(const Eigen::MatrixXd& codes,
                                                 const LatentGridConfig& config) {
  if (codes.cols() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "codes must be [n, 2] (a planar latent space), got [", codes.rows(), ", ",
        codes.cols(), "]"));
  }
  if (codes.rows() < 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "need at least 3 codes to build a latent grid, got ", codes.rows()));
  }
  if (!codes.allFinite()) return absl::InvalidArgumentError("codes contain NaN or Inf");
  if (config.cells < 1 || config.min_codes_per_cell < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "grid cells must be >= 1 and min_codes_per_cell >= 0, got ", config.cells, " and ",
        config.min_codes_per_cell));
  }
  const Eigen::Vector2d lo = codes.colwise().minCoeff();
  const Eigen::Vector2d hi = codes.colwise().maxCoeff();
  const double extent = (hi - lo).maxCoeff();
  if (!(extent > 0)) {
    return absl::InvalidArgumentError("codes are all identical: no region to triangulate");
  }
  const double h = extent / config.cells;
  const int nx = std::max(1, static_cast<int>(std::ceil((hi(0) - lo(0)) / h - 1e-9)));
  const int ny = std::max(1, static_cast<int>(std::ceil((hi(1) - lo(1)) / h - 1e-9)));
  std::vector<int> count(static_cast<size_t>(nx) * ny, 0);
  for (int64_t i = 0; i < codes.rows(); ++i) {
    const int cx = std::clamp(static_cast<int>((codes(i, 0) - lo(0)) / h), 0, nx - 1);
    const int cy = std::clamp(static_cast<int>((codes(i, 1) - lo(1)) / h), 0, ny - 1);
    ++count[static_cast<size_t>(cy) * nx + cx];
  }
  TriangulatedGrid grid;
  grid.cell_size = h;
  std::map<std::pair<int, int>, int> vertex_id;
  std::vector<Eigen::Vector2d> verts;
  auto vid = [&](int gx, int gy) {
    auto [it, inserted] = vertex_id.emplace(std::make_pair(gx, gy), static_cast<int>(verts.size()));
    if (inserted) verts.push_back(lo + Eigen::Vector2d(gx * h, gy * h));
    return it->second;
  };
  std::map<std::pair<int, int>, bool> edge_seen;
  auto add_edge = [&](int a, int b) {
    auto key = std::minmax(a, b);
    if (edge_seen.emplace(key, true).second) grid.edges.push_back({key.first, key.second});
  };
  for (int cy = 0; cy < ny; ++cy) {
    for (int cx = 0; cx < nx; ++cx) {
      if (count[static_cast<size_t>(cy) * nx + cx] < config.min_codes_per_cell) continue;
      const int v00 = vid(cx, cy), v10 = vid(cx + 1, cy);
      const int v11 = vid(cx + 1, cy + 1), v01 = vid(cx, cy + 1);
      grid.triangles.push_back({v00, v10, v11});
      grid.triangles.push_back({v00, v11, v01});
      add_edge(v00, v10);
      add_edge(v10, v11);
      add_edge(v11, v01);
      add_edge(v01, v00);
      add_edge(v00, v11);
    }
  }
  if (grid.triangles.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no grid cell holds min_codes_per_cell = ", config.min_codes_per_cell, " codes"));
  }
  grid.vertices.resize(static_cast<int64_t>(verts.size()), 2);
  for (size_t i = 0; i < verts.size(); ++i) grid.vertices.row(i) = verts[i].transpose();
  return grid;
}

absl::StatusOr<EdgeRatioStats> EdgeLengthRatios(const TriangulatedGrid& grid,
                                                const Eigen::MatrixXd& decoded) {
  if (decoded.rows() != grid.vertices.rows()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "decoded has ", decoded.rows(), " rows but the grid has ", grid.vertices.rows(),
        " vertices"));
  }
  if (!decoded.allFinite()) {
    return absl::InvalidArgumentError("decoded grid vertices contain NaN or Inf");
  }
  if (grid.edges.empty()) return absl::InvalidArgumentError("grid has no edges");
  std::vector<double> l;
  l.reserve(grid.edges.size());
  double sum = 0;
  for (const auto& e : grid.edges) {
    const double dz = (grid.vertices.row(e[0]) - grid.vertices.row(e[1])).norm();
    const double dx = (decoded.row(e[0]) - decoded.row(e[1])).norm();
    l.push_back(dx / dz);
    sum += l.back();
  }
  EdgeRatioStats s;
  s.num_edges = static_cast<int64_t>(l.size());
  s.raw_mean = sum / l.size();
  if (!(s.raw_mean > 0)) {
    return absl::InvalidArgumentError("decoder maps every grid edge to length 0");
  }
  double var = 0;
  for (double& v : l) {
    v /= s.raw_mean;
    var += (v - 1) * (v - 1);
  }
  s.std = std::sqrt(var / l.size());
  s.ratios = l;
  std::sort(l.begin(), l.end());
  s.min = l.front();
  s.max = l.back();
  s.p5 = Percentile(l, 0.05);
  s.p25 = Percentile(l, 0.25);
  s.p50 = Percentile(l, 0.5);
  s.p75 = Percentile(l, 0.75);
  s.p95 = Percentile(l, 0.95);
  return s;
}

}  // namespace isoae
