// Adam (Kingma & Ba 2015) with the update of torch::optim::Adam in LibTorch
// 1.13 (no weight decay, no AMSGrad):
//
//   m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2,
//   p <- p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps),
//
// done in one pass over each parameter. For float32 tensors on the CPU it is
// one vectorised loop (core/adam_kernel.h; AVX-512 or AVX2+FMA where the CPU
// has them, chosen at run time); elsewhere it is the same sequence of
// LibTorch ops as torch::optim::Adam.
// Bit for bit: the loop rounds as ATen's vectorised (AVX2 / AVX-512) CPU
// kernels do, with fused multiply-adds in add_ and addcmul_; LibTorch run with
// ATEN_CPU_CAPABILITY=default (or on a CPU without FMA) rounds those twice,
// and the two differ in the last bit there.
// Why: torch::optim::Adam issues ~34 LibTorch ops per parameter tensor (the
// scalar operands are converted to tensors one by one), 714 of the 1,409 ops
// of a batch-100 VAE step on the IRVAE D.1 networks and 0.8-1.0 ms of its
// ~5.3 ms (//irvae:bench; docs/results.md, "IRVAE Table 2").
//
// Like torch::optim::Adam, a parameter gets state (m, v, its step count) at
// its first update with a defined gradient. State() lists the state for
// checkpoints under the names the trainer always used ("optim/<i>/exp_avg",
// "optim/<i>/exp_avg_sq").
#ifndef ISOAE_CORE_ADAM_H_
#define ISOAE_CORE_ADAM_H_

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "core/tangent_layers.h"

namespace isoae {

struct AdamOptions {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

class Adam {
 public:
  Adam(std::vector<at::Tensor> parameters, AdamOptions options);

  // Drops every parameter's gradient, so that the next backward pass writes
  // fresh gradients instead of adding into zeroed ones (one pass less over
  // the parameters).
  void ZeroGrad();
  // One update of every parameter that has a gradient, or has state: a
  // parameter with state but no gradient this step is updated as with a zero
  // gradient (what torch::optim::Adam, whose zero_grad() zeroes, did).
  void Step();

  // The optimiser state as named tensors (views of the live state, so a
  // checkpoint load writes into it). With `create`, parameters without state
  // get zero moments first (to load a checkpoint into); without, only
  // parameters that have state are listed.
  std::vector<NamedTensor> State(bool create);
  // Sets the step count of every parameter that has state (after a resume).
  void SetSteps(int64_t step);

 private:
  struct Slot {
    at::Tensor exp_avg, exp_avg_sq;
    int64_t step = 0;
  };
  void CreateState(size_t i);

  std::vector<at::Tensor> params_;
  std::vector<Slot> slots_;
  AdamOptions options_;
};

}  // namespace isoae

#endif  // ISOAE_CORE_ADAM_H_
