// Differentiable pieces shared by the decoder-geometry regularisers (IRVAE's
// relaxed distortion in irvae/, FMVAE's flatness in baselines/):
//
//   MixupLatents          the augmented latent distribution P_Z of IRVAE 4.3 /
//                         appendix B (after FMVAE): pair the batch's latent
//                         samples by a random permutation pi and take
//                         z = d z_i + (1 - d) z_pi(i), d ~ U[-eta, 1 + eta]
//                         per pair (eta = 0.2 in both papers); differentiable
//                         in z, so the gradient reaches the encoder
//   DifferentiablePullbackMetric  G(z) = J(z)^T J(z) of any tangent-carrying map from
//                         m unit tangents (one tangent pass), differentiable
//                         in the parameters; metrics:pullback is the no-grad,
//                         chunked, Eigen-returning twin for evaluation
//
// Shapes: z [B, m] -> [B, m] and [B, m, m]. LibTorch code (c10::Error on
// misuse); eta >= 0 is the caller's to check.
#ifndef ISOAE_CORE_DECODER_GEOMETRY_H_
#define ISOAE_CORE_DECODER_GEOMETRY_H_

#include <ATen/core/Tensor.h>

#include "core/tangent_layers.h"

namespace isoae {

at::Tensor MixupLatents(const at::Tensor& z, double eta);
at::Tensor DifferentiablePullbackMetric(Layer& decoder, const at::Tensor& z);

}  // namespace isoae

#endif  // ISOAE_CORE_DECODER_GEOMETRY_H_
