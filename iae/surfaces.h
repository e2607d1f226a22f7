// The I-AE paper's 3D-surfaces experiment (section 4.1, Table 2, appendix
// A.1.2): train I-AE and a plain AE with the same networks and schedule on
// the S-shape, Swiss roll and open sphere, and measure how close each decoder
// is to an isometry by the edge-length-ratio std on a triangulated latent grid
// (metrics/edge_ratio.h). Paper's Table 2 (std of l_ij):
//
//                 I-AE   AE
//   S shape       0.03   1.85
//   Swiss roll    0.02   1.63
//   Open sphere   0.07   1.29
//
// Outputs in config.output_dir: edge_ratio_table.{csv,json} (rows surfaces,
// columns methods), edge_ratio_details.csv (mean, percentiles, final losses,
// time per run), history_<surface>_<method>.csv (loss terms over training),
// embedding_<surface>_<method>.png (codes coloured by the true chart),
// decoded_grid_<surface>_<method>.png (decoded latent grid over the data, 3D),
// and checkpoints under checkpoints/.
//
// Errors: kInvalidArgument for bad config values (each names the field);
// training and checkpoint errors as in core/trainer.h.
#ifndef ISOAE_IAE_SURFACES_H_
#define ISOAE_IAE_SURFACES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "datasets/surfaces.h"
#include "iae/iae_loss.h"
#include "metrics/edge_ratio.h"

namespace isoae {

struct SurfacesExperimentConfig {
  std::vector<std::string> surfaces = {"s_shape", "swiss_roll", "open_sphere"};
  // Registry specs of deterministic-autoencoder methods (core/method.h);
  // "iae" gets lambda_iso from `iae`.
  std::vector<std::string> methods = {"iae", "ae"};
  SurfaceConfig data;            // num_points, noise, sizes
  // Multiplies the sampled points (the paper gives no sizes): L_rec scales
  // with its square, L_iso and L_piso do not.
  double data_scale = 1.0;
  int64_t epochs = 2000;         // full batch: one step per epoch (paper: 100K)
  int64_t batch_size = 0;        // 0: full batch (as the paper)
  double learning_rate = 1e-3;
  IaeConfig iae;                 // lambda_iso = 0.01 as the paper
  int hidden_width = 256;        // 5 x FC <width> per side, as the paper
  int hidden_layers = 5;
  double softplus_beta = 100.0;
  // A diagnostic, not the paper's method: "isomap" first fits the encoder to
  // an Isomap chart of the points (k = 10 neighbours, geodesic distances, so
  // an isometric layout) and the decoder to its inverse, for
  // warm_start_epochs full-batch epochs of ||g(x) - u||^2 + ||f(u) - x||^2;
  // the method's own training follows. It tells whether a method's
  // distortion comes from its loss or from the layout its training settles
  // into early. "" (default): random initialisation, as the paper. With a
  // warm start, epochs = 0 scores the warm-started networks themselves.
  std::string warm_start;
  int64_t warm_start_epochs = 500;
  int grid_cells = 30;
  uint64_t seed = 0;
  std::string device = "cpu";
  std::string output_dir = "out/surfaces";
  int64_t checkpoint_every = 0;  // steps; 0: only at the end of each run
  bool resume = false;
  bool write_figures = true;
  bool quiet = false;
};

struct SurfaceRunResult {
  std::string surface, method;
  EdgeRatioStats edge_ratio;           // cells holding a code (Table 2)
  EdgeRatioStats edge_ratio_full_box;  // every cell of the codes' bounding box
  double final_rec = 0;
  double seconds = 0;
};

struct SurfacesExperimentResult {
  std::vector<SurfaceRunResult> runs;
  std::string table_text;  // the Table 2 analogue, for stdout
  std::string full_box_table_text;  // the same over the whole bounding box
};

absl::Status ValidateSurfacesConfig(const SurfacesExperimentConfig& config);

absl::StatusOr<SurfacesExperimentResult> RunSurfacesExperiment(
    const SurfacesExperimentConfig& config);

}  // namespace isoae

#endif  // ISOAE_IAE_SURFACES_H_
