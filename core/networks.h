// The papers' encoder/decoder networks, built from a config in the I-AE
// paper's layer notation (appendix A.1.1, Table 3):
//
//   "LIN n"            Linear to n outputs, no activation
//   "FC n"             Linear n + hidden activation (Softplus beta=100 in I-AE)
//   "FC_B n"           Linear n + BatchNorm1d + hidden activation
//   "CONV c,k,s,p"     Conv2d to c channels, kernel k, stride s, padding p
//   "CONV_B c,k,s,p"   Conv2d + BatchNorm2d + hidden activation
//   "CONVT c,k,s,p"    ConvTranspose2d
//   "CONVT_B c,k,s,p"  ConvTranspose2d + BatchNorm2d + hidden activation
//   "CONV_A / CONVT_A c,k,s,p"  the convolution + hidden activation (no
//                      BatchNorm; IRVAE's D.3/D.4 nets)
//   "PAD p"            zero padding of the spatial dimensions (our addition)
//   "CROP p"           removes p rows/columns on every side (our addition)
//   "UNFLATTEN c,h,w"  a vector of c*h*w values as a c x h x w feature map;
//                      the layer before it gets c*h*w outputs, with c scaled
//                      by the width multiplier (our addition)
//
// Flatten is inserted before a LIN/FC that follows an image-shaped tensor, and
// an Unflatten to [n, 1, 1] before a CONV/CONVT that follows a vector, and a
// final 1x1 feature map is flattened to a code vector. The
// result is a Sequential of tangent-carrying layers (core/tangent_layers.h).
//
// Canned configs reproduce the papers' architectures: I-AE A.1.2 (surfaces
// MLP), Table 4 (FC-NN, S-CNN, L-CNN) and IRVAE D.1 (784-256x4 ReLU MLPs with
// a sigmoid decoder output). Two of the paper's CNN listings do not compose as
// printed; the deviations are stated at the config functions below.
//
// Errors: BuildNetwork returns kInvalidArgument naming the layer for an
// unparsable spec, non-positive sizes, or a layer whose output would be empty
// (checked by a dry run on a zero batch of the declared input shape).
#ifndef ISOAE_CORE_NETWORKS_H_
#define ISOAE_CORE_NETWORKS_H_

#include <c10/core/TensorOptions.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/tangent_layers.h"

