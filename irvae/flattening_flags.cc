#include "irvae/flattening_flags.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "datasets/dataset_flags.h"
#include "gflags/gflags.h"

DEFINE_bool(fm, true, "train the flattening module (Real NVP) on each trained IRVAE");
DEFINE_int64(fm_epochs, 30, "flattening epochs (IRVAE D.1: 100)");
DEFINE_double(fm_lr, 1e-4, "flattening learning rate (IRVAE D.1: 1e-4)");
DEFINE_int64(flow_depth, 8, "Real NVP coupling layers of the flattening module");
DEFINE_int64(flow_hidden, 512, "width of the Real NVP conditioner networks");
DEFINE_string(fm_options, "estimator=exact",
              "key=value,... for the flattening module's regulariser (exact Tr G, Tr G^2: "
              "lower VoR and MCN than one Hutchinson probe at the same cost for m = 2, "
              "docs/results.md)");

namespace isoae {

absl::StatusOr<FlatteningPlan> FlatteningFlagsFromCommandLine(const TrainConfig& train) {
  if (FLAGS_fm_epochs < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--fm_epochs must be >= 0, got ", FLAGS_fm_epochs));
  }
  if (!(FLAGS_fm_lr > 0) || !std::isfinite(FLAGS_fm_lr)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--fm_lr must be a finite number > 0, got ", FLAGS_fm_lr));
  }
  if (FLAGS_flow_depth < 1 || FLAGS_flow_hidden < 1) {
    return absl::InvalidArgumentError(absl::StrCat("--flow_depth and --flow_hidden must be >= 1, got ",
                                                   FLAGS_flow_depth, " and ", FLAGS_flow_hidden));
  }
  FlatteningPlan f;
  f.enabled = FLAGS_fm;
  f.train = train;
  f.train.epochs = FLAGS_fm_epochs;
  f.train.learning_rate = FLAGS_fm_lr;
  f.train.resume = train.resume;
  f.flow.depth = FLAGS_flow_depth;
  f.flow.hidden = FLAGS_flow_hidden;
  f.options = FLAGS_fm_options;
  return f;
}

absl::StatusOr<ExperimentFlags> ExperimentFlagsFromCommandLine() {
  ExperimentFlags f;
  ISOAE_ASSIGN_OR_RETURN(f.train, TrainFlagsFromCommandLine());
  ISOAE_ASSIGN_OR_RETURN(f.data, DatasetRequestFromFlags());
  ISOAE_ASSIGN_OR_RETURN(f.fm, FlatteningFlagsFromCommandLine(f.train.train));
  return f;
}

}  // namespace isoae
