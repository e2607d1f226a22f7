// The relaxed distortion measure of IRVAE (Lee, Yoon, Son & Park, ICLR 2022;
// ../shared/seeds/001_*), section 3.3 and Proposition 2: how far a decoder f
// is from a scaled isometry, on the augmented latent distribution P_Z.
//
// With G(z) = J(z)^T J(z) (J = df/dz, identity metrics, section 4.3) and its
// eigenvalues lambda_i(z), h(l) = (1 - l)^2, S = sum_i lambda_i / m:
//
//   F = E_z sum_i (lambda_i(z) / E[Tr G / m] - 1)^2
//     = m^2 E[Tr G^2] / E[Tr G]^2 - m                            (eq. 10)
//
// (derivation: sum_i (m l_i/E - 1)^2 = m^2 sum l_i^2 / E^2 - 2m sum l_i / E + m,
// and E_z of the middle term is -2m, with E = E[Tr G]). F = 0 iff G = cI on
// the support. As the official code, we train on the ratio
//
//   R = E[Tr G^2] / E[Tr G]^2         (>= 1/m, = 1/m iff a scaled isometry)
//
// so the regularisation weight alpha means the same as there. Option
// form=eq10 trains on F = m^2 R - m instead: the same minimiser, a gradient
// m^2 times larger, so one alpha means the same at every latent dimension
// (with the ratio, alpha must grow like m^2; see docs/results.md, Table 3).
//
// Estimators (Tr G and Tr G^2 per sample, then batch means, then the ratio):
//   hutchinson  one Gaussian probe v ~ N(0, I) per sample:
//               E_v ||J v||^2 = Tr G,  E_v ||J^T J v||^2 = Tr G^2;
//               J v from the decoder's tangent pass, J^T (J v) from its VJP
//               at the same z (Layer::ForwardSaving / VjpSaved): one forward
//               with tangents and one pull-back, no double backward. A plain
//               MLP decoder runs all of it as one autograd node with its
//               adjoints by hand (core/fused_mlp's MlpTangentGrams; option
//               fused=0 keeps the layer passes)
//   exact       G from m unit tangents: exact Tr G and Tr G^2
//   log         IRVAE 4.3's choice for small m, h(l) = (log l)^2 on the exact
//               eigenvalues:  E_z sum_i (log lambda_i(z) - log(E[Tr G]/m))^2
//               (zero iff G = cI on the support; also scale-invariant)
//
// Mixup augmentation (section 4.3, appendix B/E.3) is core/decoder_geometry's
// MixupLatents on the base's latent samples (the VAE's reparameterised z, as
// the official code), eta = 0.2; the gradient reaches the encoder through z.
//
// Shapes: z, v [B, m]; decoder outputs [B, ...]. These are LibTorch functions
// (c10::Error on misuse). Registered in the method registry:
//   regulariser "relaxed_distortion" (weight 1; options eta=0.2 (< 0: no
//   mixup), estimator=hutchinson|exact|log, form=ratio|eq10, fused=1|0: 0
//   runs the layer-by-layer passes, which reproduce runs made before the fused
//   node bit for bit); alias "irvae" = vae + relaxed_distortion. An unknown estimator or form, or form=eq10
//   with estimator=log, is kInvalidArgument.
#ifndef ISOAE_IRVAE_RELAXED_DISTORTION_H_
#define ISOAE_IRVAE_RELAXED_DISTORTION_H_

#include <ATen/core/Tensor.h>

#include <string>

#include "absl/status/statusor.h"
#include "core/tangent_layers.h"

namespace isoae {

enum class DistortionEstimator { kHutchinson, kExact, kLog };

// "hutchinson", "exact", "log".
absl::StatusOr<DistortionEstimator> ParseDistortionEstimator(const std::string& name);

// Per-sample estimates of Tr G and Tr G^2 from probes v [B, m].
struct TraceMoments {
  at::Tensor trace_g;   // [B]
  at::Tensor trace_g2;  // [B]
};
// fused: through one autograd node (core/fused_mlp) where the decoder is a
// plain MLP; the same derivatives as the layer passes, rounded differently.
TraceMoments HutchinsonTraceMoments(Layer& decoder, const at::Tensor& z, const at::Tensor& v,
                                    bool fused = true);

// R = mean(Tr G^2) / mean(Tr G)^2.
at::Tensor RelaxedDistortionRatio(const TraceMoments& moments);
// The estimator's value at z (no mixup; that is the caller's).
at::Tensor RelaxedDistortion(Layer& decoder, const at::Tensor& z, DistortionEstimator estimator,
                             bool fused = true);

}  // namespace isoae

#endif  // ISOAE_IRVAE_RELAXED_DISTORTION_H_
