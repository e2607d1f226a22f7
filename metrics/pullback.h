// The adapter between LibTorch decoders and the Eigen-only metrics: pullback
// metrics G(z) = J(z)^T J(z) of a decoder f at latent points z, from batched
// tangent passes (core/tangent_layers.h): each chunk of points is pushed
// through f with the m unit tangents e_1..e_m, giving J(z)^T as [B, m, D],
// and G = J^T J by a batched product. No gradient is kept; the decoder runs
// in eval mode for the call (BatchNorm uses running statistics) and its mode
// is restored afterwards. Any tangent-carrying map works (a Sequential, a
// Model's DecoderMap(), a composition); a map that is not a Sequential is
// switched to eval mode and back to train mode.
//
// `batch` bounds the decoder evaluations of one chunk: a chunk holds
// batch / (m + 1) points (at least one), so memory does not grow with m (a
// conv decoder at m = 16 would otherwise push 2048 x 17 images at once).
//
// The tangent pass runs in the dtype and on the device of the decoder's
// parameters; J^T J is formed in double (ill-conditioned metrics stay
// positive definite) and the metrics come back as double.
//
// Errors (kInvalidArgument): z not [N, m] with m the decoder's input width,
// NaN/Inf in z, batch < 1; kInternal for LibTorch failures (message kept).
#ifndef ISOAE_METRICS_PULLBACK_H_
#define ISOAE_METRICS_PULLBACK_H_

#include <ATen/core/Tensor.h>

#include <Eigen/Dense>

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/tangent_layers.h"
#include "metrics/riemannian.h"

namespace isoae {

// [N, m, m] double tensor of pullback metrics (on the decoder's device).
absl::StatusOr<at::Tensor> PullbackMetricTensor(Layer& decoder,
                                                const at::Tensor& z,
                                                int64_t batch = 2048);

// The same as Eigen matrices.
absl::StatusOr<MetricField> PullbackMetrics(Layer& decoder,
                                            const at::Tensor& z,
                                            int64_t batch = 2048);

// [N, m, m] tensor -> MetricField (double).
absl::StatusOr<MetricField> ToMetricField(const at::Tensor& g);

// A 2-D tensor -> Eigen (double, row per item); a 1-D tensor becomes one
// column. Other ranks are flattened after the first dimension.
absl::StatusOr<Eigen::MatrixXd> ToEigen(const at::Tensor& t);

}  // namespace isoae

#endif  // ISOAE_METRICS_PULLBACK_H_
