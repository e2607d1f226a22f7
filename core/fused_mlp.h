// One autograd node per pass through a plain multilayer perceptron (Linear
// layers, each followed by at most one ReLU, Sigmoid or Tanh:
// PlainMlpView in core/tangent_layers.h), the networks of IRVAE's MNIST and
// Fashion-MNIST experiments (appendix D.1).
//
// Layer by layer through LibTorch's autograd, an IRVAE training step with
// those networks is ~1,600 small operations (views, scalar wrapping, one
// graph node per op and its evaluation in the backward), 2-3 ms of a 12 ms
// step on one core. These nodes run the same products with the backward
// written by hand:
//
//   MlpForward  f(x). Its backward runs exactly the kernels autograd runs for
//               the layer chain (addmm's and the activations' derivative
//               formulas), so values and gradients are bit for bit those of
//               Sequential::Forward (tested with torch::equal).
//   MlpJet      J_f(z) T for tangents T [B, k, m] and, with pullback,
//               J_f(z)^T (J_f(z) T) [B, k, m] at the same z (or the Gram
//               matrices of both, MlpTangentGrams): what
//               Layer::ForwardSaving / VjpSaved give (IRVAE eq. 10's Jv and
//               J^T J v; FMVAE's Ju, Jv), with the adjoints of the tangent,
//               cotangent and value chains by hand. The same derivatives as
//               the layer-by-layer passes, rounded differently (tested against
//               them in float64).
//
// Neither node's backward is itself differentiable: a double backward through
// them (create_graph) throws. Callers that need one use the layer passes.
// Inputs are 2-d [B, in]; shape or dtype mismatches throw c10::Error as the
// layers do.
#ifndef ISOAE_CORE_FUSED_MLP_H_
#define ISOAE_CORE_FUSED_MLP_H_

#include <ATen/core/Tensor.h>

#include <optional>
#include <vector>

#include "core/tangent_layers.h"

namespace isoae {

at::Tensor MlpForward(const std::vector<MlpLayerView>& layers, const at::Tensor& x);

struct MlpJet {
  at::Tensor tangent;   // J T, [B, k, out]
  at::Tensor pullback;  // J^T J T, [B, k, in]; undefined unless asked for
};
MlpJet MlpTangents(const std::vector<MlpLayerView>& layers, const at::Tensor& z,
                   const at::Tensor& t, bool pullback);
// The same node returning per-sample Gram matrices instead of the vectors:
// tangent (J T)(J T)^T and pullback (J^T J T)(J^T J T)^T, [B, k, k]. What
// IRVAE's trace estimates (k = 1: ||J v||^2, ||J^T J v||^2) and FMVAE's
// inner products need, without [B, k, out] outputs and their elementwise
// loss terms in the graph.
MlpJet MlpTangentGrams(const std::vector<MlpLayerView>& layers, const at::Tensor& z,
                       const at::Tensor& t, bool pullback);

// net.Forward(x) through MlpForward when `net` is a plain MLP and x is 2-d,
// else the layer-by-layer pass (the same values either way).
at::Tensor ForwardFusedIfPlain(Layer& net, const at::Tensor& x);

}  // namespace isoae

#endif  // ISOAE_CORE_FUSED_MLP_H_
