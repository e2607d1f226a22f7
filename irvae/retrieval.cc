#include "irvae/retrieval.h"

#include <ATen/ATen.h>

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/autoencoder.h"
#include "core/device.h"
#include "core/method.h"
#include "core/status_macros.h"
#include "core/table.h"
#include "core/torch_boundary.h"
#include "datasets/tensor_adapter.h"
#include "irvae/geometry_runs.h"
#include "metrics/pullback.h"
#include "metrics/retrieval.h"

namespace isoae {
namespace {

// Codes of uint8 (or float) items [N, ...], converted and encoded 1000 at a
// time (162,770 CelebA images as float would take 8 GB).
absl::StatusOr<Eigen::MatrixXd> ItemCodes(Model& model, const at::Tensor& items,
                                          const c10::Device& device) {
  std::vector<int64_t> shape = {-1};
  shape.insert(shape.end(), model.DataShape().begin(), model.DataShape().end());
  std::vector<at::Tensor> parts;
  for (int64_t i = 0; i < items.size(0); i += 1000) {
    at::Tensor chunk;
    ISOAE_RETURN_IF_ERROR(TorchCall("converting items", [&] {
      chunk = BatchToFloat(items.slice(0, i, std::min(items.size(0), i + 1000)), device)
                  .reshape(shape);
    }));
    ISOAE_ASSIGN_OR_RETURN(at::Tensor z, Encode(model, chunk, 500));
    parts.push_back(z.cpu());
  }
  return ToEigen(at::cat(parts));
}

AttributeMatrix Attributes(const std::vector<uint8_t>& values, int64_t n, int64_t a) {
  AttributeMatrix m(n, a);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = 0; k < a; ++k) m(i, k) = values[i * a + k];
  }
  return m;
}

}  // namespace

