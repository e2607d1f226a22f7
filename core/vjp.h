// Jacobian products of an arbitrary batched function by plain autograd.
//
//   Vjp(g, x, u)  = u^T J_g(x)  per sample: [B, ...in] for u [B, ...out],
//                   via autograd::grad(g(x), x, u, create_graph).
//   Jvp(f, z, t)  = J_f(z) t    per sample: [B, ...out] for t [B, ...in],
//                   by the double-backward trick: with g(v) = J^T v (linear
//                   in v), d<g(v), t>/dv = J t.
//
// With create_graph = true the results are differentiable, so a loss on them
// trains the parameters of g / f (at the price of double backward). Use them
// for functions that are not tangent-carrying Sequentials (core/tangent_layers.h
// is faster for those) and as references. "Per sample" assumes the samples of
// the batch do not interact (no train-mode batch statistics); otherwise the
// result is the product with the Jacobian of the whole batch map.
//
// Errors: kInvalidArgument when x/u (z/t) shapes disagree with g(x) (f(z))
// or x is not floating point; LibTorch failures inside g/f become kInternal
// (core/torch_boundary.h).
#ifndef ISOAE_CORE_VJP_H_
#define ISOAE_CORE_VJP_H_

#include <ATen/core/Tensor.h>

#include <functional>

#include "absl/status/statusor.h"

namespace isoae {

using BatchFn = std::function<at::Tensor(const at::Tensor&)>;

absl::StatusOr<at::Tensor> Vjp(const BatchFn& g, const at::Tensor& x, const at::Tensor& u,
                               bool create_graph = true);
absl::StatusOr<at::Tensor> Jvp(const BatchFn& f, const at::Tensor& z, const at::Tensor& t,
                               bool create_graph = true);

}  // namespace isoae

#endif  // ISOAE_CORE_VJP_H_
