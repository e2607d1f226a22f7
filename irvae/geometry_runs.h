// The loop behind IRVAE's experiments (section 5.1, appendix E): train one
// registered method on a dataset's training split, then score the decoder's
// geometry on the test split:
//
//   mse   mean squared reconstruction error per element, x vs f(Codes(x))
//   VoR   variance of the Riemannian metric, mean d^2(G(z), mean G) with the
//         affine-invariant distance (metrics/riemannian.h)
//   MCN   mean condition number lambda_max / lambda_min of G(z) (and its
//         standard deviation and max)
//
// at z = the test codes (Table 3, E.8) and at z ~ P_Z, mixup-augmented test
// codes with eta = 0.2 (section 5.1: "sampling a sufficiently large number of
// points from P_Z"; a fixed seed, so every method is scored on the same
// mixing coefficients; eta < 0 scores the codes themselves). G(z) = J^T J
// of the decoder mean (metrics/pullback.h), plus a ridge 1e-10 Tr G / m: a
// decoder that ignores a latent direction has a singular G, which then reads
// as a condition number of ~1e10 instead of stopping the sweep; where G = 0
// (the decoder locally constant, e.g. every ReLU of a layer off at an
// extrapolated mixup point) the point is left out and counted.
//
// Errors: the registry's, loaders', trainer's and metrics' codes.
#ifndef ISOAE_IRVAE_GEOMETRY_RUNS_H_
#define ISOAE_IRVAE_GEOMETRY_RUNS_H_

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/invertible.h"
#include "core/model.h"
#include "core/trainer.h"
#include "core/vae.h"
#include "datasets/registry.h"
#include "irvae/flattening.h"

namespace isoae {

// The data of an experiment, loaded once: training items as uint8 [N, ...]
// (converted per batch), test (and, when asked for, validation) items as
// float [n, ...data shape] in [0, 1].
struct ExperimentData {
  at::Tensor train;
  at::Tensor test;
  at::Tensor valid;  // undefined unless max_valid_items != 0
  std::vector<int32_t> test_labels;  // empty when unlabelled
  // 0/1 attributes, item-major (CelebA); empty without attributes.
  std::vector<uint8_t> train_attributes, test_attributes;
  std::vector<std::string> attribute_names;
  int64_t item_size = 0;
  std::string name;
};
// At most max_test_items test items (<= 0: all), evenly spaced; likewise
// max_valid_items of the validation split (0: none loaded, < 0: all;
// kInvalidArgument if asked for and the split is empty). A dataset without a
// test split (COIL-20) is an error, unless `training_items_if_no_test`: then
// the training items stand in for it (the I-AE paper visualises the whole
// COIL-20 set it trained on); the test name says so.
absl::StatusOr<ExperimentData> LoadExperimentData(const DatasetRequest& request,
                                                  int64_t max_test_items,
                                                  const c10::Device& device,
                                                  int64_t max_valid_items = 0,
                                                  bool training_items_if_no_test = false);

struct RunSpec {
  std::string method;          // registry spec, e.g. "irvae:100"
  std::string method_options;  // "key=value,..."
  // method_options is shared by the methods of an experiment and was
  // checked as a whole (BuildMethods): keys this method does not read are
  // ignored instead of refused.
  bool shared_options = false;
  std::string arch = "irvae_fc";
  int64_t latent_dim = 2;
  VaeOptions vae;
  TrainConfig train;           // checkpoint_path / fingerprint / log_prefix set by TrainRun
  std::string checkpoint_dir;  // <dir>/<tag>.pt; empty: no checkpoints
  std::string tag;             // file name and log prefix
  c10::Device device = c10::Device(c10::kCPU);
  RealNvpOptions flow;         // the invertible map of a flattening method
  double width_multiplier = 1.0;  // of the architecture's hidden layers (tests)
};

// A method spec as a file-name tag: "iae:0.1" -> "iae_0.1" (':', '+', '='
// and ',' become '_').
std::string RunTag(const std::string& method);

// The run of `method` in an experiment whose methods share one
// `method_options` (shared_options): trained with `train` on `device`,
// tagged RunTag(method), checkpoints in `checkpoint_dir`. The caller sets
// the architecture, latent dimension and whatever else differs.
RunSpec SharedOptionsRun(const std::string& method, const std::string& method_options,
                         const TrainConfig& train, c10::Device device,
                         const std::string& checkpoint_dir);

struct TrainedRun {
  std::unique_ptr<Model> model;
  TrainHistory history;
  std::string method;  // canonical spec
};
// With train.resume, a run whose checkpoint exists continues from it and one
// without starts from scratch (a resumed sweep), unlike Train alone.
// `eval` (optional) runs every train.eval_every steps with the model in eval
// mode (core/trainer.h: EvalFn); an error from it stops training.
// A method of kind kFlattened (IRVAE's flattening module, "fm") trains an
// invertible map on the trained `base` (moved in; the result's model wraps
// it); every other method builds a fresh model and needs no base.
using ModelEvalFn = std::function<absl::Status(Model& model, int64_t step)>;
absl::StatusOr<TrainedRun> TrainRun(const RunSpec& spec, const ExperimentData& data,
                                    std::unique_ptr<Model> base = nullptr,
                                    const ModelEvalFn& eval = nullptr);

// The flattening run ("fm") on the model `trained` trained: the plan's
// schedule (seed: trained's) and flow, `options` (from FlatteningOptions),
// tag "<trained tag>_fm".
RunSpec FlatteningRunSpec(const RunSpec& trained, const FlatteningPlan& plan,
                          const std::string& options);

struct GeometryScores {
  double mse = 0;
  double vor = 0, mcn = 0, mcn_std = 0, mcn_max = 0;  // at the test codes
  double vor_aug = 0, mcn_aug = 0, mcn_aug_std = 0;   // at mixup-augmented codes
  at::Tensor codes;                                    // [n, d] test codes
  // Points (codes and augmented) left out because G = 0 there: a locally
  // constant decoder has no condition number (metrics/riemannian.h).
  int64_t zero_metrics = 0;
};
absl::StatusOr<GeometryScores> ScoreGeometry(Model& model, const at::Tensor& test,
                                             double eta = 0.2, uint64_t seed = 12345);

}  // namespace isoae

#endif  // ISOAE_IRVAE_GEOMETRY_RUNS_H_
