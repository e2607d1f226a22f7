#include "tools/train.h"

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/device.h"
#include "core/distributed.h"
#include "core/model_builder.h"
#include "core/status_macros.h"
#include "core/table.h"
#include "datasets/tensor_adapter.h"
#include "irvae/flattening.h"
#include "tools/model_loader.h"

namespace isoae {

absl::StatusOr<TrainToolResult> RunTraining(const TrainToolConfig& c) {
  if (c.output_dir.empty()) return absl::InvalidArgumentError("--output_dir is empty");
  ISOAE_ASSIGN_OR_RETURN(const c10::Device device, ParseDevice(c.device));
  ISOAE_ASSIGN_OR_RETURN(Method method, BuildMethodFromRequest(c.method));
  ISOAE_ASSIGN_OR_RETURN(DatasetSplits splits, LoadDatasetSplits(c.data));
  const int64_t data_dim = splits.train.item_size();
  const bool flattens = method.Kind() == ModelKind::kFlattened;
  if (flattens && c.base_checkpoint.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--method=", c.method.spec,
        " flattens a trained model: give its checkpoint with --base_checkpoint"));
  }
  if (!flattens && !c.base_checkpoint.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--base_checkpoint is for flattening methods (fm); --method=", c.method.spec,
        " trains a new model"));
  }
  std::unique_ptr<Model> model;
  if (flattens) {
    ISOAE_ASSIGN_OR_RETURN(LoadedModel base,
                           LoadCheckpointModel(ResolveUserPath(c.base_checkpoint), "auto",
                                               c.method.arch, data_dim, c.method.latent_dim,
                                               device));
    at::manual_seed(c.train.seed);
    ISOAE_ASSIGN_OR_RETURN(model, FlattenModel(std::move(base.model), RealNvpOptions{}));
  } else {
    at::manual_seed(c.train.seed);
    ISOAE_ASSIGN_OR_RETURN(model, BuildNamedModel(method.Kind(), c.method.arch, data_dim,
                                                  c.method.latent_dim,
                                                  at::TensorOptions().device(device),
                                                  c.method.vae, 1.0, method.Architecture()));
  }
  const std::string dataset_name = splits.train.name;
  const int64_t items = splits.train.size();
  ISOAE_ASSIGN_OR_RETURN(at::Tensor data, TakeDatasetTensor(std::move(splits.train)));
  std::vector<int64_t> shape = {-1};
  shape.insert(shape.end(), model->DataShape().begin(), model->DataShape().end());

  TrainConfig tc = c.train;
  tc.checkpoint_path = absl::StrCat(c.output_dir, "/checkpoint.pt");
  tc.fingerprint = absl::StrCat(model->Fingerprint(), "; method ", method.Fingerprint(),
                                "; dataset ", c.data.name);
  tc.log_prefix = absl::StrCat(c.data.name, "/", c.method.spec);
  tc.quiet = c.quiet;
  model->SetTraining(true);
  ISOAE_ASSIGN_OR_RETURN(
      TrainHistory history,
      Train(tc, model->Parameters(), model->State(), data, [&](const at::Tensor& batch) {
        return method.Loss(*model, BatchToFloat(batch, device).reshape(shape));
      }));
  // In data-parallel training rank 0 writes the outputs.
  if (tc.parallel != nullptr && tc.parallel->rank() != 0) {
    return TrainToolResult{std::move(history), method.Describe(), tc.checkpoint_path};
  }
  ISOAE_RETURN_IF_ERROR(WriteHistoryCsv(absl::StrCat(c.output_dir, "/history.csv"), history));
  nlohmann::ordered_json j;
  j["method"] = method.Describe();
  j["model"] = ModelKindName(model->Kind());
  j["arch"] = c.method.arch;
  j["latent_dim"] = c.method.latent_dim;
  j["dataset"] = c.data.name;
  j["train_items"] = items;
  j["split"] = dataset_name;
  j["steps"] = history.final_step;
  j["seconds"] = history.seconds;
  for (const auto& [name, v] : history.terms) {
    if (!v.empty()) j["final_terms"][name] = v.back();
  }
  j["checkpoint"] = tc.checkpoint_path;
  ISOAE_RETURN_IF_ERROR(
      WriteTextFile(absl::StrCat(c.output_dir, "/summary.json"), j.dump(2) + "\n"));
  return TrainToolResult{std::move(history), method.Describe(), tc.checkpoint_path};
}

}  // namespace isoae
