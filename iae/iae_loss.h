// The Isometric Autoencoder loss (Gropp, Atzmon & Lipman, "Isometric
// Autoencoders"; ../shared/seeds/000_*, section 3):
//
//   L = L_rec + lambda_iso * (L_iso + L_piso)                          (eq. 8)
//   L_rec  = E_x ||f(g(x)) - x||^2                                     (eq. 1)
//   L_iso  = E_{z ~ P_iso, u ~ U(S^{d-1})} (||df(z) u|| - 1)^2          (eq. 6)
//   L_piso = E_{x ~ data,  u ~ U(S^{d-1})} (||u^T dg(x)|| - 1)^2        (eq. 7)
//
// Lemma 1: ||A u|| = 1 for all unit u iff A^T A = I, so L_iso = 0 pushes the
// decoder to a local isometry; eq. 7 pushes B = dg(x) to B B^T = I, and with
// BA = I (from reconstruction) Lemma 2 gives B = A^+ = A^T.
//
// Estimators (section 3, "Implementation"): the paper draws one x, z and u
// per iteration; we average over iso_samples z's (default: the batch size)
// and piso_samples rows of the batch (default: all), one u each. Fewer
// samples give the same expectation with more variance and cost less (see
// //iae:bench). df(z)u comes
// from the decoder's tangent pass (forward mode), u^T dg(x) from a
// vector-Jacobian pass through the encoder layers recorded during the
// reconstruction pass (reverse mode); both are built from differentiable ops,
// so one backward pass gives the parameter gradients.
//
// P_iso (the paper: "either uniform or gaussian fit to the latent codes
// g(X)"): kUniformBox samples uniformly in the axis-aligned bounding box of
// the batch's codes; kGaussian samples N(mean, cov) of the codes. Both are
// fitted to detached codes. u ~ U(S^{d-1}) is a normalised standard Gaussian.
//
// Shapes: x [B, ...], z [n, d], u [n, d]. Errors: ValidateIaeConfig returns
// kInvalidArgument naming the bad field; the loss functions are LibTorch code
// run by the trainer behind TorchCall.
#ifndef ISOAE_IAE_IAE_LOSS_H_
#define ISOAE_IAE_IAE_LOSS_H_

#include <ATen/core/Tensor.h>
#include <c10/core/TensorOptions.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/autoencoder.h"
#include "core/tangent_layers.h"
#include "core/loss_terms.h"

namespace isoae {

enum class IsoPrior { kUniformBox, kGaussian };

// "uniform" or "gaussian".
absl::StatusOr<IsoPrior> ParseIsoPrior(const std::string& name);

struct IaeConfig {
  double lambda_iso = 0.01;
  bool use_iso = true;    // L_iso term
  bool use_piso = true;   // L_piso term
  IsoPrior prior = IsoPrior::kUniformBox;
  int64_t iso_samples = 0;   // z samples per step for L_iso; 0: batch size
  int64_t piso_samples = 0;  // batch rows used for L_piso; 0: all
};

absl::Status ValidateIaeConfig(const IaeConfig& config);

// n directions uniform on the unit sphere S^{d-1}: [n, d].
at::Tensor SampleUnitSphere(int64_t n, int64_t d, const c10::TensorOptions& options);

// n samples from P_iso fitted to `codes` [B, d] (detached): [n, d].
at::Tensor SampleIsoPrior(const at::Tensor& codes, IsoPrior prior, int64_t n);

// mean_i (||df(z_i) u_i|| - 1)^2 for z [n, d], unit u [n, d]; any
// tangent-carrying decoder map.
at::Tensor IsometryLoss(Layer& decoder, const at::Tensor& z, const at::Tensor& u);

// mean_i (||u_i^T dg(x_i)|| - 1)^2 from the encoder layer inputs recorded for
// x (Sequential::ForwardRecording) and unit u [B, d].
at::Tensor PseudoInverseLoss(Sequential& encoder,
                             const std::vector<at::Tensor>& encoder_inputs,
                             const at::Tensor& u);

// Reference implementations by plain autograd (the double-backward trick for
// df(z)u, create_graph for u^T dg(x)): same values and gradients as the two
// functions above, about 1.5-2x slower; kept for tests and benchmarks. They
// take the network as a value-only function.
at::Tensor IsometryLossAutograd(Sequential& decoder, const at::Tensor& z,
                                const at::Tensor& u);
at::Tensor PseudoInverseLossAutograd(Sequential& encoder, const at::Tensor& x,
                                     const at::Tensor& u);

// The full I-AE loss on a batch; terms "L_rec", "L_iso", "L_piso" (the
// regularisers only when lambda_iso > 0 and enabled). The registry's method
// "iae" (= ae + iso + piso, below) computes the same terms from the same
// random draws; this direct form is the reference the tests hold it to.
LossTerms IaeLoss(Autoencoder& ae, const at::Tensor& x, const IaeConfig& config);

// Registered in the method registry (core/method.h) by this library:
//   regulariser "iso"   L_iso at z ~ P_iso fitted to the batch's codes
//                       (options iso_prior=uniform|gaussian, iso_samples=n)
//   regulariser "piso"  L_piso at the batch's data points (piso_samples=n);
//                       for a VAE, u^T dg(x) is taken for the mean half of
//                       the encoder output
//   alias "iae"         ae + iso:0.01 + piso:0.01 (lambda_iso = 0.01, I-AE
//                       A.1.2); "iae:<lambda>" sets lambda_iso

}  // namespace isoae

#endif  // ISOAE_IAE_IAE_LOSS_H_
