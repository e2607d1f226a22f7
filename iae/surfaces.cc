#include "iae/surfaces.h"

#include "third_party/torch_light.h"
#include <glog/logging.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "baselines/classic_embeddings.h"
#include "core/autoencoder.h"
#include "core/device.h"
#include "core/method.h"
#include "core/networks.h"
#include "core/plot.h"
#include "core/status_macros.h"
#include "core/table.h"
#include "core/torch_boundary.h"
#include "core/trainer.h"

namespace isoae {
namespace {

torch::Tensor ToTensor(const Eigen::MatrixXd& m, const torch::TensorOptions& o) {
  torch::Tensor t = torch::empty({m.rows(), m.cols()}, torch::kFloat64);
  auto a = t.accessor<double, 2>();
  for (int64_t i = 0; i < m.rows(); ++i)
    for (int64_t j = 0; j < m.cols(); ++j) a[i][j] = m(i, j);
  return t.to(o);
}

Eigen::MatrixXd ToEigen(const torch::Tensor& t) {
  torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  Eigen::MatrixXd m(c.size(0), c.size(1));
  auto a = c.accessor<double, 2>();
  for (int64_t i = 0; i < m.rows(); ++i)
    for (int64_t j = 0; j < m.cols(); ++j) m(i, j) = a[i][j];
  return m;
}

std::string MethodLabel(const std::string& m) {
  if (m == "iae") return "I-AE";
  return absl::AsciiStrToUpper(m);
}

// The registry spec of a method of the table: I-AE with the config's
// lambda_iso, the others as named.
std::string MethodSpec(const std::string& m, const IaeConfig& iae) {
  return m == "iae" ? absl::StrCat("iae:", iae.lambda_iso) : m;
}

MethodOptions IaeOptions(const IaeConfig& iae) {
  MethodOptions o;
  o.Set("iso_prior", iae.prior == IsoPrior::kGaussian ? "gaussian" : "uniform");
  o.Set("iso_samples", absl::StrCat(iae.iso_samples));
  o.Set("piso_samples", absl::StrCat(iae.piso_samples));
  return o;
}

absl::StatusOr<std::vector<Method>> BuildTableMethods(const SurfacesExperimentConfig& c) {
  std::vector<std::string> specs;
  for (const auto& m : c.methods) specs.push_back(MethodSpec(m, c.iae));
  // The I-AE terms are reported for every method: "iae:1" reads the options.
  specs.push_back("iae:1");
  absl::StatusOr<std::vector<Method>> methods = BuildMethods(specs, IaeOptions(c.iae));
  if (!methods.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--methods: ", methods.status().message()));
  }
  for (size_t i = 0; i + 1 < methods->size(); ++i) {
    if ((*methods)[i].Kind() != ModelKind::kAutoencoder) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--methods: \"", c.methods[i], "\" trains a ", ModelKindName((*methods)[i].Kind()),
          "; the surfaces experiment compares deterministic autoencoders"));
    }
  }
  return methods;
}

// The warm start (SurfacesExperimentConfig::warm_start): encoder and decoder
// fitted to the chart u and its inverse.
absl::Status WarmStart(const SurfacesExperimentConfig& config, const torch::Tensor& x,
                       const torch::Tensor& u, const std::string& tag, Autoencoder* ae) {
  TrainConfig tc;
  tc.epochs = config.warm_start_epochs;
  tc.learning_rate = config.learning_rate;
  tc.seed = config.seed;
  tc.log_prefix = absl::StrCat(tag, " warm start");
  tc.quiet = config.quiet;
  const int64_t d = x.size(1);
  const torch::Tensor xu = torch::cat({x, u}, 1);
  return Train(tc, ae->Parameters(), ae->State(), xu,
               [&](const at::Tensor& b) {
                 const torch::Tensor bx = b.slice(1, 0, d), bu = b.slice(1, d);
                 const torch::Tensor z = ae->encoder.Forward(Dual{bx, {}}).value;
                 const torch::Tensor fx = ae->decoder.Forward(Dual{bu, {}}).value;
                 LossTerms terms;
                 terms.total = (z - bu).pow(2).sum(1).mean() + (fx - bx).pow(2).sum(1).mean();
                 terms.terms.push_back({"L_warm", terms.total.detach()});
                 return terms;
               })
      .status();
}

