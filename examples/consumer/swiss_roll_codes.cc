// A program outside isoae built on its public targets: samples the Swiss roll
// with its isometric ground-truth chart, builds the I-AE paper's autoencoder
// (untrained) and measures both with I-AE Table 2's edge-length ratios. The
// ground-truth chart is an isometry (ratio std ~0); an untrained network's
// codes are not.
#include <ATen/ATen.h>

#include <cstdio>

#include "core/autoencoder.h"
#include "core/model.h"
#include "datasets/surfaces.h"
#include "metrics/edge_ratio.h"

namespace {

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "error: %s\n", std::string(s.message()).c_str());
  return 1;
}

}  // namespace

int main() {
  isoae::SurfaceConfig config;
  config.num_points = 2000;
  absl::StatusOr<isoae::SurfaceSample> roll =
      isoae::SampleSurface(isoae::Surface::kSwissRoll, config);
  if (!roll.ok()) return Fail(roll.status());

  // The chart's grid, mapped back onto the surface: an isometry.
  absl::StatusOr<isoae::TriangulatedGrid> grid = isoae::BuildLatentGrid(roll->chart, isoae::LatentGridConfig());
  if (!grid.ok()) return Fail(grid.status());
  absl::StatusOr<Eigen::MatrixXd> on_surface =
      isoae::ChartToSurface(isoae::Surface::kSwissRoll, config, grid->vertices);
  if (!on_surface.ok()) return Fail(on_surface.status());
  absl::StatusOr<isoae::EdgeRatioStats> chart_stats =
      isoae::EdgeLengthRatios(*grid, *on_surface);
  if (!chart_stats.ok()) return Fail(chart_stats.status());

  // The same measure for the codes of an untrained I-AE network (5 x 256
  // Softplus layers each way), decoded on the grid of its codes.
  at::manual_seed(0);  // the same untrained network every run
  absl::StatusOr<isoae::Autoencoder> ae =
      isoae::BuildAutoencoder(isoae::SurfacesMlp(), at::TensorOptions().dtype(at::kDouble));
  if (!ae.ok()) return Fail(ae.status());
  const Eigen::MatrixXd& p = roll->points;
  at::Tensor x = at::empty({p.rows(), 3}, at::kDouble);
  for (int64_t i = 0; i < p.rows(); ++i) {
    for (int64_t j = 0; j < 3; ++j) x[i][j] = p(i, j);
  }
  absl::StatusOr<at::Tensor> z = isoae::Encode(*ae, x);
  if (!z.ok()) return Fail(z.status());
  const at::Tensor zc = z->contiguous();
  Eigen::MatrixXd codes(zc.size(0), 2);
  for (int64_t i = 0; i < codes.rows(); ++i) {
    codes(i, 0) = zc[i][0].item<double>();
    codes(i, 1) = zc[i][1].item<double>();
  }
  absl::StatusOr<isoae::TriangulatedGrid> code_grid = isoae::BuildLatentGrid(codes, isoae::LatentGridConfig());
  if (!code_grid.ok()) return Fail(code_grid.status());
  at::Tensor v = at::empty({static_cast<int64_t>(code_grid->vertices.rows()), 2}, at::kDouble);
  for (int64_t i = 0; i < v.size(0); ++i) {
    v[i][0] = code_grid->vertices(i, 0);
    v[i][1] = code_grid->vertices(i, 1);
  }
  absl::StatusOr<at::Tensor> decoded = isoae::Decode(*ae, v);
  if (!decoded.ok()) return Fail(decoded.status());
  const at::Tensor dc = decoded->contiguous();
  Eigen::MatrixXd d(dc.size(0), 3);
  for (int64_t i = 0; i < d.rows(); ++i) {
    for (int64_t j = 0; j < 3; ++j) d(i, j) = dc[i][j].item<double>();
  }
  absl::StatusOr<isoae::EdgeRatioStats> net_stats = isoae::EdgeLengthRatios(*code_grid, d);
  if (!net_stats.ok()) return Fail(net_stats.status());

  std::printf("edge-length ratio std, ground-truth chart: %.4f (%lld edges)\n", chart_stats->std,
              static_cast<long long>(chart_stats->num_edges));
  std::printf("edge-length ratio std, untrained I-AE network: %.4f (%lld edges)\n",
              net_stats->std, static_cast<long long>(net_stats->num_edges));
  return chart_stats->std < 0.05 ? 0 : 1;
}
