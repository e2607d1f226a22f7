// Trains any registered method (core/method.h) on any registered dataset
// (datasets/registry.h) with one of the papers' architectures, and writes
// what //tools:evaluate and a resumed run need:
//
//   <output_dir>/checkpoint.pt   model + Adam state + step (atomic, every
//                                checkpoint_every steps and at the end)
//   <output_dir>/history.csv     the logged loss terms over training
//   <output_dir>/summary.json    method, model, data, final terms, time
//
// Batches stay uint8 until used (value / 255, datasets/tensor_adapter.h).
//
// A method that flattens a trained model (IRVAE's flattening module, "fm")
// starts from base_checkpoint (a checkpoint of this tool or an experiment,
// with the same --arch and --latent_dim); it trains only the Real NVP
// (depth 8, width 512, as IRVAE D.1-D.3) and writes a flattened model that
// //tools:evaluate loads like any other.
//
// Errors: the loaders', the registry's and the trainer's codes;
// kInvalidArgument for an architecture that does not fit the data, a
// flattening method without base_checkpoint, or a base_checkpoint for a
// method that trains a new model; the checkpoint loader's codes for the base.
#ifndef ISOAE_TOOLS_TRAIN_H_
#define ISOAE_TOOLS_TRAIN_H_

#include <string>

#include "absl/status/statusor.h"
#include "core/method_flags.h"
#include "core/trainer.h"
#include "datasets/registry.h"

namespace isoae {

struct TrainToolConfig {
  DatasetRequest data;
  MethodRequest method;
  TrainConfig train;  // checkpoint_path and fingerprint are set by RunTraining
  std::string device = "cpu";
  std::string output_dir = "out/train";
  std::string base_checkpoint;  // flattening methods only
  bool quiet = false;
};

struct TrainToolResult {
  TrainHistory history;
  std::string method;  // canonical spec
  std::string checkpoint;
};

absl::StatusOr<TrainToolResult> RunTraining(const TrainToolConfig& config);

}  // namespace isoae

#endif  // ISOAE_TOOLS_TRAIN_H_
