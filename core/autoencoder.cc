#include "core/autoencoder.h"

#include <ATen/ATen.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/status_macros.h"
#include "core/torch_boundary.h"

namespace isoae {
namespace {

std::string Shape(const std::vector<int64_t>& s) {
  return absl::StrCat("[", absl::StrJoin(s, ","), "]");
}

}  // namespace

absl::Status CheckBatchShape(const at::Tensor& t, const std::vector<int64_t>& per_sample,
                             const char* what) {
  if (!t.defined()) return absl::InvalidArgumentError(absl::StrCat(what, " is undefined"));
  std::vector<int64_t> got(t.sizes().begin(), t.sizes().end());
  std::vector<int64_t> want = {got.empty() ? -1 : got[0]};
  want.insert(want.end(), per_sample.begin(), per_sample.end());
  if (got != want) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " has shape ", Shape(got), ", expected [B,",
        absl::StrJoin(per_sample, ","), "]"));
  }
  if (!t.is_floating_point()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must be floating point"));
  }
  if (!at::isfinite(t).all().item<bool>()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " contains NaN or Inf"));
  }
  return absl::OkStatus();
}

namespace {

template <typename Fn>
absl::StatusOr<at::Tensor> Chunked(Model& model, const at::Tensor& in, int64_t batch,
                                   const char* what, Fn fn) {
  if (batch <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("batch must be positive, got ", batch));
  }
  const bool was_training = model.EncoderNet().training();
  model.SetTraining(false);
  absl::StatusOr<at::Tensor> out = TorchCallOr<at::Tensor>(what, [&] {
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> parts;
    for (int64_t i = 0; i < in.size(0); i += batch) {
      parts.push_back(fn(in.slice(0, i, std::min(in.size(0), i + batch))));
    }
    return at::cat(parts, 0);
  });
  model.SetTraining(was_training);
  return out;
}

}  // namespace

std::vector<at::Tensor> Autoencoder::Parameters() const {
  return EncoderDecoderParameters(encoder, decoder);
}

std::vector<NamedTensor> Autoencoder::State() const {
  return EncoderDecoderState(encoder, decoder);
}

void Autoencoder::SetTraining(bool training) {
  encoder.SetTraining(training);
  decoder.SetTraining(training);
}

std::string Autoencoder::Fingerprint() const {
  return absl::StrCat("data ", Shape(data_shape), " latent ", latent_dim,
                      "; encoder: ", encoder.Describe(),
                      "; decoder: ", decoder.Describe());
}

absl::StatusOr<Autoencoder> BuildAutoencoder(const AutoencoderConfig& config,
                                             const c10::TensorOptions& options) {
  ISOAE_ASSIGN_OR_RETURN(BuiltNetwork enc, BuildNetwork(config.encoder, options));
  ISOAE_ASSIGN_OR_RETURN(BuiltNetwork dec, BuildNetwork(config.decoder, options));
  if (config.tied_weights) ISOAE_RETURN_IF_ERROR(TieDecoderToEncoder(enc.net, &dec.net));
  if (enc.output_shape.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "encoder output ", Shape(enc.output_shape), " is not a code vector [d]"));
  }
  if (config.decoder.input_shape != enc.output_shape) {
    return absl::InvalidArgumentError(absl::StrCat(
        "decoder input ", Shape(config.decoder.input_shape),
        " does not match encoder output ", Shape(enc.output_shape)));
  }
  if (dec.output_shape != config.encoder.input_shape) {
    return absl::InvalidArgumentError(absl::StrCat(
        "decoder output ", Shape(dec.output_shape), " does not match encoder input ",
        Shape(config.encoder.input_shape)));
  }
  Autoencoder ae;
  ae.encoder = std::move(enc.net);
  ae.decoder = std::move(dec.net);
  ae.data_shape = config.encoder.input_shape;
  ae.latent_dim = enc.output_shape[0];
  return ae;
}

AeForward RunAutoencoder(Autoencoder& ae, const at::Tensor& x) {
  AeForward out;
  out.z = ae.encoder.ForwardRecording(x, &out.encoder_inputs);
  out.x_hat = ae.decoder.Forward(out.z);
  return out;
}

at::Tensor ReconstructionLoss(const at::Tensor& x, const at::Tensor& x_hat) {
  return (x_hat - x).pow(2).flatten(1).sum(1).mean();
}

absl::StatusOr<at::Tensor> Encode(Model& model, const at::Tensor& x, int64_t batch) {
  ISOAE_RETURN_IF_ERROR(CheckBatchShape(x, model.DataShape(), "data to encode"));
  return Chunked(model, x, batch, "encoder forward",
                 [&](const at::Tensor& b) { return model.Codes(b); });
}

absl::StatusOr<at::Tensor> Decode(Model& model, const at::Tensor& z, int64_t batch) {
  ISOAE_RETURN_IF_ERROR(CheckBatchShape(z, {model.LatentDim()}, "codes to decode"));
  return Chunked(model, z, batch, "decoder forward", [&](const at::Tensor& b) {
    return model.DecoderMap().Forward(Dual{b, at::Tensor()}).value;
  });
}

}  // namespace isoae
