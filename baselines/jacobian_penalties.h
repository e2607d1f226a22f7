// The I-AE paper's autoencoder baselines that penalise Jacobians or weights
// (Gropp, Atzmon & Lipman, appendix A; ../shared/seeds/000_*), as method
// registry regularisers:
//
//   contractive   CAE (Rifai et al. 2011b): E ||dg(x)||_F^2, the encoder's
//                 Jacobian at the data (for a VAE, of the mean half)
//   decoder_gp    RAE-GP (Ghosh et al. 2020): E ||df(z)||_F^2 at the codes
//   decoder_l2    RAE-L2 (Ghosh et al. 2020): ||theta_f||^2 over the
//                 decoder's parameters
//   weight_decay  AEW: 1/2 ||theta||^2 over all parameters (so weight w is
//                 torch.optim.Adam's weight_decay = w)
//
// Aliases: cae = ae + contractive:0.01, rae_gp = ae + decoder_gp:0.01,
// rae_l2 = ae + decoder_l2:1e-4, aew = ae + weight_decay:1e-4. The papers
// give no weights for these baselines; the defaults are starting points.
//
// Jacobian norms come from the tangent / VJP passes, never double backward:
// exact with one unit tangent (cotangent) per latent coordinate, or one
// Gaussian probe v (E ||J v||^2 = ||J||_F^2, E ||v^T J||^2 = ||J||_F^2).
// Option jacobian_estimator=auto (exact up to 16 directions, else one
// probe) | exact | hutchinson.
//
// Errors: kInvalidArgument for an unknown estimator. The functions below are
// LibTorch code (c10::Error on misuse).
#ifndef ISOAE_BASELINES_JACOBIAN_PENALTIES_H_
#define ISOAE_BASELINES_JACOBIAN_PENALTIES_H_

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "core/tangent_layers.h"

namespace isoae {

// ||J_f(z)||_F^2 per sample, [B]; z [B, m].
at::Tensor MapJacobianSqNorm(Layer& f, const at::Tensor& z, bool exact);

// ||J||_F^2 per sample of the first `code_dim` outputs of the encoder g
// (of `out_dim`), from the layer inputs recorded by ForwardRecording; [B].
at::Tensor EncoderJacobianSqNorm(Sequential& g, const std::vector<at::Tensor>& inputs,
                                 int64_t code_dim, int64_t out_dim, bool exact);

// Sum of squares of the tensors.
at::Tensor SquaredNorm(const std::vector<at::Tensor>& tensors);

}  // namespace isoae

#endif  // ISOAE_BASELINES_JACOBIAN_PENALTIES_H_
