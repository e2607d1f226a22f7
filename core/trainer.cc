#include "core/trainer.h"

#include "third_party/torch_light.h"
#include <glog/logging.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/adam.h"
#include "core/checkpoint.h"
#include "core/distributed.h"
#include "core/table.h"
#include "core/torch_boundary.h"

namespace isoae {
namespace {

uint64_t Mix(uint64_t seed, uint64_t v) {
  // splitmix64 of (seed, v): decorrelated seeds for each step/epoch.
  uint64_t z = seed * 0x9E3779B97F4A7C15ULL + v + 0x632BE59BD9B4E019ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return (z ^ (z >> 31)) & 0x7FFFFFFFFFFFFFFFULL;
}

std::string Duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const int64_t t = static_cast<int64_t>(s + 0.5);
  if (t >= 3600) return absl::StrFormat("%dh%02dm", t / 3600, (t / 60) % 60);
  if (t >= 60) return absl::StrFormat("%dm%02ds", t / 60, t % 60);
  return absl::StrFormat("%ds", t);
}

}  // namespace

absl::StatusOr<TrainHistory> Train(const TrainConfig& config,
                                   const std::vector<at::Tensor>& parameters,
                                   const std::vector<NamedTensor>& state,
                                   const at::Tensor& data, const LossFn& loss,
                                   const EvalFn& eval) {
  if (config.epochs < 0) {
    return absl::InvalidArgumentError(absl::StrCat("epochs must be >= 0, got ", config.epochs));
  }
  if (config.batch_size < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch_size must be >= 0 (0 = full batch), got ", config.batch_size));
  }
  if (!(config.learning_rate > 0) || !std::isfinite(config.learning_rate)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "learning_rate must be positive and finite, got ", config.learning_rate));
  }
  if (!data.defined() || data.dim() < 2 || data.size(0) == 0) {
    return absl::InvalidArgumentError("training data must be a non-empty [N, ...] tensor");
  }
  if (config.resume && config.checkpoint_path.empty()) {
    return absl::InvalidArgumentError("resume needs a checkpoint path");
  }
  DataParallel* const parallel = config.parallel;
  const bool lead = parallel == nullptr || parallel->rank() == 0;
  const int64_t n = data.size(0);
  const int64_t batch = config.batch_size == 0 ? n : std::min(config.batch_size, n);
  if (parallel != nullptr && (n % batch != 0 ? std::min(batch, n % batch) : batch) <
                                 parallel->world_size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "every batch needs at least one row per rank: batch ", batch, " of ", n,
        " items (last batch ", n % batch == 0 ? batch : n % batch, ") over ",
        parallel->world_size(), " ranks"));
  }
  const int64_t steps_per_epoch = (n + batch - 1) / batch;
  const int64_t total_steps = config.epochs * steps_per_epoch;
  const int64_t log_every =
      config.log_every > 0 ? config.log_every : std::max<int64_t>(1, total_steps / 20);

  AdamOptions adam;
  adam.learning_rate = config.learning_rate;
  Adam opt(parameters, adam);
  TrainHistory history;
  int64_t step = 0;
  std::string last_good = "none (no checkpoint written yet)";
  auto full_state = [&](bool create) {
    std::vector<NamedTensor> all = state;
    for (auto& t : opt.State(create)) all.push_back(t);
    return all;
  };
  if (config.resume && lead) {
    absl::StatusOr<int64_t> loaded =
        LoadCheckpoint(config.checkpoint_path, config.fingerprint, full_state(true));
    if (!loaded.ok()) return loaded.status();
    step = *loaded;
    opt.SetSteps(step);
    last_good = absl::StrCat(config.checkpoint_path, " (step ", step, ")");
    if (!config.quiet) LOG(INFO) << config.log_prefix << " resumed from " << last_good;
  }
  if (parallel != nullptr) {
    // Every rank starts from rank 0's model, optimizer state and step.
    std::vector<at::Tensor> shared;
    for (const NamedTensor& t : full_state(true)) shared.push_back(t.tensor);
    at::Tensor step_t = torch::tensor({static_cast<double>(step)}, torch::kDouble);
    shared.push_back(step_t);
    if (absl::Status bs = parallel->BroadcastFromRankZero(shared); !bs.ok()) return bs;
    step = static_cast<int64_t>(step_t.item<double>());
    opt.SetSteps(step);
  }
  auto save = [&](int64_t at_step) -> absl::Status {
    if (config.checkpoint_path.empty() || !lead) return absl::OkStatus();
    absl::Status s = SaveCheckpoint(config.checkpoint_path, at_step,
                                    config.fingerprint, full_state(false));
    if (s.ok()) {
      last_good = absl::StrCat(config.checkpoint_path, " (step ", at_step, ")");
      return s;
    }
    return absl::Status(s.code(), absl::StrCat(s.message(), "; training stopped; last good checkpoint: ",
                                               last_good));
  };

  const auto start = std::chrono::steady_clock::now();
  const int64_t first_step = step;
  at::Tensor perm;
  int64_t perm_epoch = -1;
  while (step < total_steps) {
    const int64_t epoch = step / steps_per_epoch;
    const int64_t b = step % steps_per_epoch;
    at::Tensor x;
    if (batch == n) {
      x = data;
    } else {
      if (perm_epoch != epoch) {
        auto gen = at::make_generator<at::CPUGeneratorImpl>(Mix(config.seed, epoch));
        perm = torch::randperm(n, gen, torch::kLong).to(data.device());
        perm_epoch = epoch;
      }
      x = data.index_select(0, perm.slice(0, b * batch, std::min(n, (b + 1) * batch)));
    }
    // Each rank takes its shard of the batch, with random draws of its own.
    const int64_t global_rows = x.size(0);
    uint64_t step_seed = config.seed ^ 0x5DEECE66DULL;
    if (parallel != nullptr) {
      const auto [begin, end] = parallel->Shard(global_rows);
      x = x.narrow(0, begin, end - begin);
      step_seed ^= 0x2545F4914F6CDD1DULL * static_cast<uint64_t>(parallel->rank());
    }
    torch::manual_seed(Mix(step_seed, step));
    LossTerms terms;
    absl::Status s = TorchCall(absl::StrCat("training step ", step), [&] {
      terms = loss(x);
      opt.ZeroGrad();
      terms.total.backward();
    });
    if (!s.ok()) return s;
    std::vector<std::pair<std::string, double>> values;
    for (auto& [name, t] : terms.terms) values.push_back({name, t.item<double>()});
    values.push_back({"total", terms.total.item<double>()});
    bool finite = true;
    for (auto& [name, v] : values) finite = finite && std::isfinite(v);
    bool all_finite = finite;
    if (parallel != nullptr) {
      absl::StatusOr<bool> reduced =
          parallel->ReduceGradients(parameters, x.size(0), global_rows, finite);
      if (!reduced.ok()) return reduced.status();
      all_finite = *reduced;
    }
    for (auto& [name, v] : values) {
      if (!std::isfinite(v)) {
        return absl::InternalError(absl::StrCat(
            config.log_prefix.empty() ? "" : config.log_prefix + ": ",
            "loss term '", name, "' became ", v, " at step ", step,
            "; training stopped; last good checkpoint: ", last_good));
      }
    }
    if (!all_finite) {
      return absl::InternalError(absl::StrCat(
          config.log_prefix.empty() ? "" : config.log_prefix + ": ",
          "a loss term became non-finite on another rank at step ", step,
          "; training stopped; last good checkpoint: ", last_good));
    }
    if (absl::Status os = TorchCall("optimizer step", [&] { opt.Step(); }); !os.ok()) return os;
    ++step;
    const bool log_now = step % log_every == 0 || step == total_steps;
    if (log_now && parallel != nullptr) {
      // The logged values are the global batch's: row-weighted sums of the
      // shards' means.
      std::vector<double> v;
      for (auto& [name, value] : values) v.push_back(value * x.size(0) / global_rows);
      if (absl::Status ss = parallel->SumAcrossRanks(&v); !ss.ok()) return ss;
      for (size_t i = 0; i < v.size(); ++i) values[i].second = v[i];
    }
    if (log_now) {
      history.steps.push_back(step);
      for (auto& [name, v] : values) history.terms[name].push_back(v);
      if (!config.quiet && lead) {
        const double el = std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - start).count();
        const double rate = (step - first_step) / std::max(el, 1e-9);
        std::string line = absl::StrFormat("%s step %d/%d (%.0f%%)", config.log_prefix,
                                           step, total_steps, 100.0 * step / total_steps);
        for (auto& [name, v] : values) absl::StrAppendFormat(&line, " %s=%.4g", name, v);
        absl::StrAppendFormat(&line, " | %.1f steps/s, ETA %s", rate,
                              Duration((total_steps - step) / rate));
        LOG(INFO) << line;
      }
    }
    // Evaluation first: a checkpoint at this step means its evaluation has
    // run, so a run killed in between evaluates this step again on resume
    // (an experiment that keeps its best evaluated weights never skips one).
    if (eval && lead && config.eval_every > 0 && step % config.eval_every == 0) {
      absl::Status es = eval(step);
      if (!es.ok()) return es;
    }
    if (config.checkpoint_every > 0 && step % config.checkpoint_every == 0 &&
        step < total_steps) {
      absl::Status cs = save(step);
      if (!cs.ok()) return cs;
    }
  }
  absl::Status cs = save(step);
  if (!cs.ok()) return cs;
  history.final_step = step;
  history.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return history;
}

absl::Status WriteHistoryCsv(const std::string& path, const TrainHistory& history) {
  std::vector<std::string> cols = {"step"};
  for (const auto& [name, v] : history.terms) cols.push_back(name);
  Table t(cols);
  for (size_t i = 0; i < history.steps.size(); ++i) {
    std::vector<Cell> row = {Cell(static_cast<double>(history.steps[i]), 12)};
    for (const auto& [name, v] : history.terms) row.push_back(Cell(v[i], 6));
    t.AddRow(row);
  }
  return t.WriteCsv(path);
}

}  // namespace isoae
