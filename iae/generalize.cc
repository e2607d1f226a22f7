#include "iae/generalize.h"

#include <ATen/ATen.h>

#include <glog/logging.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "core/autoencoder.h"
#include "core/checkpoint.h"
#include "core/device.h"
#include "core/method.h"
#include "core/status_macros.h"
#include "core/table.h"
#include "core/torch_boundary.h"
#include "datasets/dataset.h"
#include "datasets/image_io.h"
#include "irvae/geometry_runs.h"
#include "metrics/frechet.h"
#include "metrics/pullback.h"

namespace isoae {
namespace {

constexpr int kFigureColumns = 8;

// x and its reconstruction f(g(x)) by the model in eval mode, in chunks.
absl::StatusOr<at::Tensor> Reconstruct(Model& model, const at::Tensor& x, int64_t batch) {
  std::vector<int64_t> shape = {x.size(0)};
  shape.insert(shape.end(), model.DataShape().begin(), model.DataShape().end());
  ISOAE_ASSIGN_OR_RETURN(const at::Tensor z, Encode(model, x.reshape(shape), batch));
  ISOAE_ASSIGN_OR_RETURN(const at::Tensor x_hat, Decode(model, z, batch));
  return x_hat.reshape(x.sizes());
}

absl::StatusOr<double> MeanSquaredError(const at::Tensor& x, const at::Tensor& x_hat) {
  double mse = 0;
  ISOAE_RETURN_IF_ERROR(TorchCall("reconstruction error", [&] {
    mse = (x_hat.reshape(x.sizes()) - x).pow(2).mean().item<double>();
  }));
  if (!std::isfinite(mse)) {
    return absl::InternalError("the reconstruction error is not finite (the model diverged)");
  }
  return mse;
}

absl::StatusOr<Eigen::MatrixXd> Rows(const at::Tensor& t) {
  at::Tensor rows;
  ISOAE_RETURN_IF_ERROR(TorchCall("copying images for the Frechet distance", [&] {
    rows = t.reshape({t.size(0), -1}).to(at::kDouble).cpu();
  }));
  return ToEigen(rows);
}

// The validation history of one run: "epoch,step,valid_l2" lines. A resumed
// run keeps the rows up to where it resumes; evaluations it replays (steps
// between its checkpoint and the interruption) are not written twice.
class ValidationLog {
 public:
  static absl::StatusOr<ValidationLog> Open(const std::string& path, bool keep) {
    ValidationLog log;
    log.path_ = path;
    if (keep && std::filesystem::exists(path)) {
      std::ifstream in(path);
      std::string line;
      std::getline(in, line);  // header
      while (std::getline(in, line)) {
        std::vector<std::string> f = absl::StrSplit(line, ',');
        int64_t step;
        if (f.size() != 3 || !absl::SimpleAtoi(f[1], &step)) {
          return absl::DataLossError(absl::StrCat(path, ": bad line \"", line, "\""));
        }
        log.lines_.push_back(line);
        log.last_step_ = step;
      }
    }
    ISOAE_RETURN_IF_ERROR(log.Write());
    return log;
  }
  absl::Status Add(int64_t epoch, int64_t step, double l2) {
    if (step <= last_step_) return absl::OkStatus();
    lines_.push_back(absl::StrCat(epoch, ",", step, ",", absl::StrFormat("%.8g", l2)));
    last_step_ = step;
    return Write();
  }

