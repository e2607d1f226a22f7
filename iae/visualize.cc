#include "iae/visualize.h"

#include <ATen/ATen.h>

#include <glog/logging.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "baselines/classic_embeddings.h"
#include "baselines/umap.h"
#include "core/device.h"
#include "core/method.h"
#include "core/plot.h"
#include "core/status_macros.h"
#include "core/table.h"
#include "core/torch_boundary.h"
#include "irvae/geometry_runs.h"
#include "metrics/neighborhood.h"
#include "metrics/pullback.h"

namespace isoae {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<std::string> SweepMethods(const std::vector<double>& lambdas) {
  std::vector<std::string> methods;
  for (double l : lambdas) methods.push_back(l == 0 ? "ae" : absl::StrCat("iae:", l));
  return methods;
}

// The names ClassicEmbedding knows, in the order the help lists them.
constexpr const char* kClassicEmbeddings[] = {"pca", "isomap", "lle", "tsne", "umap"};

absl::StatusOr<Eigen::MatrixXd> ClassicEmbedding(const std::string& name,
                                                 const Eigen::MatrixXd& x,
                                                 const VisualizeConfig& c) {
  if (name == "pca") return Pca(x, 2);
  if (name == "isomap") return Isomap(x, c.k, 2);
  if (name == "lle") return Lle(x, c.k, 2);
  if (name == "umap") {
    UmapOptions o;
    o.seed = c.train.seed;
    ISOAE_ASSIGN_OR_RETURN(UmapResult r, Umap(x, o));
    return r.embedding;
  }
  TsneOptions o;
  o.perplexity = c.tsne_perplexity;
  o.theta = c.tsne_theta;
  o.seed = c.train.seed;
  ISOAE_ASSIGN_OR_RETURN(TsneResult r, Tsne(x, o));
  return r.embedding;
}

absl::Status WriteEmbedding(const std::string& path, const std::string& title,
                            const Eigen::MatrixXd& codes, const std::vector<int32_t>& labels) {
  ScatterPlot plot;
  plot.title = title;
  plot.xlabel = "z1";
  plot.ylabel = "z2";
  for (int64_t i = 0; i < codes.rows(); ++i) {
    plot.x.push_back(codes(i, 0));
    plot.y.push_back(codes(i, 1));
    if (!labels.empty()) plot.color.push_back(labels[static_cast<size_t>(i)]);
  }
  return WriteScatterPng(path, plot);
}

}  // namespace

