// An encoder g: R^D -> R^d and decoder f: R^d -> R^D pair of tangent-carrying
// networks, and the reconstruction loss shared by every method:
//
//   L_rec = (1/B) sum_i ||f(g(x_i)) - x_i||^2        (I-AE eq. 1)
//
// with the squared norm summed over all data dimensions. Shapes: data
// x [B, ...data_shape], codes z [B, d].
//
// Errors: BuildAutoencoder returns kInvalidArgument when the configs do not
// fit together (encoder output is not [d], decoder input is not [d], decoder
// output differs from the encoder input shape). Encode/Decode validate the
// input and return kInvalidArgument naming expected and actual shapes, or
// saying that it holds NaN/Inf.
// RunAutoencoder and ReconstructionLoss are LibTorch code (throw c10::Error on
// misuse; callers validate or use TorchCall).
#ifndef ISOAE_CORE_AUTOENCODER_H_
#define ISOAE_CORE_AUTOENCODER_H_

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

struct Autoencoder final : Model {
  Sequential encoder;
  Sequential decoder;
  std::vector<int64_t> data_shape;  // per sample
  int64_t latent_dim = 0;

  ModelKind Kind() const override { return ModelKind::kAutoencoder; }
  std::vector<at::Tensor> Parameters() const override;
  // "encoder/<i>.<name>" and "decoder/<i>.<name>", parameters and buffers.
  std::vector<NamedTensor> State() const override;
  void SetTraining(bool training) override;
  std::string Fingerprint() const override;
  const std::vector<int64_t>& DataShape() const override { return data_shape; }
  int64_t LatentDim() const override { return latent_dim; }
  at::Tensor Codes(const at::Tensor& x) override { return encoder.Forward(x); }
  Layer& DecoderMap() override { return decoder; }
  Sequential& EncoderNet() override { return encoder; }
};

absl::StatusOr<Autoencoder> BuildAutoencoder(const AutoencoderConfig& config,
                                             const c10::TensorOptions& options);

// One training-mode pass: z = g(x) with the encoder's layer inputs recorded
// (for VJPs, see Sequential::Vjp) and x_hat = f(z).
struct AeForward {
  std::vector<at::Tensor> encoder_inputs;
  at::Tensor z;      // [B, d]
  at::Tensor x_hat;  // [B, ...data_shape]
};
AeForward RunAutoencoder(Autoencoder& ae, const at::Tensor& x);

at::Tensor ReconstructionLoss(const at::Tensor& x, const at::Tensor& x_hat);

// Eval-mode, no-grad passes of any model in chunks of `batch` rows: the
// codes (Model::Codes) of x, and the decoder mean at z. The model's
// train/eval mode is restored afterwards.
absl::StatusOr<at::Tensor> Encode(Model& model, const at::Tensor& x,
                                  int64_t batch = 4096);
absl::StatusOr<at::Tensor> Decode(Model& model, const at::Tensor& z,
                                  int64_t batch = 4096);

// Shared by model builders: kInvalidArgument unless t is a finite floating
// point [B, ...per_sample] tensor; `what` names it in the message.
absl::Status CheckBatchShape(const at::Tensor& t, const std::vector<int64_t>& per_sample,
                             const char* what);

}  // namespace isoae

#endif  // ISOAE_CORE_AUTOENCODER_H_
