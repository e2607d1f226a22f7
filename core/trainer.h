// A training loop for models whose loss is a sum of named terms: Adam,
// full-batch or mini-batch, seeded, with periodic logging (progress line with
// ETA), evaluation hook, atomic checkpoints (model + optimizer + step) and
// resume, and NaN/Inf detection.
//
// Determinism: the data order of epoch e comes from a generator seeded with
// (seed, e), and LibTorch's global generator is re-seeded with (seed, step)
// before every step, so a resumed run draws the same samples as an
// uninterrupted one.
//
// Failure handling: if any loss term is NaN/Inf at a step, training stops and
// returns kInternal naming the step, the term and the last good checkpoint
// (checkpoints are only written while the model is finite, see
// core/checkpoint.h). Bad config values return kInvalidArgument; checkpoint
// problems return the codes of core/checkpoint.h.
#ifndef ISOAE_CORE_TRAINER_H_
#define ISOAE_CORE_TRAINER_H_

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/loss_terms.h"
#include "core/tangent_layers.h"

namespace isoae {

class DataParallel;

struct TrainConfig {
  int64_t epochs = 1;
  int64_t batch_size = 0;  // 0: full batch
  double learning_rate = 1e-3;
  uint64_t seed = 0;
  std::string checkpoint_path;  // empty: no checkpoints
  int64_t checkpoint_every = 0;  // steps; 0: only at the end
  bool resume = false;           // continue from checkpoint_path
  std::string fingerprint;       // config identity stored in checkpoints
  int64_t log_every = 0;         // steps; 0: about 20 lines per run
  int64_t eval_every = 0;        // steps; 0: never
  std::string log_prefix;        // e.g. "swiss_roll/I-AE"
  bool quiet = false;
  // Data-parallel training (core/distributed.h): this process is one rank,
  // trains on its shard of every batch and all-reduces the gradients; only
  // rank 0 writes checkpoints, logs and evaluates. Not owned.
  DataParallel* parallel = nullptr;
};

struct TrainHistory {
  std::vector<int64_t> steps;
  std::map<std::string, std::vector<double>> terms;  // logged at `steps`
  int64_t final_step = 0;
  double seconds = 0;
};

using LossFn = std::function<LossTerms(const at::Tensor& batch)>;
using EvalFn = std::function<absl::Status(int64_t step)>;

// Trains `parameters` on `data` [N, ...]. `state` lists everything a checkpoint
// must hold (parameters and buffers, named); `set_training` switches the model
// between train and eval mode around evaluation.
absl::StatusOr<TrainHistory> Train(const TrainConfig& config,
                                   const std::vector<at::Tensor>& parameters,
                                   const std::vector<NamedTensor>& state,
                                   const at::Tensor& data, const LossFn& loss,
                                   const EvalFn& eval = nullptr);

// The logged terms over training as CSV: a "step" column, then one column per
// term. kInternal if the file cannot be written.
absl::Status WriteHistoryCsv(const std::string& path, const TrainHistory& history);

}  // namespace isoae

#endif  // ISOAE_CORE_TRAINER_H_
