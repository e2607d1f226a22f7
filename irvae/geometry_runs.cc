#include "irvae/geometry_runs.h"

#include <ATen/ATen.h>
#include <glog/logging.h>

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/autoencoder.h"
#include "core/decoder_geometry.h"
#include "core/method.h"
#include "core/model_builder.h"
#include "core/status_macros.h"
#include "core/torch_boundary.h"
#include "datasets/tensor_adapter.h"
#include "irvae/flattening.h"
#include "metrics/pullback.h"
#include "metrics/riemannian.h"

namespace isoae {

absl::StatusOr<ExperimentData> LoadExperimentData(const DatasetRequest& request,
                                                  int64_t max_test_items,
                                                  const c10::Device& device,
                                                  int64_t max_valid_items,
                                                  bool training_items_if_no_test) {
  ISOAE_ASSIGN_OR_RETURN(DatasetSplits splits, LoadDatasetSplits(request));
  if (splits.test.size() == 0 && training_items_if_no_test) {
    std::vector<int64_t> all(splits.train.size());
    for (int64_t i = 0; i < splits.train.size(); ++i) all[i] = i;
    ISOAE_ASSIGN_OR_RETURN(
        splits.test,
        Subset(splits.train, all, splits.train.name + " (no test split: the training items)"));
  }
  if (splits.test.size() < 10) {
    return absl::InvalidArgumentError(absl::StrCat(splits.test.name, " has ",
                                                   splits.test.size(),
                                                   " items; the scores need at least 10"));
  }
  ExperimentData out;
  out.item_size = splits.train.item_size();
  out.name = splits.train.name;
  // Evenly spaced items, so that a capped split keeps every class.
  auto cap = [](Dataset* d, int64_t max_items) -> absl::Status {
    if (max_items <= 0 || d->size() <= max_items) return absl::OkStatus();
    std::vector<int64_t> idx(max_items);
    for (int64_t i = 0; i < max_items; ++i) idx[i] = i * d->size() / max_items;
    ISOAE_ASSIGN_OR_RETURN(*d, Subset(*d, idx, d->name));
    return absl::OkStatus();
  };
  Dataset test = std::move(splits.test);
  ISOAE_RETURN_IF_ERROR(cap(&test, max_test_items));
  if (max_valid_items != 0) {
    if (splits.valid.size() == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(splits.train.name, " has no validation items"));
    }
    Dataset valid = std::move(splits.valid);
    ISOAE_RETURN_IF_ERROR(cap(&valid, max_valid_items));
    ISOAE_ASSIGN_OR_RETURN(at::Tensor v, TakeDatasetTensor(std::move(valid)));
    out.valid = BatchToFloat(v, device);
  }
  out.test_labels = test.labels;
  out.attribute_names = splits.train.attribute_names;
  out.train_attributes = splits.train.attributes;
  out.test_attributes = test.attributes;
  ISOAE_ASSIGN_OR_RETURN(out.train, TakeDatasetTensor(std::move(splits.train)));
  ISOAE_ASSIGN_OR_RETURN(at::Tensor t, TakeDatasetTensor(std::move(test)));
  out.test = BatchToFloat(t, device);
  return out;
}

std::string RunTag(const std::string& method) {
  return absl::StrReplaceAll(method, {{":", "_"}, {"+", "_"}, {"=", "_"}, {",", "_"}});
}

RunSpec SharedOptionsRun(const std::string& method, const std::string& method_options,
                         const TrainConfig& train, c10::Device device,
                         const std::string& checkpoint_dir) {
  RunSpec spec;
  spec.method = method;
  spec.method_options = method_options;
  spec.shared_options = true;
  spec.train = train;
  spec.device = device;
  spec.checkpoint_dir = checkpoint_dir;
  spec.tag = RunTag(method);
  return spec;
}