absl::StatusOr<RetrievalReport> RunRetrievalExperiment(const RetrievalConfig& c) {
  if (c.output_dir.empty()) return absl::InvalidArgumentError("--output_dir is empty");
  for (const double a : {c.fmvae_alpha, c.irvae_alpha}) {
    if (!std::isfinite(a)) {
      return absl::InvalidArgumentError(absl::StrCat("alphas must be finite, got ", a));
    }
  }
  ISOAE_ASSIGN_OR_RETURN(const c10::Device device, ParseDevice(c.device));
  // Checked before any training, so that a bad option does not surface
  // after the first runs.
  ISOAE_ASSIGN_OR_RETURN(const std::string fm_options,
                         FlatteningOptions(c.fm, c.method_options));
  ISOAE_ASSIGN_OR_RETURN(ExperimentData data,
                         LoadExperimentData(c.data, c.max_test_items, device));
  const int64_t a = static_cast<int64_t>(data.attribute_names.size());
  if (a == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        data.name, " has no attributes; retrieval needs an attribute dataset (celeba)"));
  }
  const AttributeMatrix train_attr = Attributes(data.train_attributes, data.train.size(0), a);
  const AttributeMatrix test_attr = Attributes(data.test_attributes, data.test.size(0), a);

  struct Job {
    std::string method, spec;
  };
  std::vector<Job> jobs;
  if (c.run_vae) jobs.push_back({"vae", "vae"});
  if (c.fmvae_alpha >= 0) jobs.push_back({"fmvae", absl::StrCat("fmvae:", c.fmvae_alpha)});
  if (c.irvae_alpha >= 0) jobs.push_back({"irvae", absl::StrCat("irvae:", c.irvae_alpha)});
  if (jobs.empty()) return absl::InvalidArgumentError("nothing to run: no method selected");

  RetrievalReport report;
  Table table({"method", "mode", "P@1", "P@5", "P@10", "P@20", "queries", "mse", "seconds"});
  std::vector<std::string> header = {"attribute"};
  std::vector<std::vector<Cell>> per_attribute(a);
  for (int64_t k = 0; k < a; ++k) per_attribute[k].push_back(data.attribute_names[k]);

  auto record = [&](const std::string& method, TrainedRun& run) -> absl::Status {
    ISOAE_RETURN_IF_ERROR(WriteHistoryCsv(
        absl::StrCat(c.output_dir, "/history_", method == "irvae+fm" ? "irvae_fm" : method,
                     ".csv"),
        run.history));
    Model& model = *run.model;
    model.SetTraining(false);
    ISOAE_ASSIGN_OR_RETURN(const Eigen::MatrixXd train_codes,
                           ItemCodes(model, data.train, device));
    ISOAE_ASSIGN_OR_RETURN(const Eigen::MatrixXd test_codes,
                           ItemCodes(model, data.test, device));
    RetrievalRow row;
    row.method = method;
    row.seconds = run.history.seconds;
    {
      std::vector<int64_t> shape = {data.test.size(0)};
      shape.insert(shape.end(), model.DataShape().begin(), model.DataShape().end());
      const at::Tensor x = data.test.reshape(shape);
      ISOAE_ASSIGN_OR_RETURN(const at::Tensor z, Encode(model, x, 500));
      ISOAE_ASSIGN_OR_RETURN(const at::Tensor x_hat, Decode(model, z, 500));
      row.mse = (x_hat - x).pow(2).mean().item<double>();
    }
    for (const RetrievalMode mode : {RetrievalMode::kSingle, RetrievalMode::kDouble}) {
      RetrievalOptions o;
      o.mode = mode;
      ISOAE_ASSIGN_OR_RETURN(const RetrievalResult r,
                             AttributeRetrieval(train_codes, train_attr, test_codes, test_attr,
                                                data.attribute_names, o));
      (mode == RetrievalMode::kSingle ? row.single : row.dual) = r.mean_precision;
      std::vector<Cell> cells = {method, mode == RetrievalMode::kSingle ? "single" : "double"};
      for (double p : r.mean_precision) cells.push_back(Cell(100 * p, 3));
      cells.push_back(Cell(static_cast<double>(r.queries.size()), 6));
      cells.push_back(Cell(row.mse, 5));
      cells.push_back(Cell(row.seconds, 4));
      table.AddRow(cells);
      if (mode != RetrievalMode::kSingle) continue;
      // Table 4: P@10 per attribute (K = 10 is the third K); attributes
      // without a training query stay empty.
      header.push_back(method);
      for (int64_t k = 0; k < a; ++k) per_attribute[k].push_back("");
      for (const RetrievalQuery& q : r.queries) {
        for (int64_t k = 0; k < a; ++k) {
          if (data.attribute_names[k] == q.name) per_attribute[k].back() = Cell(q.precision[2], 3);
        }
      }
    }
    report.rows.push_back(row);
    ISOAE_RETURN_IF_ERROR(table.WriteCsv(c.output_dir + "/retrieval.csv"));
    Table attrs(header);
    for (auto& r : per_attribute) attrs.AddRow(r);
    return attrs.WriteCsv(c.output_dir + "/per_attribute_p10.csv");
  };

  for (const Job& job : jobs) {
    RunSpec spec;
    spec.method = job.spec;
    spec.method_options = job.method == "vae" ? "" : c.method_options;
    spec.arch = c.arch;
    spec.width_multiplier = c.width_multiplier;
    spec.latent_dim = c.latent_dim;
    spec.train = c.train;
    spec.device = device;
    spec.checkpoint_dir = c.output_dir + "/checkpoints";
    spec.tag = job.method;
    ISOAE_ASSIGN_OR_RETURN(TrainedRun run, TrainRun(spec, data));
    ISOAE_RETURN_IF_ERROR(record(job.method, run));
    if (job.method != "irvae" || !c.fm.enabled) continue;
    const RunSpec fm = FlatteningRunSpec(spec, c.fm, fm_options);
    ISOAE_ASSIGN_OR_RETURN(TrainedRun flat, TrainRun(fm, data, std::move(run.model)));
    ISOAE_RETURN_IF_ERROR(record("irvae+fm", flat));
  }
  ISOAE_RETURN_IF_ERROR(table.WriteJson(c.output_dir + "/retrieval.json"));
  report.table_text = table.ToText();
  return report;
}

}  // namespace isoae
