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
// Errors: the loaders', the registry's and the trainer's codes;
// kInvalidArgument for an architecture that does not fit the data.
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
