// IRVAE section 5.2 (Tables 1 and 4, appendix D.3): unsupervised face
// retrieval on CelebA. VAE, FMVAE, IRVAE and IRVAE + FM are trained with the
// D.3 networks (64x64x3, latent 128, tanh output); retrieval runs in their
// latent spaces (metrics/retrieval.h): the queries are all training images
// having the query attribute(s), the candidates the test images, ranked by
// summed cosine similarity; P@1/5/10/20 for single attributes (SAR, all 40)
// and attribute pairs (DAR, pairs holding 1-50 % of the test set).
//
// Outputs in output_dir: retrieval.csv / .json (method, mode, P@K, test MSE,
// seconds), per_attribute_p10.csv (Table 4: P@10 per attribute and method),
// history_<tag>.csv, checkpoints/.
//
// The paper's choices (D.3): FMVAE alpha 1, IRVAE alpha 10, FM with beta =
// 100 and Adam 1e-5; 100 epochs at Adam 1e-4, batch 100.
//
// Errors: kInvalidArgument for a dataset without attributes, a non-finite
// alpha (a negative one skips its method), an empty output_dir, bad FM
// options (checked before any training); the loaders', registry's and
// trainer's codes.
#ifndef ISOAE_IRVAE_RETRIEVAL_H_
#define ISOAE_IRVAE_RETRIEVAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "irvae/flattening.h"
#include "core/trainer.h"
#include "datasets/registry.h"

namespace isoae {

struct RetrievalConfig {
  DatasetRequest data;                  // default: celeba (needs --data_dir)
  std::string arch = "irvae_celeba_cnn";
  double width_multiplier = 1.0;        // hidden layers (tests run small nets)
  int64_t latent_dim = 128;
  bool run_vae = true;
  double fmvae_alpha = 1;               // < 0: skip
  double irvae_alpha = 10;              // < 0: skip (and no FM)
  std::string method_options;
  TrainConfig train;
  FlatteningPlan fm{true, TrainConfig{}, RealNvpOptions{}, "fm_beta=100"};
  std::string device = "cpu";
  std::string output_dir = "out/irvae_retrieval";
  int64_t max_test_items = 0;           // 0: the whole test split
};

struct RetrievalRow {
  std::string method;               // vae | fmvae | irvae | irvae+fm
  std::vector<double> single, dual;  // P@K, K = 1, 5, 10, 20
  double mse = 0, seconds = 0;
};

struct RetrievalReport {
  std::vector<RetrievalRow> rows;
  std::string table_text;
};

absl::StatusOr<RetrievalReport> RunRetrievalExperiment(const RetrievalConfig& config);

}  // namespace isoae

#endif  // ISOAE_IRVAE_RETRIEVAL_H_
