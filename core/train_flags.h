// Command-line flags shared by every binary that trains (like
// datasets/dataset_flags.h for data), turned into validated config structs:
//
//   --epochs --batch_size (0: full batch) --lr --seed --checkpoint_every
//   --resume --device (cpu | cuda | cuda:N | auto) --threads (0: AutoThreads)
//   --world_size --rank --master_addr --master_port --dist_interface
//   --dist_timeout_s (data-parallel training, core/distributed.h)
//
// A binary whose paper schedule differs sets its own defaults before
// InitMain with SetTrainFlagDefaults (e.g. full batch and 2000 epochs for the
// I-AE surfaces). Errors: kInvalidArgument naming the flag (--lr=nan,
// --epochs=0, --batch_size=-1, an unknown --device, ...).
#ifndef ISOAE_CORE_TRAIN_FLAGS_H_
#define ISOAE_CORE_TRAIN_FLAGS_H_

#include <c10/core/Device.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "core/distributed.h"
#include "core/trainer.h"

namespace isoae {

struct TrainFlagDefaults {
  int64_t epochs = 10;
  int64_t batch_size = 100;
  double lr = 1e-3;
  int64_t checkpoint_every = 1000;
};
// Call before InitMain (gflags parses after).
void SetTrainFlagDefaults(const TrainFlagDefaults& defaults);

struct TrainFlags {
  TrainConfig train;  // epochs, batch_size, learning_rate, seed, checkpoint_every, resume
  c10::Device device = c10::Device(c10::kCPU);
  std::string device_name;
  int threads = 0;
  DistributedOptions distributed;  // world_size 1: a single process
};

// The thread count --threads=0 picks: every core for full-batch training or
// batches of at least kAllCoresBatch rows, one thread for smaller batches.
// Measured on 2 cores, idle (2026-11-30), 1 vs 2 threads: an epoch of the
// Table 6 conv AE at batch 100 took 12.9 vs 15.4 s (I-AE 30.8 vs 42.7 s),
// IRVAE's MLP at batch 100 7.4 vs 9.2 s, the FC-NN at batch 128 3.6 vs
// 3.9 s; with one other busy process, 13.2 vs 26.4 s (sys 0.3 vs 18.8 s:
// OpenBLAS's sched_yield and OpenMP's futex waits for a preempted thread).
// Full-batch surfaces (1000 rows, width 256) gain from the second core.
inline constexpr int64_t kAllCoresBatch = 1000;
int AutoThreads(int64_t batch_size);

// More threads than this is a typo, not a machine (each one is an OS thread).
inline constexpr int kMaxThreads = 1024;

// Validates the flags and applies --threads (SetTorchThreads).
absl::StatusOr<TrainFlags> TrainFlagsFromCommandLine();

}  // namespace isoae

#endif  // ISOAE_CORE_TRAIN_FLAGS_H_
