#include "core/vae.h"

#include <ATen/ATen.h>

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/status_macros.h"

namespace isoae {
namespace {

std::string Shape(const std::vector<int64_t>& s) {
  return absl::StrCat("[", absl::StrJoin(s, ","), "]");
}

}  // namespace

std::vector<at::Tensor> Vae::Parameters() const {
  std::vector<at::Tensor> p = EncoderDecoderParameters(encoder, decoder);
  if (learn_sigma) p.push_back(log_sigma);
  return p;
}

std::vector<NamedTensor> Vae::State() const {
  std::vector<NamedTensor> out = EncoderDecoderState(encoder, decoder);
  out.push_back({"vae/log_sigma", log_sigma});
  return out;
}

void Vae::SetTraining(bool training) {
  encoder.SetTraining(training);
  decoder.SetTraining(training);
}

std::string Vae::Fingerprint() const {
  return absl::StrCat("vae (sigma ",
                      learn_sigma ? std::string("learned")
                                  : absl::StrCat("fixed ", std::exp(log_sigma.item<double>())),
                      ") data ",
                      Shape(data_shape), " latent ", latent_dim,
                      "; encoder: ", encoder.Describe(), "; decoder: ", decoder.Describe());
}

at::Tensor Vae::Codes(const at::Tensor& x) {
  return SplitGaussianCode(encoder.Forward(x)).mean;
}

absl::StatusOr<Vae> BuildVae(const AutoencoderConfig& config,
                             const c10::TensorOptions& options,
                             const VaeOptions& vae_options) {
  if (!(vae_options.sigma > 0) || !std::isfinite(vae_options.sigma)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "VAE decoder sigma must be positive and finite, got ", vae_options.sigma));
  }
  ISOAE_ASSIGN_OR_RETURN(BuiltNetwork enc, BuildNetwork(config.encoder, options));
  ISOAE_ASSIGN_OR_RETURN(BuiltNetwork dec, BuildNetwork(config.decoder, options));
  if (config.tied_weights) ISOAE_RETURN_IF_ERROR(TieDecoderToEncoder(enc.net, &dec.net));
  if (enc.output_shape.size() != 1 || enc.output_shape[0] % 2 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "VAE encoder output ", Shape(enc.output_shape),
        " is not [2d] (mean and log std of a d-dimensional code)"));
  }
  const int64_t d = enc.output_shape[0] / 2;
  if (config.decoder.input_shape != std::vector<int64_t>{d}) {
    return absl::InvalidArgumentError(absl::StrCat(
        "VAE decoder input ", Shape(config.decoder.input_shape), " does not match the [",
        d, "] codes of an encoder with ", 2 * d, " outputs (mean and log std)"));
  }
  if (dec.output_shape != config.encoder.input_shape) {
    return absl::InvalidArgumentError(absl::StrCat(
        "decoder output ", Shape(dec.output_shape), " does not match encoder input ",
        Shape(config.encoder.input_shape)));
  }
  Vae vae;
  vae.encoder = std::move(enc.net);
  vae.decoder = std::move(dec.net);
  vae.data_shape = config.encoder.input_shape;
  vae.latent_dim = d;
  vae.learn_sigma = vae_options.learn_sigma;
  vae.log_sigma = at::full({}, std::log(vae_options.sigma), options.requires_grad(false));
  vae.log_sigma.set_requires_grad(vae_options.learn_sigma);
  return vae;
}

GaussianCode SplitGaussianCode(const at::Tensor& encoder_out) {
  const int64_t d = encoder_out.size(1) / 2;
  return {encoder_out.slice(1, 0, d), encoder_out.slice(1, d, 2 * d)};
}

at::Tensor GaussianKl(const GaussianCode& code) {
  return 0.5 * (code.mean.pow(2) + (2 * code.log_std).exp() - 2 * code.log_std - 1).sum(1);
}

at::Tensor GaussianNll(const at::Tensor& x, const at::Tensor& x_hat,
                       const at::Tensor& log_sigma) {
  const double d = static_cast<double>(x[0].numel());
  const at::Tensor sq = (x - x_hat).pow(2).flatten(1).sum(1);
  return 0.5 * d * std::log(2 * M_PI) + d * log_sigma + 0.5 * sq * (-2 * log_sigma).exp();
}

}  // namespace isoae