 private:
  // Atomically (WriteTextFile renames a finished file over the old one).
  absl::Status Write() const {
    std::string text = "epoch,step,valid_l2\n";
    for (const std::string& l : lines_) absl::StrAppend(&text, l, "\n");
    return WriteTextFile(path_, text);
  }
  std::string path_;
  std::vector<std::string> lines_;
  int64_t last_step_ = -1;
};

absl::Status WriteReconstructionFigure(const std::string& path, const at::Tensor& test,
                                       const std::vector<at::Tensor>& rows) {
  const int64_t cols = test.size(0);
  Dataset grid;
  grid.name = "reconstructions";
  grid.item_shape.assign(test.sizes().begin() + 1, test.sizes().end());
  std::vector<at::Tensor> all = {test};
  all.insert(all.end(), rows.begin(), rows.end());
  ISOAE_RETURN_IF_ERROR(TorchCall("reconstruction figure", [&] {
    const at::Tensor u8 = (at::cat(all, 0).reshape({-1}).clamp(0, 1) * 255).round().to(at::kByte).cpu();
    grid.pixels.assign(u8.data_ptr<uint8_t>(), u8.data_ptr<uint8_t>() + u8.numel());
  }));
  std::vector<int64_t> items(static_cast<size_t>(cols * static_cast<int64_t>(all.size())));
  for (size_t i = 0; i < items.size(); ++i) items[i] = static_cast<int64_t>(i);
  const int zoom = grid.item_shape.back() < 48 ? 3 : 1;
  return WriteItemGridPng(path, grid, items, static_cast<int>(cols), zoom);
}

}  // namespace

absl::Status ValidateGeneralizeConfig(const GeneralizeConfig& c) {
  if (c.methods.empty()) return absl::InvalidArgumentError("--methods must not be empty");
  if (c.latent_dim < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--latent_dim must be >= 0 (0: the paper's), got ", c.latent_dim));
  }
  if (c.train.epochs < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--epochs must be >= 1 (the best epoch is chosen on validation), got ", c.train.epochs));
  }
  if (c.max_valid_items == 0) {
    return absl::InvalidArgumentError(
        "--max_valid_items must not be 0: the kept weights are chosen on validation items");
  }
  if (c.max_test_items == 0 || c.max_test_items == 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max_test_items must be >= 2 (a Frechet distance needs a covariance) or < 0 (all), got ",
        c.max_test_items));
  }
  if (c.eval_batch < 1) {
    return absl::InvalidArgumentError(absl::StrCat("--eval_batch must be >= 1, got ", c.eval_batch));
  }
  if (c.output_dir.empty()) return absl::InvalidArgumentError("--output_dir is empty");
  ISOAE_ASSIGN_OR_RETURN(MethodOptions options, MethodOptions::Parse(c.method_options));
  ISOAE_ASSIGN_OR_RETURN(std::vector<Method> built, BuildMethods(c.methods, options));
  for (size_t i = 0; i < built.size(); ++i) {
    if (built[i].Kind() == ModelKind::kFlattened) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--methods: \"", c.methods[i], "\" flattens a trained model; train one here instead"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<GeneralizeResult> RunGeneralizeExperiment(const GeneralizeConfig& c) {
  ISOAE_RETURN_IF_ERROR(ValidateGeneralizeConfig(c));
  ISOAE_ASSIGN_OR_RETURN(const c10::Device device, ParseDevice(c.device));
  ISOAE_ASSIGN_OR_RETURN(ExperimentData data,
                         LoadExperimentData(c.data, c.max_test_items, device,
                                            c.max_valid_items));
  if (data.test.size(0) < 2) {
    return absl::InvalidArgumentError(absl::StrCat(data.name, " has fewer than 2 test items"));
  }
  const int64_t latent = c.latent_dim > 0 ? c.latent_dim : (data.item_size == 784 ? 16 : 128);
  const int64_t n_train = data.train.size(0);
  const int64_t batch = c.train.batch_size > 0 ? std::min(c.train.batch_size, n_train) : n_train;
  const int64_t steps_per_epoch = (n_train + batch - 1) / batch;
  const std::string checkpoint_dir = c.output_dir + "/checkpoints";
  std::error_code ec;
  std::filesystem::create_directories(checkpoint_dir, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot create ", checkpoint_dir, ": ", ec.message()));
  }
  // The test images' Gaussian, fitted once (pixel space, small items only).
  const bool frechet = data.item_size <= kMaxFrechetValues;
  GaussianFit test_fit;
  if (frechet) {
    ISOAE_ASSIGN_OR_RETURN(const Eigen::MatrixXd test_rows, Rows(data.test));
    ISOAE_ASSIGN_OR_RETURN(test_fit, FitGaussian(test_rows));
  } else {
    LOG(INFO) << data.name << ": items of " << data.item_size << " values (> "
              << kMaxFrechetValues << "), no pixel-space Frechet distance";
  }
  // The figure's test items, spread over the split (which is ordered by
  // class in some datasets).
  const int64_t shown = std::min<int64_t>(kFigureColumns, data.test.size(0));
  at::Tensor figure_items;
  ISOAE_RETURN_IF_ERROR(TorchCall("figure items", [&] {
    figure_items = at::arange(shown, at::kLong).mul(data.test.size(0)).div(shown, "floor")
                       .to(data.test.device());
  }));
  std::vector<at::Tensor> figure_rows;

  GeneralizeResult result;
  Table table({"method", "best_epoch", "valid_l2_x1e3", "test_l2_x1e3", "last_test_l2_x1e3",
               "test_fd_pixels", "seconds"});
  for (const std::string& m : c.methods) {
    RunSpec spec = SharedOptionsRun(m, c.method_options, c.train, device, checkpoint_dir);
    spec.arch = c.arch;
    spec.latent_dim = latent;
    spec.train.eval_every = steps_per_epoch;
    spec.width_multiplier = c.width_multiplier;
    const std::string best_path = absl::StrCat(checkpoint_dir, "/", spec.tag, "_best.pt");
    const std::string best_fingerprint =
        absl::StrCat("best validation of ", m, " [", c.method_options, "] on ", data.name,
                     " (", data.valid.size(0), " validation items, split seed ",
                     c.data.split_seed, "); arch ", c.arch, " latent ", latent, " width ",
                     c.width_multiplier, "; seed ", c.train.seed, " lr ",
                     c.train.learning_rate, " batch ", batch);
    // A resumed run (its training checkpoint exists) keeps its best weights
    // so far; a fresh one starts without any.
    const bool resuming =
        c.train.resume && std::filesystem::exists(absl::StrCat(checkpoint_dir, "/", spec.tag, ".pt"));
    double best = std::numeric_limits<double>::infinity();
    if (resuming && std::filesystem::exists(best_path)) {
      at::Tensor stored = at::zeros({1}, at::kDouble);
      ISOAE_RETURN_IF_ERROR(LoadCheckpoint(best_path, best_fingerprint, {{"valid_l2", stored}})
                                .status());
      best = stored.item<double>();
    } else {
      std::filesystem::remove(best_path, ec);
    }
    ISOAE_ASSIGN_OR_RETURN(
        ValidationLog log,
        ValidationLog::Open(absl::StrCat(c.output_dir, "/validation_", spec.tag, ".csv"), resuming));
    const ModelEvalFn eval = [&](Model& model, int64_t step) -> absl::Status {
      ISOAE_ASSIGN_OR_RETURN(const at::Tensor x_hat, Reconstruct(model, data.valid, c.eval_batch));
      absl::StatusOr<double> l2 = MeanSquaredError(data.valid, x_hat);
      if (!l2.ok()) {
        // Not a candidate; the trainer stops the run if its loss follows.
        LOG(WARNING) << spec.tag << " step " << step << ": " << l2.status();
        l2 = std::numeric_limits<double>::quiet_NaN();
      }
      ISOAE_RETURN_IF_ERROR(log.Add(step / steps_per_epoch, step, *l2));
      if (*l2 < best) {
        std::vector<NamedTensor> state = model.State();
        ISOAE_RETURN_IF_ERROR(TorchCall("best-validation state", [&] {
          state.push_back({"valid_l2", at::full({1}, *l2, at::kDouble)});
        }));
        ISOAE_RETURN_IF_ERROR(SaveCheckpoint(best_path, step, best_fingerprint, state));
        best = *l2;
      }
      return absl::OkStatus();
    };
    ISOAE_ASSIGN_OR_RETURN(TrainedRun run, TrainRun(spec, data, nullptr, eval));
    ISOAE_RETURN_IF_ERROR(WriteHistoryCsv(
        absl::StrCat(c.output_dir, "/history_", spec.tag, ".csv"), run.history));
    Model& model = *run.model;
    GeneralizeRow row;
    row.method = m;
    row.seconds = run.history.seconds;
    ISOAE_ASSIGN_OR_RETURN(const at::Tensor last_hat, Reconstruct(model, data.test, c.eval_batch));
    // The last weights may have diverged where the kept ones did not.
    row.last_test_l2 = MeanSquaredError(data.test, last_hat).value_or(
        std::numeric_limits<double>::quiet_NaN());
    if (!std::filesystem::exists(best_path)) {
      return absl::InternalError(absl::StrCat(
          m, ": no epoch had a finite validation error (see validation_", spec.tag, ".csv)"));
    }
    ISOAE_ASSIGN_OR_RETURN(const int64_t best_step,
                           LoadCheckpoint(best_path, best_fingerprint, model.State()));
    row.best_epoch = best_step / steps_per_epoch;
    row.valid_l2 = best;
    ISOAE_ASSIGN_OR_RETURN(const at::Tensor x_hat, Reconstruct(model, data.test, c.eval_batch));
    ISOAE_ASSIGN_OR_RETURN(row.test_l2, MeanSquaredError(data.test, x_hat));
    row.test_fd_pixels = std::numeric_limits<double>::quiet_NaN();
    if (frechet) {
      ISOAE_ASSIGN_OR_RETURN(const Eigen::MatrixXd hat_rows, Rows(x_hat));
      ISOAE_ASSIGN_OR_RETURN(const GaussianFit hat_fit, FitGaussian(hat_rows));
      ISOAE_ASSIGN_OR_RETURN(row.test_fd_pixels, FrechetDistance(test_fit, hat_fit));
    }
    ISOAE_RETURN_IF_ERROR(TorchCall("figure rows", [&] {
      figure_rows.push_back(x_hat.index_select(0, figure_items));
    }));
    result.rows.push_back(row);
    table.AddRow({m, Cell(static_cast<double>(row.best_epoch), 6), Cell(1e3 * row.valid_l2, 4),
                  Cell(1e3 * row.test_l2, 4), Cell(1e3 * row.last_test_l2, 4),
                  Cell(row.test_fd_pixels, 4),
                  Cell(row.seconds, 4)});
    // Written after every method, so a long run leaves its rows as it goes.
    ISOAE_RETURN_IF_ERROR(table.WriteCsv(c.output_dir + "/generalize_table.csv"));
  }
  ISOAE_RETURN_IF_ERROR(table.WriteJson(c.output_dir + "/generalize_table.json"));
  if (c.write_figures) {
    at::Tensor shown_items;
    ISOAE_RETURN_IF_ERROR(TorchCall("figure items", [&] {
      shown_items = data.test.index_select(0, figure_items);
    }));
    ISOAE_RETURN_IF_ERROR(
        WriteReconstructionFigure(c.output_dir + "/reconstructions.png", shown_items, figure_rows));
  }
  result.table_text = table.ToText();
  return result;
}

}  // namespace isoae
