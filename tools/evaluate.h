// Evaluation of a trained autoencoder checkpoint on a dataset split: every
// measure of metrics/ that applies, as one JSON document.
//
//   reconstruction   mean squared error per element and the training loss
//                    convention (sum over elements, mean over items)
//   geometry         at the encoded points z = g(x) (the mean half of a VAE
//                    encoder's output): VoR (arithmetic mean; Karcher mean on
//                    request), MCN with condition-number std and max, relaxed
//                    distortion and its trace ratio, FMVAE flatness; G gets
//                    a relative ridge 1e-10 Tr G / m (metrics/riemannian.h:
//                    AddRelativeRidge), so a singular metric reads as a
//                    condition number of ~m * 1e10 instead of an error
//   edge_ratio       I-AE Table 2's measure, for 2-D latent spaces
//   neighbourhood    trustworthiness, continuity, kNN recall (data vs codes)
//   frechet          Frechet distance between Gaussians fitted to the items
//                    and their reconstructions, on raw pixels by default, or
//                    on the outputs of a TorchScript feature extractor
//                    (`fd_features`: a module whose forward maps a float
//                    batch [B, C, H, W] in [0, 1] to [B, F]). Only with
//                    Inception-v3 pool features is that FID; the report
//                    names the features used.
//   retrieval        P@1/5/10/20, single and double attribute (datasets with
//                    attributes; queries from the training split)
//
// The architecture comes from `arch` + `latent_dim`, the model kind (ae or
// vae, whose encoder ends in 2 * latent_dim) from `model` or, by default,
// from the checkpoint's fingerprint, which also identifies a flattened model
// (IRVAE's flattening module: codes h(g(x)), decoder f o h^-1, its Real NVP
// rebuilt from the fingerprint); the checkpoint must have been written
// for that model (its fingerprint starts with the model's, see
// LoadModelFromCheckpoint). Every measure is taken at the codes
// (Model::Codes: the mean for a VAE) and of the decoder mean.
//
// Errors: the loaders' and checkpoint's codes; kInvalidArgument for an unknown
// arch, model or split, an architecture whose input size differs from the dataset's
// items, bad counts; kFailedPrecondition for a checkpoint of another
// architecture.
#ifndef ISOAE_TOOLS_EVALUATE_H_
#define ISOAE_TOOLS_EVALUATE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "datasets/registry.h"

namespace isoae {

struct EvaluateConfig {
  std::string checkpoint;
  std::string arch = "irvae_fc";  // irvae_fc | fc_nn | s_cnn | l_cnn
  int64_t latent_dim = 2;
  std::string model = "auto";  // ae | vae | auto (from the checkpoint's fingerprint)
  DatasetRequest data;
  std::string split = "test";     // train | valid | test
  int64_t max_points = 10000;     // items evaluated (first of the split)
  int neighbors_k = 10;           // 0: skip neighbourhood measures
  bool karcher = false;
  int64_t fd_max_dim = 4096;      // skip the Frechet distance above
  std::string fd_features = "pixels";  // or a TorchScript module path
  int64_t retrieval_train_points = 20000;
  std::string device = "cpu";
};

// The report as JSON text (pretty-printed), plus a short text summary.
struct EvaluationReport {
  std::string json;
  std::string summary;
};

absl::StatusOr<EvaluationReport> RunEvaluation(const EvaluateConfig& config);

}  // namespace isoae

#endif  // ISOAE_TOOLS_EVALUATE_H_
