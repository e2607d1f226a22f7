#include "irvae/mnist.h"

#include <ATen/ATen.h>
#include <glog/logging.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/device.h"
#include "core/method.h"
#include "core/plot.h"
#include "core/status_macros.h"
#include "core/table.h"
#include "irvae/geometry_runs.h"
#include "metrics/ellipses.h"
#include "metrics/pullback.h"
#include "metrics/riemannian.h"

namespace isoae {
namespace {

// Test codes coloured by class, with equidistance ellipses at a few test
// points of each class (one scale k for the whole figure).
absl::Status WriteLatentFigure(const std::string& path, const std::string& title,
                               Model& model, const at::Tensor& codes,
                               const std::vector<int32_t>& labels, int per_class) {
  ISOAE_ASSIGN_OR_RETURN(const Eigen::MatrixXd z, ToEigen(codes));
  ScatterPlot plot;
  plot.title = title;
  plot.xlabel = "z1";
  plot.ylabel = "z2";
  std::map<int32_t, int> taken;
  std::vector<int64_t> centres;
  for (int64_t i = 0; i < z.rows(); ++i) {
    plot.x.push_back(z(i, 0));
    plot.y.push_back(z(i, 1));
    const int32_t label = labels.empty() ? 0 : labels[i];
    plot.color.push_back(label);
    // Items of a split are in no particular order: the first ones of each
    // class are as random as any.
    if (taken[label]++ < per_class) centres.push_back(i);
  }
  if (!centres.empty()) {  // ellipses
    at::Tensor idx = at::tensor(centres, at::kLong).to(codes.device());
    ISOAE_ASSIGN_OR_RETURN(const MetricField all,
                           PullbackMetrics(model.DecoderMap(), codes.index_select(0, idx)));
    // No ellipse where G = 0 (a locally constant decoder has none).
    MetricField g;
    std::vector<int64_t> kept;
    for (size_t k = 0; k < centres.size(); ++k) {
      if (all[k].trace() > 0 && std::isfinite(all[k].trace())) {
        g.push_back(all[k]);
        kept.push_back(centres[k]);
      }
    }
    Eigen::MatrixXd c(kept.size(), 2);
    for (size_t k = 0; k < kept.size(); ++k) c.row(k) = z.row(kept[k]);
    const double extent = std::max(z.col(0).maxCoeff() - z.col(0).minCoeff(),
                                   z.col(1).maxCoeff() - z.col(1).minCoeff());
    if (!g.empty()) {
      AddRelativeRidge(&g);  // singular metrics: very long, thin ellipses
      ISOAE_ASSIGN_OR_RETURN(const double k, ChooseEllipseScale(g, 0.04 * extent));
      ISOAE_ASSIGN_OR_RETURN(const std::vector<Ellipse> ellipses,
                             EquidistanceEllipses(c, g, k));
      for (const Ellipse& e : ellipses) {
        ISOAE_ASSIGN_OR_RETURN(const Eigen::MatrixXd poly, EllipsePolygon(e, 48));
        std::vector<std::array<double, 2>> outline;
        for (int64_t r = 0; r < poly.rows(); ++r) outline.push_back({poly(r, 0), poly(r, 1)});
        plot.polygons.push_back(outline);
        plot.polygon_color.push_back(std::log(e.condition));
      }
    }
  }
  return WriteScatterPng(path, plot);
}

std::string AlphaTag(double a) {
  std::string s = absl::StrFormat("%g", a);
  std::replace(s.begin(), s.end(), '.', 'p');
  return s;
}

}  // namespace

absl::StatusOr<MnistTradeoffResult> RunMnistTradeoff(const MnistTradeoffConfig& c) {
  for (const auto* alphas : {&c.fmvae_alphas, &c.irvae_alphas}) {
    for (double a : *alphas) {
      if (!(a >= 0) || !std::isfinite(a)) {
        return absl::InvalidArgumentError(
            absl::StrCat("alphas must be finite and >= 0, got ", a));
      }
    }
  }
  if (!c.run_vae && c.fmvae_alphas.empty() && c.irvae_alphas.empty()) {
    return absl::InvalidArgumentError("nothing to run: no VAE and no alphas");
  }
  if (c.ellipses_per_class < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--ellipses_per_class must be >= 0, got ", c.ellipses_per_class));
  }
  if (c.output_dir.empty()) return absl::InvalidArgumentError("--output_dir is empty");
  ISOAE_ASSIGN_OR_RETURN(const c10::Device device, ParseDevice(c.device));
  // Checked before any training, so that a bad option does not surface
  // after the first runs.
  ISOAE_ASSIGN_OR_RETURN(const std::string fm_options,
                         FlatteningOptions(c.fm, c.method_options));
  ISOAE_ASSIGN_OR_RETURN(ExperimentData data,
                         LoadExperimentData(c.data, c.max_test_items, device));
  struct Job {
    std::string method;
    double alpha;
  };
  std::vector<Job> jobs;
  if (c.run_vae) jobs.push_back({"vae", 0});
  for (double a : c.fmvae_alphas) jobs.push_back({"fmvae", a});
  for (double a : c.irvae_alphas) jobs.push_back({"irvae", a});

  MnistTradeoffResult result;
  Table table({"method", "alpha", "mse", "vor", "mcn", "vor_codes", "mcn_codes", "seconds"});
  // Scores a trained run, adds its row and writes its history and figure.
  auto record = [&](const std::string& method, double alpha, const std::string& tag,
                    TrainedRun& run) -> absl::Status {
    ISOAE_RETURN_IF_ERROR(WriteHistoryCsv(
        absl::StrCat(c.output_dir, "/history_", tag, ".csv"), run.history));
    ISOAE_ASSIGN_OR_RETURN(GeometryScores s, ScoreGeometry(*run.model, data.test));
    TradeoffPoint p{method, alpha, s.mse, s.vor_aug, s.mcn_aug,
                    s.vor,  s.mcn, run.history.seconds};
    result.points.push_back(p);
    table.AddRow({p.method, Cell(p.alpha, 4), Cell(p.mse, 5), Cell(p.vor, 5), Cell(p.mcn, 5),
                  Cell(p.vor_codes, 5), Cell(p.mcn_codes, 5), Cell(p.seconds, 4)});
    ISOAE_RETURN_IF_ERROR(table.WriteCsv(c.output_dir + "/tradeoff.csv"));
    if (!c.write_figures || c.latent_dim != 2) return absl::OkStatus();
    return WriteLatentFigure(absl::StrCat(c.output_dir, "/latent_", tag, ".png"),
                             method == "vae"
                                 ? absl::StrFormat("VAE (MSE %.4f, MCN %.2f)", p.mse, p.mcn)
                                 : absl::StrFormat("%s, alpha %g (MSE %.4f, MCN %.2f)", method,
                                                   alpha, p.mse, p.mcn),
                             *run.model, s.codes, data.test_labels, c.ellipses_per_class);
  };
  for (const Job& job : jobs) {
    RunSpec spec;
    spec.method = job.method == "vae" ? "vae" : absl::StrCat(job.method, ":", job.alpha);
    spec.method_options = job.method == "vae" ? "" : c.method_options;
    spec.latent_dim = c.latent_dim;
    spec.arch = c.arch;
    spec.width_multiplier = c.width_multiplier;
    spec.train = c.train;
    spec.device = device;
    spec.checkpoint_dir = c.output_dir + "/checkpoints";
    spec.tag = job.method == "vae" ? "vae" : absl::StrCat(job.method, "_", AlphaTag(job.alpha));
    ISOAE_ASSIGN_OR_RETURN(TrainedRun run, TrainRun(spec, data));
    ISOAE_RETURN_IF_ERROR(record(job.method, job.alpha, spec.tag, run));
    if (job.method != "irvae" || !c.fm.enabled) continue;
    const RunSpec fm = FlatteningRunSpec(spec, c.fm, fm_options);
    ISOAE_ASSIGN_OR_RETURN(TrainedRun flat, TrainRun(fm, data, std::move(run.model)));
    ISOAE_RETURN_IF_ERROR(record("irvae+fm", job.alpha, fm.tag, flat));
  }
  ISOAE_RETURN_IF_ERROR(table.WriteJson(c.output_dir + "/tradeoff.json"));
  if (c.write_figures) {
    for (const bool vor : {true, false}) {
      LinePlot lp;
      lp.title = absl::StrCat("MSE vs ", vor ? "VoR" : "MCN", " over alpha (", data.name, ")");
      lp.xlabel = vor ? "VoR (log10)" : "MCN (log10)";
      lp.ylabel = "test MSE per element";
      lp.log_x = true;
      for (const std::string m : {"vae", "fmvae", "irvae", "irvae+fm"}) {
        LinePlot::Series series;
        series.label = m == "vae"     ? "VAE"
                       : m == "fmvae" ? "FMVAE"
                       : m == "irvae" ? "IRVAE"
                                      : "IRVAE + FM";
        for (const TradeoffPoint& p : result.points) {
          if (p.method != m) continue;
          const double x = vor ? p.vor : p.mcn;
          if (!std::isfinite(x) || !std::isfinite(p.mse)) {
            // Kept in the table (as nan/inf), left out of the figure.
            LOG(WARNING) << m << " alpha " << p.alpha << ": " << (vor ? "VoR" : "MCN") << " = "
                         << x << " is not plotted";
            continue;
          }
          series.x.push_back(std::max(x, 1e-12));
          series.y.push_back(p.mse);
        }
        if (!series.x.empty()) lp.series.push_back(series);
      }
      ISOAE_RETURN_IF_ERROR(WriteLinePlotPng(
          absl::StrCat(c.output_dir, vor ? "/tradeoff_vor.png" : "/tradeoff_mcn.png"), lp));
    }
  }
  result.table_text = table.ToText();
  return result;
}

}  // namespace isoae