absl::StatusOr<TrainedRun> TrainRun(const RunSpec& spec, const ExperimentData& data,
                                    std::unique_ptr<Model> base, const ModelEvalFn& eval) {
  ISOAE_ASSIGN_OR_RETURN(MethodOptions options, MethodOptions::Parse(spec.method_options));
  ISOAE_ASSIGN_OR_RETURN(Method method, spec.shared_options
                                            ? BuildMethodOfList(spec.method, options)
                                            : BuildMethod(spec.method, options));
  const bool flattens = method.Kind() == ModelKind::kFlattened;
  if (flattens != (base != nullptr)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "method ", method.Describe(),
        flattens ? " flattens a trained model: train its base first"
                 : " trains a new model: a base model makes no sense"));
  }
  at::manual_seed(spec.train.seed);
  std::unique_ptr<Model> model;
  if (flattens) {
    ISOAE_ASSIGN_OR_RETURN(model, FlattenModel(std::move(base), spec.flow));
  } else {
    ISOAE_ASSIGN_OR_RETURN(model, BuildNamedModel(method.Kind(), spec.arch, data.item_size,
                                                  spec.latent_dim,
                                                  at::TensorOptions().device(spec.device),
                                                  spec.vae, spec.width_multiplier,
                                                  method.Architecture()));
  }
  std::vector<int64_t> shape = {-1};
  shape.insert(shape.end(), model->DataShape().begin(), model->DataShape().end());
  TrainConfig tc = spec.train;
  if (!spec.checkpoint_dir.empty()) {
    tc.checkpoint_path = absl::StrCat(spec.checkpoint_dir, "/", spec.tag, ".pt");
  }
  // A resumed sweep continues the run that was interrupted and starts the
  // ones it had not reached.
  if (tc.resume && !tc.checkpoint_path.empty() &&
      !std::filesystem::exists(tc.checkpoint_path)) {
    LOG(INFO) << spec.tag << ": no checkpoint at " << tc.checkpoint_path << ", starting it";
    tc.resume = false;
  }
  tc.fingerprint = absl::StrCat(model->Fingerprint(), "; method ", method.Fingerprint(),
                                "; dataset ", data.name);
  tc.log_prefix = spec.tag;
  model->SetTraining(true);
  const c10::Device device = spec.device;
  ISOAE_ASSIGN_OR_RETURN(
      TrainHistory history,
      Train(
          tc, model->Parameters(), model->State(), data.train,
          [&](const at::Tensor& batch) {
            return method.Loss(*model, BatchToFloat(batch, device).reshape(shape));
          },
          eval == nullptr ? EvalFn()
                          : EvalFn([&](int64_t step) {
                              model->SetTraining(false);
                              absl::Status s = eval(*model, step);
                              model->SetTraining(true);
                              return s;
                            })));
  model->SetTraining(false);
  return TrainedRun{std::move(model), std::move(history), method.Describe()};
}

RunSpec FlatteningRunSpec(const RunSpec& trained, const FlatteningPlan& plan,
                          const std::string& options) {
  RunSpec fm = trained;
  fm.method = "fm";
  fm.method_options = options;
  fm.train = plan.train;
  fm.train.seed = trained.train.seed;
  fm.flow = plan.flow;
  fm.tag = trained.tag + "_fm";
  return fm;
}

namespace {

// Singular metrics (a latent direction the decoder ignores) stay measurable
// instead of aborting a long sweep at its last step (metrics/riemannian.h).
// Zero metrics (a locally constant decoder) are dropped and counted in
// *dropped; all of them zero is an error.
absl::StatusOr<MetricField> RidgedPullbackMetrics(Model& model, const at::Tensor& z,
                                                  int64_t* dropped) {
  ISOAE_ASSIGN_OR_RETURN(MetricField g, PullbackMetrics(model.DecoderMap(), z));
  *dropped += DropZeroMetrics(&g);
  if (g.empty()) {
    return absl::FailedPreconditionError(
        "the decoder's Jacobian is zero at every scored point (a constant decoder)");
  }
  AddRelativeRidge(&g);
  return g;
}

}  // namespace

absl::StatusOr<GeometryScores> ScoreGeometry(Model& model, const at::Tensor& test, double eta,
                                             uint64_t seed) {
  std::vector<int64_t> shape = {test.size(0)};
  shape.insert(shape.end(), model.DataShape().begin(), model.DataShape().end());
  const at::Tensor x = test.reshape(shape);
  GeometryScores s;
  model.SetTraining(false);
  ISOAE_ASSIGN_OR_RETURN(s.codes, Encode(model, x));
  ISOAE_ASSIGN_OR_RETURN(const at::Tensor x_hat, Decode(model, s.codes));
  at::Tensor z_aug;
  ISOAE_RETURN_IF_ERROR(TorchCall("scores", [&] {
    s.mse = (x_hat - x).pow(2).mean().item<double>();
    // Every model is scored on the same mixing draws (training reseeds the
    // global generator at every step, so this changes no later run).
    at::manual_seed(seed);
    z_aug = eta >= 0 ? MixupLatents(s.codes, eta) : s.codes;
  }));
  ISOAE_ASSIGN_OR_RETURN(const MetricField g, RidgedPullbackMetrics(model, s.codes, &s.zero_metrics));
  ISOAE_ASSIGN_OR_RETURN(s.vor, VarianceOfRiemannianMetric(g));
  ISOAE_ASSIGN_OR_RETURN(const ConditionStats c, ConditionNumbers(g));
  s.mcn = c.mean;
  s.mcn_std = c.std;
  s.mcn_max = c.max;
  ISOAE_ASSIGN_OR_RETURN(const MetricField ga,
                         RidgedPullbackMetrics(model, z_aug, &s.zero_metrics));
  if (s.zero_metrics > 0) {
    LOG(WARNING) << s.zero_metrics << " scored points have G = 0 (the decoder is locally "
                 << "constant there); VoR and MCN are over the other points";
  }
  ISOAE_ASSIGN_OR_RETURN(s.vor_aug, VarianceOfRiemannianMetric(ga));
  ISOAE_ASSIGN_OR_RETURN(const ConditionStats ca, ConditionNumbers(ga));
  s.mcn_aug = ca.mean;
  s.mcn_aug_std = ca.std;
  return s;
}

}  // namespace isoae
