// bazel run //iae:surfaces -- [--flagfile=iae/surfaces_paper.flags] [flags]
//
// I-AE vs AE on the 3D surfaces (I-AE paper section 4.1, Table 2). The
// defaults are the README's quick run: the Swiss roll, the paper's networks
// and lambda_iso, 1000 points and 2000 full-batch epochs (the paper: 100K),
// about 5 minutes on 2 cores. iae/surfaces_all.flags runs all three
// surfaces; iae/surfaces_paper.flags holds the paper's schedule. See
// iae/surfaces.h for the outputs.
#include <gflags/gflags.h>
#include <glog/logging.h>

#include <cstdio>
#include <iostream>

#include "absl/strings/str_split.h"
#include "core/device.h"
#include "core/main_init.h"
#include "core/table.h"
#include "core/train_flags.h"
#include "iae/surfaces.h"

DEFINE_string(surfaces, "swiss_roll",
              "Comma-separated surfaces: s_shape, swiss_roll, open_sphere.");
DEFINE_string(methods, "iae,ae",
              "Comma-separated methods of the registry (iae = ae + iso + piso with "
              "--lambda_iso; ae, dae, wae, cae, rae_gp, rae_l2, aew, or any spec such as "
              "ae+iso:0.1); all = the columns of Table 2 we have: iae,cae,rae_gp,dae,ae "
              "(TCAE's tied weights are not built yet).");
DEFINE_int64(num_points, 1000, "Points sampled (uniformly by area) per surface.");
DEFINE_double(noise, 0.0, "Std of Gaussian noise added to the points.");
DEFINE_double(data_scale, 1.0,
              "Multiplies the sampled points (the paper gives no sizes; L_rec grows with its "
              "square, the isometry terms do not).");
DEFINE_double(lambda_iso, 0.01, "I-AE weight lambda_iso of L_iso + L_piso.");
DEFINE_string(iso_prior, "uniform", "P_iso: uniform (codes' bounding box) or gaussian.");
DEFINE_int64(iso_samples, 0, "z samples per step for L_iso; 0 = batch size.");
DEFINE_int32(hidden_width, 256, "Width of the FC layers (paper: 256).");
DEFINE_int32(hidden_layers, 5, "FC layers per side (paper: 5).");
DEFINE_double(softplus_beta, 100.0, "Softplus beta (paper: 100).");
DEFINE_int32(grid_cells, 30, "Latent grid cells along the longer side.");
DEFINE_string(warm_start, "",
              "Diagnostic: \"isomap\" fits encoder and decoder to an Isomap chart of the points "
              "(and back) before training; empty = random init, as the paper.");
DEFINE_int64(warm_start_epochs, 500, "Full-batch epochs of the warm start.");
DEFINE_string(output_dir, "out/surfaces", "Where tables, figures and checkpoints go.");
DEFINE_bool(figures, true, "Write PNG figures.");

namespace {

std::vector<std::string> SplitList(const std::string& s) {
  return absl::StrSplit(s, ',', absl::SkipEmpty());
}

}  // namespace

int main(int argc, char** argv) {
  // Full batch, 2000 epochs (the paper: 100K), as the README's quick run.
  isoae::SetTrainFlagDefaults({.epochs = 2000, .batch_size = 0, .lr = 1e-3,
                               .checkpoint_every = 1000});
  isoae::InitMain("I-AE vs AE on 3D surfaces (I-AE paper Table 2)", &argc, &argv);
  absl::StatusOr<isoae::TrainFlags> train = isoae::TrainFlagsFromCommandLine();
  if (!train.ok()) {
    std::cerr << "error: " << train.status().message() << "\n";
    return 2;
  }
  isoae::SurfacesExperimentConfig c;
  c.surfaces = SplitList(FLAGS_surfaces);
  c.methods = SplitList(FLAGS_methods == "all" ? "iae,cae,tcae,rae_gp,dae,ae" : FLAGS_methods);
  c.data.num_points = FLAGS_num_points;
  c.data.noise = FLAGS_noise;
  c.data_scale = FLAGS_data_scale;
  c.epochs = train->train.epochs;
  c.batch_size = train->train.batch_size;
  c.learning_rate = train->train.learning_rate;
  c.iae.lambda_iso = FLAGS_lambda_iso;
  auto prior = isoae::ParseIsoPrior(FLAGS_iso_prior);
  if (!prior.ok()) {
    std::cerr << "error: --iso_prior: " << prior.status().message() << "\n";
    return 2;
  }
  c.iae.prior = *prior;
  c.iae.iso_samples = FLAGS_iso_samples;
  c.hidden_width = FLAGS_hidden_width;
  c.hidden_layers = FLAGS_hidden_layers;
  c.softplus_beta = FLAGS_softplus_beta;
  c.grid_cells = FLAGS_grid_cells;
  c.warm_start = FLAGS_warm_start;
  c.warm_start_epochs = FLAGS_warm_start_epochs;
  c.seed = train->train.seed;
  c.device = train->device_name;
  c.output_dir = isoae::ResolveUserPath(FLAGS_output_dir);
  c.checkpoint_every = train->train.checkpoint_every;
  c.resume = train->train.resume;
  c.write_figures = FLAGS_figures;
  if (absl::Status s = isoae::ValidateSurfacesConfig(c); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 2;
  }
  if (absl::Status s = isoae::WriteTextFile(c.output_dir + "/flags.txt",
                                            gflags::CommandlineFlagsIntoString());
      !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  auto result = isoae::RunSurfacesExperiment(c);
  if (!result.ok()) {
    std::cerr << "error: " << result.status() << "\n";
    return 1;
  }
  std::cout << "\nEdge-length-ratio std on the latent grid (I-AE paper Table 2; lower = "
               "closer to an isometry)\n"
            << result->table_text
            << "\nThe same over every cell of the codes' bounding box (tears and holes "
               "included)\n"
            << result->full_box_table_text
            << "\nPaper: I-AE 0.03 / 0.02 / 0.07, AE 1.85 / 1.63 / 1.29"
            << " (S shape / Swiss roll / open sphere)\nResults, figures and flags in "
            << c.output_dir << "\n";
  return 0;
}