absl::Status WriteFigures(const std::string& dir, const std::string& tag,
                          const SurfaceSample& data, const Eigen::MatrixXd& codes,
                          const TriangulatedGrid& grid, const Eigen::MatrixXd& decoded,
                          const std::string& title) {
  ScatterPlot sp;
  sp.title = absl::StrCat(title, ": codes g(x), colour = true chart u");
  sp.xlabel = "z1";
  sp.ylabel = "z2";
  for (int64_t i = 0; i < codes.rows(); ++i) {
    sp.x.push_back(codes(i, 0));
    sp.y.push_back(codes(i, 1));
    sp.color.push_back(data.chart(i, 0));
  }
  ISOAE_RETURN_IF_ERROR(WriteScatterPng(absl::StrCat(dir, "/embedding_", tag, ".png"), sp));
  Scene3d scene;
  scene.title = absl::StrCat(title, ": decoded latent grid (lines) over the data");
  for (int64_t i = 0; i < data.points.rows(); ++i) {
    scene.points.push_back({data.points(i, 0), data.points(i, 1), data.points(i, 2)});
    scene.point_color.push_back(data.chart(i, 0));
  }
  for (const auto& e : grid.edges) {
    std::array<double, 3> a{decoded(e[0], 0), decoded(e[0], 1), decoded(e[0], 2)};
    std::array<double, 3> b{decoded(e[1], 0), decoded(e[1], 1), decoded(e[1], 2)};
    scene.segments.push_back({a, b});
  }
  return WriteScene3dPng(absl::StrCat(dir, "/decoded_grid_", tag, ".png"), scene);
}

}  // namespace

absl::Status ValidateSurfacesConfig(const SurfacesExperimentConfig& c) {
  if (c.surfaces.empty()) return absl::InvalidArgumentError("--surfaces is empty");
  for (const auto& s : c.surfaces) {
    if (absl::Status st = ParseSurface(s).status(); !st.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--surfaces: ", st.message()));
    }
  }
  if (c.methods.empty()) return absl::InvalidArgumentError("--methods is empty");
  if (!(c.data_scale > 0) || !std::isfinite(c.data_scale)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--data_scale must be positive and finite, got ", c.data_scale));
  }
  // With a warm start, 0 epochs scores the warm start itself.
  if (c.epochs < (c.warm_start.empty() ? 1 : 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--epochs must be positive (or 0 with --warm_start), got ", c.epochs));
  }
  if (!(c.learning_rate > 0) || !std::isfinite(c.learning_rate)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--lr must be positive and finite, got ", c.learning_rate));
  }
  if (c.batch_size < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--batch_size must be >= 0 (0 = full batch), got ", c.batch_size));
  }
  if (!(c.data.noise >= 0) || !std::isfinite(c.data.noise)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--noise must be finite and >= 0, got ", c.data.noise));
  }
  if (c.data.num_points < 10) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--num_points must be at least 10, got ", c.data.num_points));
  }
  if (c.hidden_width <= 0 || c.hidden_layers < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--hidden_width must be positive and --hidden_layers >= 0, got ", c.hidden_width,
        " and ", c.hidden_layers));
  }
  if (!(c.softplus_beta > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--softplus_beta must be positive, got ", c.softplus_beta));
  }
  if (!c.warm_start.empty() && c.warm_start != "isomap") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--warm_start must be empty or \"isomap\", got \"", c.warm_start, "\""));
  }
  if (!c.warm_start.empty() && c.warm_start_epochs < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--warm_start_epochs must be >= 1, got ", c.warm_start_epochs));
  }
  if (c.grid_cells < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--grid_cells must be at least 2, got ", c.grid_cells));
  }
  if (c.output_dir.empty()) return absl::InvalidArgumentError("--output_dir is empty");
  ISOAE_RETURN_IF_ERROR(ValidateIaeConfig(c.iae));
  ISOAE_RETURN_IF_ERROR(BuildTableMethods(c).status());
  return ParseDevice(c.device).status();
}

