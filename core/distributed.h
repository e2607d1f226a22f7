// Data-parallel training across processes and machines, on LibTorch's own
// distributed engine: c10d with the Gloo backend (TCP; Debian's libgloo).
//
// Each of `world_size` ranks holds a full copy of the model and takes one
// shard of every batch (rows split as evenly as possible). After the backward
// pass the gradients are all-reduced, each rank's weighted by its share of the
// batch rows, so every rank applies the gradient of the global batch's mean
// loss and the replicas stay identical. For losses that are means over items
// (AE, DAE, I-AE's terms given the same random directions) this is the
// single-process step up to float summation order; losses that couple the
// items of a batch (the relaxed distortion's ratio of batch means, WAE's MMD,
// mixup pairs) are computed per shard, which changes them, and BatchNorm
// layers (FC_B/CONV_B) normalise with their shard's statistics (there is no
// synchronised batch norm), as in PyTorch's DistributedDataParallel.
//
// Rank 0 hosts the rendezvous (a c10d TCPStore at master_addr:master_port),
// writes the checkpoints, logs and evaluates; after start or resume it
// broadcasts the model and optimizer state, so a run resumes on any world
// size from rank 0's checkpoint alone. A non-finite loss on any rank stops
// every rank at the same step (the flag travels with the gradients).
//
// Errors: kInvalidArgument for a bad configuration (rank outside
// [0, world_size), port outside 1..65535, empty address); kUnavailable when
// the rendezvous or a collective fails or times out (naming the address).
#ifndef ISOAE_CORE_DISTRIBUTED_H_
#define ISOAE_CORE_DISTRIBUTED_H_

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace isoae {

struct DistributedOptions {
  int world_size = 1;
  int rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  // Network interface for Gloo's own connections (e.g. "eth0"); empty: the
  // address master_addr resolves to for a loopback master, else this
  // machine's hostname.
  std::string interface;
  int timeout_seconds = 600;
};

absl::Status ValidateDistributedOptions(const DistributedOptions& options);

class DataParallel {
 public:
  // Joins the group (blocks until all world_size ranks have joined, up to the
  // timeout).
  static absl::StatusOr<std::unique_ptr<DataParallel>> Connect(const DistributedOptions& options);
  // Connect for world_size > 1; nullptr (a single process) for world_size 1.
  static absl::StatusOr<std::unique_ptr<DataParallel>> ConnectIfDistributed(
      const DistributedOptions& options);
  ~DataParallel();

  int rank() const { return options_.rank; }
  int world_size() const { return options_.world_size; }

  // Rows [begin, end) of a batch of `rows` rows that this rank trains on.
  std::pair<int64_t, int64_t> Shard(int64_t rows) const;

  // Replaces every parameter's gradient by the all-ranks sum of
  // grad * (local_rows / global_rows) (missing gradients count as zero).
  // Returns whether every rank's loss was finite (`local_finite` of all).
  absl::StatusOr<bool> ReduceGradients(const std::vector<at::Tensor>& parameters,
                                       int64_t local_rows, int64_t global_rows,
                                       bool local_finite);

  // Overwrites `tensors` on every rank with rank 0's values (in place).
  absl::Status BroadcastFromRankZero(const std::vector<at::Tensor>& tensors);

  // Sum over ranks of `values` (e.g. loss terms weighted by rows), in place.
  absl::Status SumAcrossRanks(std::vector<double>* values);

 private:
  struct Impl;
  DataParallel(DistributedOptions options, std::unique_ptr<Impl> impl);
  DistributedOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace isoae

#endif  // ISOAE_CORE_DISTRIBUTED_H_
