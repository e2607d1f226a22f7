#include "irvae/latent_dim.h"

#include <ATen/ATen.h>

#include "absl/strings/str_cat.h"
#include "core/device.h"
#include "core/method.h"
#include "core/status_macros.h"
#include "core/table.h"
#include "irvae/geometry_runs.h"

namespace isoae {

absl::StatusOr<LatentDimResult> RunLatentDimExperiment(const LatentDimConfig& c) {
  if (c.dims.empty() || c.methods.empty()) {
    return absl::InvalidArgumentError("--dims and --methods must not be empty");
  }
  for (int64_t d : c.dims) {
    if (d < 1) return absl::InvalidArgumentError(absl::StrCat("--dims: ", d, " < 1"));
  }
  if (c.output_dir.empty()) return absl::InvalidArgumentError("--output_dir is empty");
  // Every method and option checked before the first run trains (an option
  // needs to be read by one of the methods; each run takes the ones it reads).
  ISOAE_ASSIGN_OR_RETURN(MethodOptions options, MethodOptions::Parse(c.method_options));
  ISOAE_RETURN_IF_ERROR(BuildMethods(c.methods, options).status());
  ISOAE_ASSIGN_OR_RETURN(const c10::Device device, ParseDevice(c.device));
  ISOAE_ASSIGN_OR_RETURN(ExperimentData data,
                         LoadExperimentData(c.data, c.max_test_items, device));
  LatentDimResult result;
  Table table({"latent_dim", "method", "mcn", "mcn_std", "mcn_max", "vor", "test_mse",
               "seconds"});
  for (int64_t d : c.dims) {
    for (const std::string& m : c.methods) {
      RunSpec spec =
          SharedOptionsRun(m, c.method_options, c.train, device, c.output_dir + "/checkpoints");
      spec.latent_dim = d;
      spec.tag = absl::StrCat(spec.tag, "_d", d);
      ISOAE_ASSIGN_OR_RETURN(TrainedRun run, TrainRun(spec, data));
      ISOAE_RETURN_IF_ERROR(WriteHistoryCsv(
          absl::StrCat(c.output_dir, "/history_", spec.tag, ".csv"), run.history));
      ISOAE_ASSIGN_OR_RETURN(GeometryScores s, ScoreGeometry(*run.model, data.test));
      LatentDimRow row{d, m, s.mcn, s.mcn_std, s.mcn_max, s.vor, s.mse, run.history.seconds};
      result.rows.push_back(row);
      table.AddRow({Cell(static_cast<double>(d), 3), m, Cell(s.mcn, 5), Cell(s.mcn_std, 5),
                    Cell(s.mcn_max, 5), Cell(s.vor, 5), Cell(s.mse, 5),
                    Cell(run.history.seconds, 4)});
      // Written after every run, so a long sweep leaves its rows as it goes.
      ISOAE_RETURN_IF_ERROR(table.WriteCsv(c.output_dir + "/latent_dim_table.csv"));
    }
  }
  ISOAE_RETURN_IF_ERROR(table.WriteJson(c.output_dir + "/latent_dim_table.json"));
  result.table_text = table.ToText();
  return result;
}

}  // namespace isoae