absl::StatusOr<SurfacesExperimentResult> RunSurfacesExperiment(
    const SurfacesExperimentConfig& config) {
  ISOAE_RETURN_IF_ERROR(ValidateSurfacesConfig(config));
  ISOAE_ASSIGN_OR_RETURN(c10::Device device, ParseDevice(config.device));
  const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  ISOAE_ASSIGN_OR_RETURN(std::vector<Method> methods, BuildTableMethods(config));
  Method& probe_method = methods.back();
  SurfacesExperimentResult result;
  std::map<std::string, std::map<std::string, double>> stds, box_stds;
  Table details({"surface", "method", "edge_ratio_std", "raw_mean_ratio", "p5", "p50", "p95",
                 "num_edges", "edge_ratio_std_full_box", "num_edges_full_box", "final_L_rec",
                 "final_L_iso", "final_L_piso", "seconds"});
  auto checkpoint_path = [&](const std::string& surface, const std::string& method) {
    return absl::StrCat(config.output_dir, "/checkpoints/", surface, "_", method, ".pt");
  };
  // --resume continues the run that was interrupted and starts the ones it
  // had not reached; with no checkpoint of any run there is nothing to
  // resume (most likely a wrong --output_dir): that is an error.
  bool any_checkpoint = false;
  for (const std::string& s : config.surfaces) {
    for (const std::string& m : config.methods) {
      any_checkpoint = any_checkpoint || std::filesystem::exists(checkpoint_path(s, m));
    }
  }
  if (config.resume && !any_checkpoint) {
    return absl::NotFoundError(absl::StrCat(
        "--resume: no checkpoint of any run in ", config.output_dir, "/checkpoints (looked for ",
        checkpoint_path(config.surfaces.front(), config.methods.front()),
        " and the other runs'); train without --resume first"));
  }
  for (const std::string& surface_name : config.surfaces) {
    ISOAE_ASSIGN_OR_RETURN(Surface surface, ParseSurface(surface_name));
    SurfaceConfig sc = config.data;
    sc.seed = config.seed;
    ISOAE_ASSIGN_OR_RETURN(SurfaceSample data, SampleSurface(surface, sc));
    data.points *= config.data_scale;
    torch::Tensor x = ToTensor(data.points, options);
    torch::Tensor chart;
    if (!config.warm_start.empty()) {
      ISOAE_ASSIGN_OR_RETURN(const Eigen::MatrixXd u, Isomap(data.points, 10, 2));
      chart = ToTensor(u, options);
    }
    for (size_t mi = 0; mi < config.methods.size(); ++mi) {
      const std::string& method = config.methods[mi];
      const std::string tag = absl::StrCat(surface_name, "_", method);
      torch::manual_seed(config.seed);  // same initial networks for every method
      AutoencoderConfig ac = SurfacesMlp(3, 2, config.hidden_width, config.hidden_layers);
      ac.encoder.softplus_beta = ac.decoder.softplus_beta = config.softplus_beta;
      ApplyArchitectureOptions(methods[mi].Architecture(), &ac);
      ISOAE_ASSIGN_OR_RETURN(Autoencoder ae, BuildAutoencoder(ac, options));
      TrainConfig tc;
      tc.epochs = config.epochs;
      tc.batch_size = config.batch_size;
      tc.learning_rate = config.learning_rate;
      tc.seed = config.seed;
      tc.checkpoint_path = checkpoint_path(surface_name, method);
      tc.checkpoint_every = config.checkpoint_every;
      tc.resume = config.resume && std::filesystem::exists(tc.checkpoint_path);
      if (config.resume && !tc.resume && !config.quiet) {
        LOG(INFO) << tag << ": no checkpoint at " << tc.checkpoint_path << ", starting it";
      }
      tc.fingerprint = absl::StrCat(ae.Fingerprint(), "; method ", method, "; surface ",
                                    surface_name, "; n ", sc.num_points);
      tc.log_prefix = absl::StrCat(surface_name, "/", MethodLabel(method));
      tc.quiet = config.quiet;
      if (chart.defined()) {
        tc.fingerprint += absl::StrCat("; warm start ", config.warm_start, " ",
                                       config.warm_start_epochs);
        // A resumed run's checkpoint already holds the warm-started weights.
        if (!tc.resume) {
          ISOAE_RETURN_IF_ERROR(WarmStart(config, x, chart, tc.log_prefix, &ae));
        }
      }
      ISOAE_ASSIGN_OR_RETURN(
          TrainHistory hist,
          Train(tc, ae.Parameters(), ae.State(), x,
                [&](const at::Tensor& b) { return methods[mi].Loss(ae, b); }));
      // Evaluation: codes of all points, grid over them, decoded vertices.
      ISOAE_ASSIGN_OR_RETURN(torch::Tensor z, Encode(ae, x));
      Eigen::MatrixXd codes = ToEigen(z);
      LatentGridConfig gc;
      gc.cells = config.grid_cells;
      ISOAE_ASSIGN_OR_RETURN(TriangulatedGrid grid, BuildLatentGrid(codes, gc));
      ISOAE_ASSIGN_OR_RETURN(torch::Tensor fx, Decode(ae, ToTensor(grid.vertices, options)));
      Eigen::MatrixXd decoded = ToEigen(fx);
      ISOAE_ASSIGN_OR_RETURN(EdgeRatioStats er, EdgeLengthRatios(grid, decoded));
      // The same measure over every cell of the codes' bounding box (holes
      // and tears between the codes included; the paper does not say which).
      LatentGridConfig box_config = gc;
      box_config.min_codes_per_cell = 0;
      ISOAE_ASSIGN_OR_RETURN(TriangulatedGrid box, BuildLatentGrid(codes, box_config));
      ISOAE_ASSIGN_OR_RETURN(torch::Tensor box_fx, Decode(ae, ToTensor(box.vertices, options)));
      ISOAE_ASSIGN_OR_RETURN(EdgeRatioStats er_box, EdgeLengthRatios(box, ToEigen(box_fx)));
      // Final loss terms, computed once more without sampling noise in L_rec.
      std::map<std::string, double> final_terms;
      {
        torch::manual_seed(config.seed + 1);
        LossTerms lt;
        ISOAE_RETURN_IF_ERROR(
            TorchCall("final losses", [&] { lt = probe_method.Loss(ae, x); }));
        for (auto& [name, t] : lt.terms) final_terms[name] = t.item<double>();
      }
      SurfaceRunResult run{surface_name, method, er, er_box, final_terms["L_rec"], hist.seconds};
      result.runs.push_back(run);
      stds[surface_name][method] = er.std;
      box_stds[surface_name][method] = er_box.std;
      details.AddRow({surface_name, MethodLabel(method), Cell(er.std), Cell(er.raw_mean),
                      Cell(er.p5), Cell(er.p50), Cell(er.p95),
                      Cell(static_cast<double>(er.num_edges), 10), Cell(er_box.std),
                      Cell(static_cast<double>(er_box.num_edges), 10), Cell(final_terms["L_rec"]),
                      Cell(final_terms["iso"]), Cell(final_terms["piso"]),
                      Cell(hist.seconds, 3)});
      ISOAE_RETURN_IF_ERROR(
          WriteHistoryCsv(absl::StrCat(config.output_dir, "/history_", tag, ".csv"), hist));
      if (config.write_figures) {
        ISOAE_RETURN_IF_ERROR(WriteFigures(
            config.output_dir, tag, data, codes, grid, decoded,
            absl::StrCat(MethodLabel(method), " on ", surface_name, " (std ",
                         absl::StrFormat("%.3f", er.std), ")")));
      }
      if (!config.quiet) {
        LOG(INFO) << tc.log_prefix << ": edge-ratio std " << er.std << " (" << er.num_edges
                  << " edges), L_rec " << final_terms["L_rec"] << ", " << hist.seconds << " s";
      }
    }
  }
  std::vector<std::string> cols = {"surface"};
  for (const auto& m : config.methods) cols.push_back(MethodLabel(m));
  Table table(cols), box_table(cols);
  for (const auto& s : config.surfaces) {
    std::vector<Cell> row = {s}, box_row = {s};
    for (const auto& m : config.methods) {
      row.push_back(Cell(stds[s][m], 3));
      box_row.push_back(Cell(box_stds[s][m], 3));
    }
    table.AddRow(row);
    box_table.AddRow(box_row);
  }
  ISOAE_RETURN_IF_ERROR(table.WriteCsv(config.output_dir + "/edge_ratio_table.csv"));
  ISOAE_RETURN_IF_ERROR(table.WriteJson(config.output_dir + "/edge_ratio_table.json"));
  ISOAE_RETURN_IF_ERROR(
      box_table.WriteCsv(config.output_dir + "/edge_ratio_table_full_box.csv"));
  ISOAE_RETURN_IF_ERROR(details.WriteCsv(config.output_dir + "/edge_ratio_details.csv"));
  result.table_text = table.ToText();
  result.full_box_table_text = box_table.ToText();
  return result;
}

}  // namespace isoae
