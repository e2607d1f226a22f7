// The variational autoencoder of IRVAE section 4.3 (and its official code):
// a Gaussian encoder q(z|x) = N(mu(x), diag(exp(s(x))^2)) whose network
// outputs [mu, s] (s = log std, 2d values), the unit Gaussian prior, and a
// Gaussian decoder p(x|z) = N(f(z), sigma^2 I) with one scalar sigma, learned
// by default (stored as log sigma, so it stays positive) or fixed.
//
//   z      = mu + exp(s) * eps,  eps ~ N(0, I)                (reparameterised)
//   KL     = 1/2 sum_j (mu_j^2 + exp(2 s_j) - 2 s_j - 1)       (per item)
//   -log p(x|z) = D/2 log(2 pi) + D log sigma + ||x - f(z)||^2 / (2 sigma^2)
//   loss   = mean over the batch of (-log p(x|z) + KL)          (negative ELBO)
//
// with D the number of data values per item. The decoder mean f(z) is what
// the regularisers act on and what the metrics measure (Model::DecoderMap);
// Codes(x) = mu(x).
//
// Shapes: x [B, ...data_shape], mu/s/z [B, d]. Errors: BuildVae returns
// kInvalidArgument when the networks do not fit (encoder output must be [2d]
// with d the decoder input, decoder output the data shape) or sigma <= 0;
// the loss functions are LibTorch code (callers validate, or run them behind
// TorchCall).
#ifndef ISOAE_CORE_VAE_H_
#define ISOAE_CORE_VAE_H_

#include <ATen/core/Tensor.h>
#include <c10/core/TensorOptions.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/model.h"
#include "core/networks.h"
#include "core/tangent_layers.h"

namespace isoae {

struct VaeOptions {
  bool learn_sigma = true;  // false: sigma stays at `sigma`
  double sigma = 1.0;       // initial (or fixed) decoder std (official code: 1)
};

struct Vae final : Model {
  Sequential encoder;  // x -> [mu, log std], 2d outputs
  Sequential decoder;  // z -> f(z)
  std::vector<int64_t> data_shape;
  int64_t latent_dim = 0;
  at::Tensor log_sigma;  // scalar; a parameter when learned
  bool learn_sigma = true;

  ModelKind Kind() const override { return ModelKind::kVae; }
  std::vector<at::Tensor> Parameters() const override;
  // Encoder/decoder entries as Autoencoder::State, plus "vae/log_sigma".
  std::vector<NamedTensor> State() const override;
  void SetTraining(bool training) override;
  std::string Fingerprint() const override;
  const std::vector<int64_t>& DataShape() const override { return data_shape; }
  int64_t LatentDim() const override { return latent_dim; }
  int64_t EncoderOutDim() const override { return 2 * latent_dim; }
  at::Tensor Codes(const at::Tensor& x) override;
  Layer& DecoderMap() override { return decoder; }
  Sequential& EncoderNet() override { return encoder; }
};

// `config.encoder` must end in 2 * d outputs and `config.decoder` take d.
absl::StatusOr<Vae> BuildVae(const AutoencoderConfig& config,
                             const c10::TensorOptions& options,
                             const VaeOptions& vae_options = {});

// Splits the encoder output [B, 2d] into mu and log std (views).
struct GaussianCode {
  at::Tensor mean;     // [B, d]
  at::Tensor log_std;  // [B, d]
};
GaussianCode SplitGaussianCode(const at::Tensor& encoder_out);

// KL(N(mu, exp(s)^2) || N(0, I)) per item: [B].
at::Tensor GaussianKl(const GaussianCode& code);

// The VAE objective's two halves as single autograd nodes, values and
// gradients bit for bit those of the expressions they replace (tested with
// torch::equal), with ~40 fewer LibTorch operations and graph nodes per
// training step. Neither backward is differentiable (a double backward
// throws).
//   SampleGaussianCode: z = mu + exp(s) * eps and GaussianKl(code).mean()
//                       from the encoder output [B, 2d] and eps [B, d].
//   GaussianNllMean:    GaussianNll(x, x_hat, log_sigma).mean().
struct SampledCode {
  at::Tensor z;        // [B, d]
  at::Tensor kl_mean;  // scalar
};
SampledCode SampleGaussianCode(const at::Tensor& encoder_out, const at::Tensor& eps);
at::Tensor GaussianNllMean(const at::Tensor& x, const at::Tensor& x_hat,
                           const at::Tensor& log_sigma);

// -log N(x; x_hat, sigma^2 I) per item: [B]; log_sigma is a scalar tensor.
at::Tensor GaussianNll(const at::Tensor& x, const at::Tensor& x_hat,
                       const at::Tensor& log_sigma);

}  // namespace isoae

#endif  // ISOAE_CORE_VAE_H_
