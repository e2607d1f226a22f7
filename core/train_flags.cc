#include "core/train_flags.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/device.h"
#include "core/main_init.h"
#include "gflags/gflags.h"

DEFINE_int64(epochs, 10, "training epochs");
DEFINE_int64(batch_size, 100, "mini-batch size (0: full batch)");
DEFINE_double(lr, 1e-3, "Adam learning rate");
DEFINE_uint64(seed, 0, "seed of initialisation, data order and sampling");
DEFINE_int64(checkpoint_every, 1000, "checkpoint period in steps (0: end of training only)");
DEFINE_bool(resume, false, "continue from the checkpoint of an interrupted run");
DEFINE_string(device, "cpu", "cpu | cuda | cuda:N | auto");
DEFINE_int32(threads, 0,
             "LibTorch and OpenBLAS threads (0: all cores for full-batch or >= 1000-row "
             "batches, else 1, which measured faster; core/train_flags.h)");
DEFINE_int32(world_size, 1, "data-parallel ranks (processes) training together (core/distributed.h)");
DEFINE_int32(rank, 0, "this process's rank in [0, world_size); rank 0 hosts the rendezvous");
DEFINE_string(master_addr, "127.0.0.1", "address of rank 0 (data-parallel rendezvous)");
DEFINE_int32(master_port, 29500, "TCP port of the rendezvous on rank 0");
DEFINE_string(dist_interface, "", "network interface for the ranks' connections (e.g. eth0)");
DEFINE_int32(dist_timeout_s, 600, "seconds to wait for the other ranks");

namespace isoae {

int AutoThreads(int64_t batch_size) {
  return batch_size == 0 || batch_size >= kAllCoresBatch ? 0 : 1;
}

void SetTrainFlagDefaults(const TrainFlagDefaults& d) {
  gflags::SetCommandLineOptionWithMode("epochs", std::to_string(d.epochs).c_str(),
                                       gflags::SET_FLAGS_DEFAULT);
  gflags::SetCommandLineOptionWithMode("batch_size", std::to_string(d.batch_size).c_str(),
                                       gflags::SET_FLAGS_DEFAULT);
  gflags::SetCommandLineOptionWithMode("lr", absl::StrCat(d.lr).c_str(),
                                       gflags::SET_FLAGS_DEFAULT);
  gflags::SetCommandLineOptionWithMode("checkpoint_every",
                                       std::to_string(d.checkpoint_every).c_str(),
                                       gflags::SET_FLAGS_DEFAULT);
}

absl::StatusOr<TrainFlags> TrainFlagsFromCommandLine() {
  if (FLAGS_epochs < 1) {
    return absl::InvalidArgumentError(absl::StrCat("--epochs must be >= 1, got ", FLAGS_epochs));
  }
  if (FLAGS_batch_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--batch_size must be >= 0 (0: full batch), got ", FLAGS_batch_size));
  }
  if (!(FLAGS_lr > 0) || !std::isfinite(FLAGS_lr)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--lr must be a positive finite number, got ", FLAGS_lr));
  }
  if (FLAGS_checkpoint_every < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--checkpoint_every must be >= 0 (0: end only), got ", FLAGS_checkpoint_every));
  }
  if (FLAGS_threads < 0 || FLAGS_threads > kMaxThreads) {
    return absl::InvalidArgumentError(absl::StrCat("--threads must be in 0..", kMaxThreads,
                                                   " (0: automatic), got ", FLAGS_threads));
  }
  absl::StatusOr<c10::Device> device = ParseDevice(FLAGS_device);
  if (!device.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--device: ", device.status().message()));
  }
  DistributedOptions dist;
  dist.world_size = FLAGS_world_size;
  dist.rank = FLAGS_rank;
  dist.master_addr = FLAGS_master_addr;
  dist.master_port = FLAGS_master_port;
  dist.interface = FLAGS_dist_interface;
  dist.timeout_seconds = FLAGS_dist_timeout_s;
  if (absl::Status s = ValidateDistributedOptions(dist); !s.ok()) return s;
  const int threads = FLAGS_threads > 0 ? FLAGS_threads : AutoThreads(FLAGS_batch_size);
  SetTorchThreads(threads);
  TrainFlags f;
  f.distributed = dist;
  f.train.epochs = FLAGS_epochs;
  f.train.batch_size = FLAGS_batch_size;
  f.train.learning_rate = FLAGS_lr;
  f.train.seed = FLAGS_seed;
  f.train.checkpoint_every = FLAGS_checkpoint_every;
  f.train.resume = FLAGS_resume;
  f.device = *device;
  f.device_name = FLAGS_device;
  f.threads = threads;
  return f;
}

}  // namespace isoae
