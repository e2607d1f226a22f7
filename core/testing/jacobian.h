// Test helpers: explicit Jacobians by autograd and central finite differences,
// the references the tangent-carrying code is checked against (testonly).
//
// All helpers work on small double tensors; they loop over every entry.
#ifndef ISOAE_CORE_TESTING_JACOBIAN_H_
#define ISOAE_CORE_TESTING_JACOBIAN_H_

#include <ATen/core/Tensor.h>

#include <functional>
#include <vector>

#include "core/tangent_layers.h"

namespace isoae::testing {

using ::isoae::Sequential;

// Full Jacobian of fn at x by reverse-mode autograd, one row per output entry:
// returns [numel(fn(x)), numel(x)].
at::Tensor AutogradJacobian(const std::function<at::Tensor(const at::Tensor&)>& fn,
                            const at::Tensor& x);

// Reference J.T from the explicit Jacobian: for x [B, ...in] and tangents
// T [B, k, ...in] returns [B, k, ...out] with
//   out[b, j] = sum_{b'} J[(b, :), (b', :)] T[b', j]   (full batch), or
//   out[b, j] = J[(b, :), (b, :)] T[b, j]              (per_sample = true).
at::Tensor ReferenceJvp(const std::function<at::Tensor(const at::Tensor&)>& fn,
                        const at::Tensor& x, const at::Tensor& tangents,
                        bool per_sample);

// Reference c.J per sample: [B, ...in] for a cotangent c [B, ...out]
// (autograd of sum(c * fn(x)) with respect to x).
at::Tensor ReferenceVjp(const std::function<at::Tensor(const at::Tensor&)>& fn,
                        const at::Tensor& x, const at::Tensor& c);

// Central finite-difference gradient of the scalar loss() with respect to each
// parameter, perturbing entries in place by +-h (parameters must be leaves).
std::vector<at::Tensor> FiniteDifferenceGradients(
    const std::function<double()>& loss, const std::vector<at::Tensor>& params,
    double h);

// The linear decoder f(z) = A z (A [D, m], no bias, A's dtype) as a
// one-layer Sequential: G = A^T A everywhere, the closed-form case of the
// decoder-geometry tests.
Sequential LinearMap(const at::Tensor& a);

// ||a - b|| / ||a + b|| over all tensors together (0 when both are zero).
double RelativeError(const std::vector<at::Tensor>& a,
                     const std::vector<at::Tensor>& b);

}  // namespace isoae::testing

#endif  // ISOAE_CORE_TESTING_JACOBIAN_H_
