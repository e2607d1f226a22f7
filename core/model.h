// What the trainer, checkpoints, //tools:evaluate and the metric adapters need
// from any model of the project: an encoder g and a decoder f between data
// x [B, ...data_shape] and codes z [B, d].
//
//   Codes(x)    the deterministic code of x: g(x) for an autoencoder, the
//               posterior mean for a VAE                         [B, d]
//   DecoderMap  the decoder mean f as a tangent-carrying map (a Layer), the
//               thing both papers regularise and measure (I-AE eq. 6, IRVAE
//               eq. 10): Forward({z, T}) gives f(z) and J_f(z)·T
//   EncoderNet  the encoder network; its output is the code (autoencoder) or
//               [mean, log std] (VAE, EncoderOutDim = 2d)
//
// Implementations: Autoencoder (core/autoencoder.h), Vae (core/vae.h). Each
// has its own test; a new model kind (e.g. a decoder composed with an
// invertible map) implements this interface and everything downstream takes
// it unchanged.
//
// Error contract: Codes and the networks are LibTorch code (throw c10::Error
// on misuse); validated entry points are Encode/Decode in core/autoencoder.h.
#ifndef ISOAE_CORE_MODEL_H_
#define ISOAE_CORE_MODEL_H_

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/tangent_layers.h"

namespace isoae {

// kFlattened: a trained model seen through an invertible map of its latent
// space (core/flattened_model.h).
enum class ModelKind { kAutoencoder, kVae, kFlattened };

// "ae", "vae" or "flattened".
std::string ModelKindName(ModelKind kind);

// Shared by models built from an encoder and a decoder network: their
// parameters in order, and their state as "encoder/<i>.<name>" and
// "decoder/<i>.<name>" (parameters, then buffers), the checkpoint layout.
std::vector<at::Tensor> EncoderDecoderParameters(const Sequential& encoder,
                                                 const Sequential& decoder);
std::vector<NamedTensor> EncoderDecoderState(const Sequential& encoder,
                                             const Sequential& decoder);

class Model {
 public:
  virtual ~Model() = default;
  virtual ModelKind Kind() const = 0;
  virtual std::vector<at::Tensor> Parameters() const = 0;
  // Parameters and buffers by name: what a checkpoint holds.
  virtual std::vector<NamedTensor> State() const = 0;
  virtual void SetTraining(bool training) = 0;
  // Identifies the architecture, for checkpoints.
  virtual std::string Fingerprint() const = 0;
  virtual const std::vector<int64_t>& DataShape() const = 0;
  virtual int64_t LatentDim() const = 0;
  virtual int64_t EncoderOutDim() const { return LatentDim(); }
  virtual at::Tensor Codes(const at::Tensor& x) = 0;
  virtual Layer& DecoderMap() = 0;
  virtual Sequential& EncoderNet() = 0;
};

}  // namespace isoae

#endif  // ISOAE_CORE_MODEL_H_
