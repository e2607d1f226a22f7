// Command-line flags of the flattening module (IRVAE section 4.2, D.1-D.3),
// shared by the experiments that flatten a trained model:
//
//   --fm            run IRVAE + FM after each IRVAE run
//   --fm_epochs     FM epochs (D.1: 100)
//   --fm_lr         FM learning rate (D.1: 1e-4; D.3 CelebA: 1e-5)
//   --flow_depth    Real NVP coupling layers (8)
//   --flow_hidden   conditioner width (512)
//   --fm_options    key=value,... for FM's regulariser, on top of the
//                   experiment's --method_options (its keys win); default
//                   estimator=exact
//                   (for m = 2 it costs what one Hutchinson probe costs and
//                   flattens much further, docs/results.md)
//
// FM uses the experiment's batch size, seed and checkpoint interval.
// Errors: kInvalidArgument naming the flag (--fm_epochs=-1, --fm_lr=0, ...).
#ifndef ISOAE_IRVAE_FLATTENING_FLAGS_H_
#define ISOAE_IRVAE_FLATTENING_FLAGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "core/train_flags.h"
#include "core/trainer.h"
#include "datasets/registry.h"
#include "irvae/flattening.h"

namespace isoae {

// The plan the flags describe. `train`: the experiment's own schedule (batch size, seed, checkpoints).
absl::StatusOr<FlatteningPlan> FlatteningFlagsFromCommandLine(const TrainConfig& train);

// What every IRVAE experiment binary parses after InitMain: the train
// (core/train_flags.h), dataset (datasets/dataset_flags.h) and flattening
// flags, each validated.
struct ExperimentFlags {
  TrainFlags train;
  DatasetRequest data;
  FlatteningPlan fm;
};
absl::StatusOr<ExperimentFlags> ExperimentFlagsFromCommandLine();

}  // namespace isoae

#endif  // ISOAE_IRVAE_FLATTENING_FLAGS_H_