namespace isoae {

enum class Activation { kNone, kSoftplus, kReLU, kSigmoid, kTanh, kELU };

// Parses "softplus", "relu", "sigmoid", "tanh", "elu", "none".
absl::StatusOr<Activation> ParseActivation(const std::string& name);

struct NetworkConfig {
  std::vector<int64_t> input_shape;  // per sample, e.g. {3} or {1, 28, 28}
  std::vector<std::string> layers;   // paper notation, see above
  Activation hidden_activation = Activation::kSoftplus;
  double softplus_beta = 100.0;
  Activation output_activation = Activation::kNone;  // after the last layer
  // Multiplies the channel/width of hidden layers (not the output layer):
  // lets tests run the large CNNs at a small size.
  double width_multiplier = 1.0;
  BatchNormTangent batchnorm_tangent = BatchNormTangent::kPerSample;
  // Every weight layer (LIN/FC, CONV, CONVT) spectrally normalised, one
  // power iteration per training pass (core/tangent_layers.h): RAE-SN's
  // decoder.
  bool spectral_norm = false;
};

struct BuiltNetwork {
  Sequential net;
  std::vector<int64_t> output_shape;  // per sample
};

absl::StatusOr<BuiltNetwork> BuildNetwork(const NetworkConfig& config,
                                          const c10::TensorOptions& options);

struct AutoencoderConfig {
  NetworkConfig encoder;
  NetworkConfig decoder;
  // TCAE (Rifai et al. 2011a): decoder Linear layer i applies the transpose
  // of encoder Linear layer L-1-i (TieDecoderToEncoder). Needs mirrored
  // fully connected networks.
  bool tied_weights = false;
};

// How a method changes the architecture it is given (core/method.h:
// BaseObjective::Architecture): the weight-sharing and normalisation of the
// AE baselines that are not losses.
struct ArchitectureOptions {
  bool tied_weights = false;           // TCAE
  bool decoder_spectral_norm = false;  // RAE-SN
};
void ApplyArchitectureOptions(const ArchitectureOptions& options, AutoencoderConfig* config);

// Ties every Linear layer of `decoder` to the mirrored one of `encoder`
// (decoder's i-th Linear to the encoder's (L-1-i)-th, transposed).
// kInvalidArgument naming the first mismatch: a network with convolutions,
// different numbers of Linear layers, or shapes that do not mirror (e.g. a
// VAE encoder, which ends in 2d outputs for a d-dimensional decoder input).
absl::Status TieDecoderToEncoder(Sequential& encoder, Sequential* decoder);

// Encoder data_dim -> depth x FC width -> LIN encoder_out (latent_dim when
// <= 0); decoder latent_dim -> depth x FC width -> LIN data_dim.
AutoencoderConfig SymmetricMlp(int64_t data_dim, int64_t latent_dim, int64_t width,
                               int depth, int64_t encoder_out = -1);
// I-AE A.1.2: 5 x FC 256 (Softplus beta=100) + LIN each side, data_dim -> 2.
AutoencoderConfig SurfacesMlp(int64_t data_dim = 3, int64_t latent_dim = 2,
                              int64_t width = 256, int depth = 5);
// I-AE Table 4 FC-NN: FC_B 128-256-512-1024 / FC_B 1024-512-256-128.
AutoencoderConfig FcNn(int64_t data_dim = 784, int64_t latent_dim = 2);
// I-AE Table 4 S-CNN on 1x28x28. As printed, CONV_B 256,4,2,0 would act on a
// 3x3 map; the listing composes on a 32x32 input, so the encoder starts with
// PAD 2 (28 -> 32). The decoder ends at 28x28 as printed.
AutoencoderConfig SCnn(int64_t latent_dim = 2);
// I-AE Table 4 L-CNN on 1x128x128 (COIL-20). The printed last encoder layer
// CONV 2,2,2,1 leaves a 2x2 map; we use padding 0 so the code is 1x1.
AutoencoderConfig LCnn(int64_t latent_dim = 2);
// IRVAE D.1: encoder data_dim -> 256 x 4 (ReLU) -> LIN encoder_out, decoder
// latent -> 256 x 4 (ReLU) -> LIN data_dim -> sigmoid. For a VAE pass
// encoder_out = 2 * latent_dim (mean and log std).
AutoencoderConfig IrvaeFc(int64_t data_dim = 784, int64_t latent_dim = 2,
                          int64_t encoder_out = -1);
// IRVAE D.2 (CMU motion capture): data_dim -> 512 x 2 (ReLU) -> LIN
// encoder_out, decoder latent -> 512 x 2 (ReLU) -> LIN data_dim -> tanh (the
// poses are angles / 180 deg in [-1, 1]).
AutoencoderConfig IrvaeCmuFc(int64_t data_dim = 50, int64_t latent_dim = 2,
                             int64_t encoder_out = -1);

// IRVAE D.3 (CelebA 64x64x3, latent 128 in the paper): Conv 128/256/512/1024
// (k5 s2 p0, ReLU) -> Conv encoder_out (k1); decoder ConvT 1024 (k8) ->
// 512/256/128 (k4 s2 p1, ReLU) -> ConvT 3 (k1) -> tanh, as printed.
AutoencoderConfig IrvaeCelebaCnn(int64_t latent_dim = 128, int64_t encoder_out = -1);
// IRVAE D.4 / E.2 (SVHN, CIFAR-10: 32x32x3; MNIST, FMNIST): Conv 32/64/128
// (k4 s2 p0, ReLU), Conv 256 (k2 s2), Conv encoder_out (k1); decoder ConvT 256
// (k8) -> 128/64 (k4 s2 p1, ReLU) -> ConvT channels (k1) -> sigmoid. The
// listing is for 32x32; 28x28 images are zero-padded to 32 on the way in and
// the decoder's first kernel is 7, so that it returns 28x28 (our deviation).
// data_dim 784 / 1024 / 3072 gives 1x28x28 / 1x32x32 / 3x32x32.
absl::StatusOr<AutoencoderConfig> IrvaeImageCnn(int64_t data_dim, int64_t latent_dim,
                                                int64_t encoder_out = -1);

// I-AE A.2.1 Table 6 (generalisation): encoder CONV_B 128/256/512/1024
// (k4 s2 p1; CelebA k5) -> LIN latent; decoder FC 16384 (CelebA 65536) ->
// 1024 x 4 x 4 (8 x 8) -> CONVT_B 512/256/128 (k4 s2 p1) -> CONVT channels
// (k1), no output activation, Softplus(beta = 100) as Table 3 defines the
// blocks. As printed the last layer reads "CONVT 1, 1, 0, 0" (stride 0); we
// use stride 1. data_dim 784 (MNIST 1x28x28: the listing maps 32x32, as the
// RAE code pads MNIST, so the encoder starts with PAD 2 and the decoder ends
// with CROP 2), 3072 (CIFAR-10 3x32x32) or 12288 (CelebA 3x64x64); other
// sizes are kInvalidArgument. Latent 16 (MNIST) / 128 in the paper.
absl::StatusOr<AutoencoderConfig> IaeGeneralizationCnn(int64_t data_dim, int64_t latent_dim);

// The architectures above by name, for command-line tools: "irvae_fc",
// "irvae_cmu_fc" and "irvae_cnn" (data_dim from the data), "irvae_celeba_cnn",
// "fc_nn", "s_cnn", "l_cnn", "iae_gen_cnn". kInvalidArgument for
// an unknown name (listing the known ones) or latent_dim < 1. encoder_out > 0
// sets the output count of the last encoder layer (2 * latent_dim for a VAE).
absl::StatusOr<AutoencoderConfig> NamedArchitecture(const std::string& name,
                                                    int64_t data_dim,
                                                    int64_t latent_dim,
                                                    int64_t encoder_out = -1);

}  // namespace isoae

#endif  // ISOAE_CORE_NETWORKS_H_
