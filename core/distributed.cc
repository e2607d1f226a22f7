#include "core/distributed.h"

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/torch_boundary.h"

namespace isoae {

struct DataParallel::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

absl::Status ValidateDistributedOptions(const DistributedOptions& o) {
  if (o.world_size < 1) {
    return absl::InvalidArgumentError(absl::StrCat("--world_size must be >= 1, got ", o.world_size));
  }
  if (o.rank < 0 || o.rank >= o.world_size) {
    return absl::InvalidArgumentError(absl::StrCat("--rank must be in [0, ", o.world_size,
                                                   ") for --world_size=", o.world_size, ", got ",
                                                   o.rank));
  }
  if (o.master_port < 1 || o.master_port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--master_port must be in 1..65535, got ", o.master_port));
  }
  if (o.master_addr.empty()) return absl::InvalidArgumentError("--master_addr is empty");
  if (o.timeout_seconds < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("distributed timeout must be >= 1 s, got ", o.timeout_seconds));
  }
  return absl::OkStatus();
}

DataParallel::DataParallel(DistributedOptions options, std::unique_ptr<Impl> impl)
    : options_(std::move(options)), impl_(std::move(impl)) {}

DataParallel::~DataParallel() = default;

absl::StatusOr<std::unique_ptr<DataParallel>> DataParallel::Connect(
    const DistributedOptions& options) {
  if (absl::Status s = ValidateDistributedOptions(options); !s.ok()) return s;
  auto impl = std::make_unique<Impl>();
  const std::string where =
      absl::StrCat(options.master_addr, ":", options.master_port, " (rank ", options.rank, " of ",
                   options.world_size, ")");
  absl::Status s = TorchCall(
      absl::StrCat("joining the training group at ", where),
      [&] {
        const std::chrono::milliseconds timeout(int64_t{options.timeout_seconds} * 1000);
        c10d::TCPStoreOptions store_options;
        store_options.port = static_cast<uint16_t>(options.master_port);
        store_options.isServer = options.rank == 0;
        store_options.numWorkers = options.world_size;
        store_options.waitWorkers = true;
        store_options.timeout = timeout;
        impl->store = c10::make_intrusive<c10d::TCPStore>(options.master_addr, store_options);
        auto gloo_options = c10d::ProcessGroupGloo::Options::create(timeout);
        if (!options.interface.empty()) {
          gloo_options->devices.push_back(
              c10d::ProcessGroupGloo::createDeviceForInterface(options.interface));
        } else if (options.master_addr == "127.0.0.1" || options.master_addr == "localhost") {
          gloo_options->devices.push_back(
              c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
        } else {
          gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        }
        gloo_options->threads = 1;
        impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(
            impl->store, options.rank, options.world_size, gloo_options);
      },
      absl::StatusCode::kUnavailable);
  if (!s.ok()) return s;
  return std::unique_ptr<DataParallel>(new DataParallel(options, std::move(impl)));
}

absl::StatusOr<std::unique_ptr<DataParallel>> DataParallel::ConnectIfDistributed(
    const DistributedOptions& options) {
  if (options.world_size == 1) {
    if (absl::Status s = ValidateDistributedOptions(options); !s.ok()) return s;
    return std::unique_ptr<DataParallel>();
  }
  return Connect(options);
}

std::pair<int64_t, int64_t> DataParallel::Shard(int64_t rows) const {
  const int64_t w = options_.world_size;
  const int64_t r = options_.rank;
  const int64_t base = rows / w;
  const int64_t extra = rows % w;
  const int64_t begin = r * base + std::min(r, extra);
  return {begin, begin + base + (r < extra ? 1 : 0)};
}

absl::StatusOr<bool> DataParallel::ReduceGradients(const std::vector<at::Tensor>& parameters,
                                                   int64_t local_rows, int64_t global_rows,
                                                   bool local_finite) {
  bool all_finite = true;
  absl::Status s = TorchCall(
      "all-reducing gradients",
      [&] {
        at::NoGradGuard no_grad;
        const double share = static_cast<double>(local_rows) / static_cast<double>(global_rows);
        std::vector<at::Tensor> pieces;
        at::ScalarType type = at::kFloat;
        for (const at::Tensor& p : parameters) {
          if (p.is_floating_point() && at::elementSize(p.scalar_type()) == 8) type = at::kDouble;
        }
        for (const at::Tensor& p : parameters) {
          at::Tensor g = p.grad();
          pieces.push_back(g.defined() ? g.detach().reshape({-1}).to(at::kCPU, type) * share
                                       : at::zeros({p.numel()}, at::TensorOptions().dtype(type)));
        }
        // The last entry counts ranks whose loss was not finite.
        pieces.push_back(at::full({1}, local_finite ? 0.0 : 1.0, at::TensorOptions().dtype(type)));
        std::vector<at::Tensor> flat = {at::cat(pieces)};
        impl_->group->allreduce(flat)->wait();
        all_finite = flat[0][-1].item<double>() == 0.0;
        int64_t at = 0;
        for (const at::Tensor& p : parameters) {
          at::Tensor reduced = flat[0].narrow(0, at, p.numel()).view(p.sizes()).to(p.options());
          at += p.numel();
          if (p.grad().defined()) {
            p.mutable_grad().copy_(reduced);
          } else {
            p.mutable_grad() = reduced;
          }
        }
      },
      absl::StatusCode::kUnavailable);
  if (!s.ok()) return s;
  return all_finite;
}

absl::Status DataParallel::BroadcastFromRankZero(const std::vector<at::Tensor>& tensors) {
  return TorchCall(
      "broadcasting rank 0's state",
      [&] {
        at::NoGradGuard no_grad;
        for (const at::Tensor& t : tensors) {
          std::vector<at::Tensor> one = {t.detach().to(at::kCPU).contiguous().clone()};
          impl_->group->broadcast(one)->wait();
          t.detach().copy_(one[0]);
        }
      },
      absl::StatusCode::kUnavailable);
}

absl::Status DataParallel::SumAcrossRanks(std::vector<double>* values) {
  if (values->empty()) return absl::OkStatus();
  return TorchCall(
      "summing across ranks",
      [&] {
        std::vector<at::Tensor> t = {at::tensor(*values, at::kDouble)};
        impl_->group->allreduce(t)->wait();
        for (size_t i = 0; i < values->size(); ++i) (*values)[i] = t[0][i].item<double>();
      },
      absl::StatusCode::kUnavailable);
}

}  // namespace isoae
