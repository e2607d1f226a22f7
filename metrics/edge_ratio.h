// The I-AE paper's isometry measure (section 4.1, Table 2): triangulate a
// planar grid over the region covered by the latent codes, map its vertices
// through the decoder, and compare edge lengths:
//
//   l_ij = ||f(z_i) - f(z_j)|| / ||z_i - z_j||       for every grid edge e_ij
//
// For an isometry every l_ij = 1. "For a fair comparison, we scaled z_i so the
// mean of l_ij is 1": scaling the latent plane by c divides every l_ij by c,
// so the reported ratios are l_ij / mean(l), and the table entry is their
// standard deviation (population, 1/N). Percentiles are reported as well.
//
// The grid: square cells of side h = (longest side of the codes' bounding
// box) / cells; a cell is kept when at least min_codes_per_cell codes fall in
// it ("vertices only where codes are"; 0 keeps every cell of the bounding
// box, which also measures the decoder over holes and tears between the
// codes: the paper does not say which it used); each kept cell is split into two
// triangles along its (0,0)-(1,1) diagonal; edges are the unique triangle
// sides (horizontal, vertical and diagonal).
//
// Eigen only, no LibTorch: the caller decodes the vertices. Errors
// (kInvalidArgument, naming the argument): codes not [n, 2], fewer than 3
// codes, NaN/Inf codes, a degenerate bounding box, cells < 1, no kept cell;
// decoded rows != vertices, NaN/Inf decoded values, all edges collapsed.
#ifndef ISOAE_METRICS_EDGE_RATIO_H_
#define ISOAE_METRICS_EDGE_RATIO_H_

#include <Eigen/Dense>

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace isoae {

struct LatentGridConfig {
  int cells = 30;  // along the longer side of the bounding box
  int min_codes_per_cell = 1;  // 0: the whole bounding box
};

struct TriangulatedGrid {
  Eigen::MatrixXd vertices;  // [V, 2]
  std::vector<std::array<int, 2>> edges;
  std::vector<std::array<int, 3>> triangles;
  double cell_size = 0;
};

absl::StatusOr<TriangulatedGrid> BuildLatentGrid(const Eigen::MatrixXd& codes,
                                                 const LatentGridConfig& config);

struct EdgeRatioStats {
  int64_t num_edges = 0;
  double raw_mean = 0;  // mean of l_ij before normalisation (the scale c)
  double std = 0;       // std of l_ij / raw_mean: the Table 2 number
  double min = 0, p5 = 0, p25 = 0, p50 = 0, p75 = 0, p95 = 0, max = 0;
  std::vector<double> ratios;  // l_ij / raw_mean, in edge order
};

// decoded: f(vertices), [V, D].
absl::StatusOr<EdgeRatioStats> EdgeLengthRatios(const TriangulatedGrid& grid,
                                                const Eigen::MatrixXd& decoded);

}  // namespace isoae

#endif  // ISOAE_METRICS_EDGE_RATIO_H_