absl::Status ValidateVisualizeConfig(const VisualizeConfig& c) {
  if (c.methods.empty() && c.lambdas.empty()) {
    return absl::InvalidArgumentError("--methods (or --lambdas) must not be empty");
  }
  for (double l : c.lambdas) {
    if (!(l >= 0) || !std::isfinite(l)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--lambdas: ", l, " is not a finite number >= 0"));
    }
  }
  if (c.k < 1) return absl::InvalidArgumentError(absl::StrCat("--k must be >= 1, got ", c.k));
  if (c.max_test_items < 2 * static_cast<int64_t>(c.k) + 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max_test_items (", c.max_test_items, ") must exceed 2 * --k (", c.k, ")"));
  }
  if (c.output_dir.empty()) return absl::InvalidArgumentError("--output_dir is empty");
  if (!(c.width_multiplier > 0) || !std::isfinite(c.width_multiplier)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--width_multiplier must be > 0, got ", c.width_multiplier));
  }
  const bool tsne = std::find(c.classic.begin(), c.classic.end(), "tsne") != c.classic.end();
  if (tsne && (!(c.tsne_perplexity >= 1) || !std::isfinite(c.tsne_perplexity) ||
               3 * c.tsne_perplexity > c.max_test_items - 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tsne_perplexity ", c.tsne_perplexity, " must be in [1, (--max_test_items - 1) / 3]"));
  }
  if (tsne && (!(c.tsne_theta >= 0) || c.tsne_theta > 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tsne_theta must be in [0, 1] (0: exact), got ", c.tsne_theta));
  }
  for (const std::string& name : c.classic) {
    if (std::find(std::begin(kClassicEmbeddings), std::end(kClassicEmbeddings), name) ==
        std::end(kClassicEmbeddings)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--classic: unknown embedding \"", name, "\" (expected ",
                       absl::StrJoin(kClassicEmbeddings, ", "), ")"));
    }
  }
  const std::vector<std::string> methods = c.lambdas.empty() ? c.methods : SweepMethods(c.lambdas);
  ISOAE_ASSIGN_OR_RETURN(MethodOptions options, MethodOptions::Parse(c.method_options));
  ISOAE_ASSIGN_OR_RETURN(std::vector<Method> built, BuildMethods(methods, options));
  for (size_t i = 0; i < built.size(); ++i) {
    if (built[i].Kind() == ModelKind::kFlattened) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--methods: \"", methods[i], "\" flattens a trained model; train one here instead"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<VisualizeResult> RunVisualizeExperiment(const VisualizeConfig& c) {
  ISOAE_RETURN_IF_ERROR(ValidateVisualizeConfig(c));
  ISOAE_ASSIGN_OR_RETURN(const c10::Device device, ParseDevice(c.device));
  ISOAE_ASSIGN_OR_RETURN(ExperimentData data,
                         LoadExperimentData(c.data, c.max_test_items, device,
                                            /*max_valid_items=*/0,
                                            /*training_items_if_no_test=*/true));
  const int64_t n = data.test.size(0);
  if (n < 2 * static_cast<int64_t>(c.k) + 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        data.name, " has ", n, " test items: too few for neighbourhoods of k = ", c.k));
  }
  ISOAE_ASSIGN_OR_RETURN(const Eigen::MatrixXd images,
                         ToEigen(data.test.reshape({n, -1}).to(at::kDouble).cpu()));
  // The I-AE terms of every final model, on the test items.
  ISOAE_ASSIGN_OR_RETURN(MethodOptions probe_options, MethodOptions::Parse(c.method_options));
  ISOAE_ASSIGN_OR_RETURN(Method probe, BuildMethod("iae:1", probe_options));

  const std::vector<std::string> methods = c.lambdas.empty() ? c.methods : SweepMethods(c.lambdas);
  VisualizeResult result;
  Table table({"method", "trustworthiness", "continuity", "knn_recall", "k", "test_mse",
               "test_L_rec", "test_L_iso", "test_L_piso", "seconds"});
  auto add_row = [&](const VisualizeRow& r) -> absl::Status {
    result.rows.push_back(r);
    table.AddRow({r.method, Cell(r.trustworthiness, 4), Cell(r.continuity, 4),
                  Cell(r.knn_recall, 4), Cell(static_cast<double>(c.k), 4), Cell(r.test_mse, 5),
                  Cell(r.l_rec, 5), Cell(r.l_iso, 5), Cell(r.l_piso, 5), Cell(r.seconds, 4)});
    // Written after every run, so a long sweep leaves its rows as it goes.
    return table.WriteCsv(c.output_dir + "/visualize_table.csv");
  };

  for (const std::string& m : methods) {
    RunSpec spec =
        SharedOptionsRun(m, c.method_options, c.train, device, c.output_dir + "/checkpoints");
    spec.arch = c.arch;
    spec.latent_dim = 2;
    spec.width_multiplier = c.width_multiplier;
    ISOAE_ASSIGN_OR_RETURN(TrainedRun run, TrainRun(spec, data));
    ISOAE_RETURN_IF_ERROR(WriteHistoryCsv(
        absl::StrCat(c.output_dir, "/history_", spec.tag, ".csv"), run.history));
    Model& model = *run.model;
    model.SetTraining(false);
    at::Tensor codes;
    VisualizeRow row;
    row.method = m;
    row.seconds = run.history.seconds;
    std::vector<int64_t> shape = {n};
    shape.insert(shape.end(), model.DataShape().begin(), model.DataShape().end());
    ISOAE_RETURN_IF_ERROR(TorchCall("embedding the test items", [&] {
      at::NoGradGuard no_grad;
      const at::Tensor x = data.test.reshape(shape);
      codes = model.Codes(x);
      const at::Tensor x_hat = model.DecoderMap().Forward(Dual{codes, at::Tensor()}).value;
      row.test_mse =
          (x_hat.reshape({n, -1}) - x.reshape({n, -1})).pow(2).mean().item<double>();
      at::manual_seed(c.train.seed + 1);
      const LossTerms terms = probe.Loss(model, x);
      for (const auto& [name, value] : terms.terms) {
        if (name == "L_rec") row.l_rec = value.item<double>();
        if (name == "iso") row.l_iso = value.item<double>();
        if (name == "piso") row.l_piso = value.item<double>();
      }
    }));
    ISOAE_ASSIGN_OR_RETURN(const Eigen::MatrixXd z, ToEigen(codes.to(at::kDouble).cpu()));
    ISOAE_ASSIGN_OR_RETURN(const NeighborhoodScores s, NeighborhoodPreservation(images, z, c.k));
    row.trustworthiness = s.trustworthiness;
    row.continuity = s.continuity;
    row.knn_recall = s.knn_recall;
    if (c.write_figures) {
      ISOAE_RETURN_IF_ERROR(WriteEmbedding(
          absl::StrCat(c.output_dir, "/embedding_", spec.tag, ".png"),
          absl::StrCat(m, " (", c.arch, "), ", n, " test items of ", data.name,
                       ", colour = class"),
          z,
          data.test_labels));
    }
    ISOAE_RETURN_IF_ERROR(add_row(row));
  }
  for (const std::string& name : c.classic) {
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<Eigen::MatrixXd> z = ClassicEmbedding(name, images, c);
    if (!z.ok()) {
      // e.g. Isomap on a disconnected kNN graph: the trained models' rows
      // stay; this one is NaN with the reason logged.
      LOG(WARNING) << name << " failed, its row is NaN: " << z.status();
      ISOAE_RETURN_IF_ERROR(add_row(VisualizeRow{name, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN,
                                                 kNaN, 0.0}));
      continue;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ISOAE_ASSIGN_OR_RETURN(const NeighborhoodScores s, NeighborhoodPreservation(images, *z, c.k));
    VisualizeRow row{name, s.trustworthiness, s.continuity, s.knn_recall,
                     kNaN, kNaN,              kNaN,         kNaN,         seconds};
    if (c.write_figures) {
      ISOAE_RETURN_IF_ERROR(WriteEmbedding(
          absl::StrCat(c.output_dir, "/embedding_", name, ".png"),
          absl::StrCat(name, ", ", n, " test items of ", data.name, ", colour = class"), *z,
          data.test_labels));
    }
    ISOAE_RETURN_IF_ERROR(add_row(row));
  }
  ISOAE_RETURN_IF_ERROR(table.WriteJson(c.output_dir + "/visualize_table.json"));

  if (!c.lambdas.empty()) {
    Table sweep({"lambda_iso", "method", "test_L_rec", "test_L_iso", "test_L_piso",
                 "trustworthiness", "continuity"});
    LinePlot rec, iso, piso;
    rec.series.resize(1);
    iso.series.resize(1);
    piso.series.resize(1);
    for (size_t i = 0; i < c.lambdas.size(); ++i) {
      const VisualizeRow& r = result.rows[i];
      sweep.AddRow({Cell(c.lambdas[i], 4), r.method, Cell(r.l_rec, 5), Cell(r.l_iso, 5),
                    Cell(r.l_piso, 5), Cell(r.trustworthiness, 4), Cell(r.continuity, 4)});
      rec.series[0].x.push_back(c.lambdas[i]);
      rec.series[0].y.push_back(r.l_rec);
      iso.series[0].x.push_back(c.lambdas[i]);
      iso.series[0].y.push_back(std::log10(std::max(r.l_iso, 1e-300)));
      piso.series[0].x.push_back(c.lambdas[i]);
      piso.series[0].y.push_back(std::log10(std::max(r.l_piso, 1e-300)));
    }
    ISOAE_RETURN_IF_ERROR(sweep.WriteCsv(c.output_dir + "/lambda_sweep.csv"));
    if (c.write_figures) {
      for (auto [plot, name] : {std::pair<LinePlot*, std::string>{&rec, "L_rec"},
                                {&iso, "log10_L_iso"},
                                {&piso, "log10_L_piso"}}) {
        plot->title = absl::StrCat("I-AE Fig. 5: final ", name, " on the test items vs lambda_iso (",
                                   data.name, ")");
        plot->xlabel = "lambda_iso";
        plot->ylabel = name;
        plot->series[0].label = name;
        ISOAE_RETURN_IF_ERROR(
            WriteLinePlotPng(absl::StrCat(c.output_dir, "/lambda_sweep_", name, ".png"), *plot));
      }
    }
  }
  result.table_text = table.ToText();
  return result;
}

}  // namespace isoae
