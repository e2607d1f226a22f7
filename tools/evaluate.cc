#include "tools/evaluate.h"

#include <torch/script.h>
#include <torch/script.h>

#include "third_party/torch_light.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/autoencoder.h"
#include "core/checkpoint.h"
#include "core/device.h"
#include "core/model_builder.h"
#include "core/networks.h"
#include "core/status_macros.h"
#include "core/table.h"
#include "core/torch_boundary.h"
#include "datasets/tensor_adapter.h"
#include "metrics/edge_ratio.h"
#include "metrics/frechet.h"
#include "metrics/neighborhood.h"
#include "metrics/pullback.h"
#include "metrics/retrieval.h"
#include "metrics/riemannian.h"
#include "tools/model_loader.h"

namespace isoae {
namespace {

using Json = nlohmann::ordered_json;

// The first `n` items of `d` as float [n, data_shape...] on `device`.
absl::StatusOr<at::Tensor> Items(const Dataset& d, int64_t n,
                                 const std::vector<int64_t>& data_shape,
                                 const c10::Device& device) {
  std::vector<int64_t> idx(n);
  for (int64_t i = 0; i < n; ++i) idx[i] = i;
  ISOAE_ASSIGN_OR_RETURN(Dataset head, Subset(d, idx, d.name));
  ISOAE_ASSIGN_OR_RETURN(at::Tensor t, TakeDatasetTensor(std::move(head)));
  std::vector<int64_t> shape = {n};
  shape.insert(shape.end(), data_shape.begin(), data_shape.end());
  return BatchToFloat(t, device).reshape(shape);
}

// A TorchScript module as a FeatureExtractor-like function on tensors.
using TensorFeatures = std::function<absl::StatusOr<Eigen::MatrixXd>(const at::Tensor&)>;

absl::StatusOr<TensorFeatures> TorchScriptFeatures(const std::string& path,
                                                   const c10::Device& device) {
  auto module = std::make_shared<torch::jit::script::Module>();
  const absl::Status loaded = TorchCall(
      absl::StrCat("--fd_features: ", path, " is not a loadable TorchScript module"),
      [&] { *module = torch::jit::load(path, device); }, absl::StatusCode::kDataLoss);
  if (!loaded.ok()) {
    if (!std::ifstream(path).good()) {
      return absl::NotFoundError(absl::StrCat("--fd_features: ", path, " not found"));
    }
    return loaded;
  }
  module->eval();
  return TensorFeatures([module, path](const at::Tensor& x) -> absl::StatusOr<Eigen::MatrixXd> {
    at::Tensor f;
    const absl::Status s = TorchCall(absl::StrCat("feature extractor ", path), [&] {
      torch::NoGradGuard ng;
      std::vector<at::Tensor> parts;
      for (int64_t i = 0; i < x.size(0); i += 256) {
        parts.push_back(module->forward({x.slice(0, i, std::min(x.size(0), i + 256))})
                            .toTensor()
                            .reshape({std::min<int64_t>(256, x.size(0) - i), -1}));
      }
      f = torch::cat(parts);
    });
    if (!s.ok()) return s;
    return ToEigen(f);
  });
}

}  // namespace

absl::StatusOr<EvaluationReport> RunEvaluation(const EvaluateConfig& c) {
  if (c.max_points < 10 || c.neighbors_k < 0 || c.retrieval_train_points < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "need max_points >= 10 (got ", c.max_points, "), neighbors_k >= 0 (got ",
        c.neighbors_k, "), retrieval_train_points >= 1"));
  }
  if (c.split != "train" && c.split != "valid" && c.split != "test") {
    return absl::InvalidArgumentError(
        absl::StrCat("--split '", c.split, "' (expected train, valid or test)"));
  }
  ISOAE_ASSIGN_OR_RETURN(const c10::Device device, ParseDevice(c.device));
  ISOAE_ASSIGN_OR_RETURN(DatasetSplits splits, LoadDatasetSplits(c.data));
  const Dataset& split = c.split == "train" ? splits.train
                         : c.split == "valid" ? splits.valid
                                              : splits.test;
  if (split.size() < 10) {
    return absl::InvalidArgumentError(absl::StrCat(
        split.name, " has ", split.size(), " items; need at least 10"));
  }
  const std::string checkpoint = ResolveUserPath(c.checkpoint);
  ISOAE_ASSIGN_OR_RETURN(LoadedModel loaded,
                         LoadCheckpointModel(checkpoint, c.model, c.arch, split.item_size(),
                                             c.latent_dim, device));
  std::unique_ptr<Model> model = std::move(loaded.model);
  Model& ae = *model;
  const int64_t step = loaded.step;

  const auto t0 = std::chrono::steady_clock::now();
  const int64_t n = std::min<int64_t>(c.max_points, split.size());
  if (2 * static_cast<int64_t>(c.neighbors_k) >= n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--neighbors_k ", c.neighbors_k, " for ", n,
        " evaluated items: need k < n / 2 (or 0 to skip)"));
  }
  ISOAE_ASSIGN_OR_RETURN(const at::Tensor x, Items(split, n, ae.DataShape(), device));
  ISOAE_ASSIGN_OR_RETURN(const at::Tensor z, Encode(ae, x));
  ISOAE_ASSIGN_OR_RETURN(const at::Tensor x_hat, Decode(ae, z));

  Json j;
  j["checkpoint"] = c.checkpoint;
  j["checkpoint_step"] = step;
  j["arch"] = c.arch;
  j["model"] = ModelKindName(model->Kind());
  j["latent_dim"] = c.latent_dim;
  j["dataset"] = c.data.name;
  j["split"] = split.name;
  j["items"] = n;
  double mse = 0, rec = 0;
  ISOAE_RETURN_IF_ERROR(TorchCall("reconstruction error", [&] {
    const at::Tensor diff = (x_hat - x).reshape({n, -1});
    mse = diff.pow(2).mean().item<double>();
    rec = diff.pow(2).sum(1).mean().item<double>();
  }));
  j["reconstruction"] = {{"mse_per_element", mse}, {"sum_squared_error_per_item", rec}};

  ISOAE_ASSIGN_OR_RETURN(MetricField g, PullbackMetrics(ae.DecoderMap(), z));
  // Singular metrics (ignored latent directions) read as condition numbers
  // of ~m / 1e-10 rather than stopping the evaluation; zero metrics (a
  // locally constant decoder) have none and are left out, counted.
  const int64_t zero_metrics = DropZeroMetrics(&g);
  if (g.empty()) {
    return absl::FailedPreconditionError(
        "the decoder's Jacobian is zero at every evaluated item (a constant decoder)");
  }
  AddRelativeRidge(&g);
  Json geo;
  geo["zero_metric_points"] = zero_metrics;
  ISOAE_ASSIGN_OR_RETURN(const double vor, VarianceOfRiemannianMetric(g));
  geo["vor"] = vor;
  if (c.karcher) {
    ISOAE_ASSIGN_OR_RETURN(const double vk,
                           VarianceOfRiemannianMetric(g, MeanKind::kKarcher));
    geo["vor_karcher_mean"] = vk;
  }
  ISOAE_ASSIGN_OR_RETURN(const ConditionStats cond, ConditionNumbers(g));
  geo["mcn"] = cond.mean;
  geo["condition_std"] = cond.std;
  geo["condition_max"] = cond.max;
  ISOAE_ASSIGN_OR_RETURN(const RelaxedDistortionStats rd, RelaxedDistortion(g));
  geo["relaxed_distortion"] = rd.distortion;
  geo["trace_ratio"] = rd.trace_ratio;
  geo["mean_trace"] = rd.mean_trace;
  ISOAE_ASSIGN_OR_RETURN(const double flat, FmvaeFlatness(g));
  geo["fmvae_flatness"] = flat;
  j["geometry"] = geo;

  ISOAE_ASSIGN_OR_RETURN(const Eigen::MatrixXd ze, ToEigen(z));
  ISOAE_ASSIGN_OR_RETURN(const Eigen::MatrixXd xe, ToEigen(x));
  if (c.latent_dim == 2) {
    ISOAE_ASSIGN_OR_RETURN(const TriangulatedGrid grid,
                           BuildLatentGrid(ze, LatentGridConfig{}));
    at::Tensor decoded;
    ISOAE_ASSIGN_OR_RETURN(
        decoded, Decode(ae, torch::from_blob(const_cast<double*>(grid.vertices.data()),
                                             {grid.vertices.cols(), grid.vertices.rows()},
                                             torch::kFloat64)
                                .t()
                                .contiguous()
                                .to(x.options())));
    ISOAE_ASSIGN_OR_RETURN(const Eigen::MatrixXd de, ToEigen(decoded));
    ISOAE_ASSIGN_OR_RETURN(const EdgeRatioStats er, EdgeLengthRatios(grid, de));
    j["edge_ratio"] = {{"std", er.std}, {"edges", er.num_edges}, {"p5", er.p5},
                       {"p95", er.p95}};
  }
  if (c.neighbors_k > 0) {
    ISOAE_ASSIGN_OR_RETURN(const NeighborhoodScores nb,
                           NeighborhoodPreservation(xe, ze, c.neighbors_k));
    j["neighbourhood"] = {{"k", nb.k},
                          {"trustworthiness", nb.trustworthiness},
                          {"continuity", nb.continuity},
                          {"knn_recall", nb.knn_recall}};
  }
  {
    Eigen::MatrixXd fa, fb;
    std::string features = "pixels";
    if (c.fd_features != "pixels") {
      features = absl::StrCat("torchscript:", c.fd_features);
      ISOAE_ASSIGN_OR_RETURN(const TensorFeatures extract,
                             TorchScriptFeatures(ResolveUserPath(c.fd_features), device));
      ISOAE_ASSIGN_OR_RETURN(fa, extract(x));
      ISOAE_ASSIGN_OR_RETURN(fb, extract(x_hat));
    } else {
      fa = xe;
      ISOAE_ASSIGN_OR_RETURN(fb, ToEigen(x_hat));
    }
    if (fa.cols() <= c.fd_max_dim) {
      ISOAE_ASSIGN_OR_RETURN(const double fd, FrechetDistance(fa, fb));
      j["frechet"] = {{"features", features}, {"dimensions", fa.cols()}, {"value", fd},
                      {"note", "items vs reconstructions; FID only with Inception-v3 features"}};
    } else {
      j["frechet"] = {{"features", features},
                      {"skipped", absl::StrCat(fa.cols(), " dimensions > fd_max_dim")}};
    }
  }
  if (split.num_attributes() > 0) {
    const int64_t nt = std::min<int64_t>(c.retrieval_train_points, splits.train.size());
    ISOAE_ASSIGN_OR_RETURN(const at::Tensor xt,
                           Items(splits.train, nt, ae.DataShape(), device));
    ISOAE_ASSIGN_OR_RETURN(const at::Tensor zt, Encode(ae, xt));
    ISOAE_ASSIGN_OR_RETURN(const Eigen::MatrixXd zte, ToEigen(zt));
    const int64_t a = split.num_attributes();
    AttributeMatrix train_attr(nt, a), test_attr(n, a);
    for (int64_t i = 0; i < nt; ++i)
      for (int64_t k = 0; k < a; ++k) train_attr(i, k) = splits.train.attributes[i * a + k];
    for (int64_t i = 0; i < n; ++i)
      for (int64_t k = 0; k < a; ++k) test_attr(i, k) = split.attributes[i * a + k];
    Json ret;
    for (const auto mode : {RetrievalMode::kSingle, RetrievalMode::kDouble}) {
      RetrievalOptions o;
      o.mode = mode;
      ISOAE_ASSIGN_OR_RETURN(
          const RetrievalResult r,
          AttributeRetrieval(zte, train_attr, ze, test_attr, split.attribute_names, o));
      Json m;
      for (size_t k = 0; k < r.ks.size(); ++k) {
        m[absl::StrCat("P@", r.ks[k])] = r.mean_precision[k];
      }
      m["queries"] = r.queries.size();
      m["skipped"] = r.skipped;
      ret[mode == RetrievalMode::kSingle ? "single" : "double"] = m;
    }
    j["retrieval"] = ret;
  }
  j["seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  EvaluationReport report;
  report.json = j.dump(2);
  Table t({"measure", "value"});
  t.AddRow({"MSE per element", Cell(mse, 5)});
  t.AddRow({"VoR (arithmetic mean)", Cell(vor, 4)});
  if (c.karcher) t.AddRow({"VoR (Karcher mean)", Cell(geo["vor_karcher_mean"].get<double>(), 4)});
  t.AddRow({"MCN", Cell(cond.mean, 4)});
  t.AddRow({"condition number std", Cell(cond.std, 4)});
  t.AddRow({"relaxed distortion", Cell(rd.distortion, 4)});
  t.AddRow({"FMVAE flatness", Cell(flat, 4)});
  if (j.contains("edge_ratio")) {
    t.AddRow({"edge-ratio std", Cell(j["edge_ratio"]["std"].get<double>(), 4)});
  }
  if (j.contains("neighbourhood")) {
    const std::string k = absl::StrCat(" (k=", c.neighbors_k, ")");
    t.AddRow({"trustworthiness" + k, Cell(j["neighbourhood"]["trustworthiness"].get<double>(), 4)});
    t.AddRow({"continuity" + k, Cell(j["neighbourhood"]["continuity"].get<double>(), 4)});
    t.AddRow({"kNN recall" + k, Cell(j["neighbourhood"]["knn_recall"].get<double>(), 4)});
  }
  if (j["frechet"].contains("value")) {
    t.AddRow({absl::StrCat("Frechet distance, ", j["frechet"]["features"].get<std::string>(),
                           c.fd_features == "pixels" ? " (not FID)" : ""),
              Cell(j["frechet"]["value"].get<double>(), 4)});
  }
  if (j.contains("retrieval")) {
    for (const char* mode : {"single", "double"}) {
      for (const char* k : {"P@1", "P@5", "P@10", "P@20"}) {
        t.AddRow({absl::StrCat("retrieval ", mode, " ", k),
                  Cell(j["retrieval"][mode][k].get<double>(), 3)});
      }
    }
  }
  const std::string s = absl::StrFormat("%s, %d items of %s (checkpoint step %d)\n%s",
                                        c.arch, n, split.name, step, t.ToText());
  report.summary = s;
  return report;
}

}  // namespace isoae
