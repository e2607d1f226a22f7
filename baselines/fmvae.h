// The flatness regulariser of FMVAE (Chen et al., "Learning Flat Latent
// Manifolds with VAEs", ICML 2020), as IRVAE appendix C states it: with
// G(z) = J^T J of the decoder and c = E_z[Tr G(z)] / m,
//
//   R = E_z || G(z) - c I ||_F^2,          z ~ P_Z (mixup-augmented codes)
//
// Unlike IRVAE's relaxed distortion it is not scale invariant: for G -> kG,
// R -> k^2 R, so it favours small Jacobians (IRVAE appendix C).
//
// Estimators:
//   jvp    (default) two independent Gaussian tangents u, v ~ N(0, I) per
//          sample, one tangent pass with k = 2:
//            E_{u,v} ((Ju)^T (Jv) - c u^T v)^2 = sum_jk (G - cI)_jk^2
//          because E[u_j u_j' v_k v_k'] = delta_jj' delta_kk'; c is the batch
//          mean of (||Ju||^2 + ||Jv||^2) / (2m) (E ||Ju||^2 = Tr G)
//   exact  G from m unit tangents
// The same mixup as IRVAE (eta = 0.2) is applied to the latent samples.
//
// Shapes: z, u, v [B, m]. LibTorch functions. Registered as regulariser
// "fmvae_flatness" (weight 1; options eta, fmvae_estimator=jvp|exact, fused=1|0
// as relaxed_distortion's) and
// alias "fmvae" = vae + fmvae_flatness.
#ifndef ISOAE_BASELINES_FMVAE_H_
#define ISOAE_BASELINES_FMVAE_H_

#include <ATen/core/Tensor.h>

#include "core/tangent_layers.h"

namespace isoae {

// JVP-only estimate of E ||G - cI||_F^2 with probes u, v [B, m]; fused: the
// tangents through one autograd node (core/fused_mlp) where the decoder is a
// plain MLP.
at::Tensor FmvaeFlatnessJvp(Layer& decoder, const at::Tensor& z, const at::Tensor& u,
                            const at::Tensor& v, bool fused = true);
// Exact value from G.
at::Tensor FmvaeFlatnessExact(Layer& decoder, const at::Tensor& z);

}  // namespace isoae

#endif  // ISOAE_BASELINES_FMVAE_H_
