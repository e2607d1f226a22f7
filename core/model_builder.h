// Builds the model a method needs (core/method.h: Method::Kind) from one of
// the papers' architectures by name (core/networks.h: NamedArchitecture):
// an Autoencoder whose encoder ends in d outputs, or a Vae whose encoder ends
// in 2d (mean and log std) with the same decoder.
//
// Errors: kInvalidArgument for an unknown architecture (listing the known
// ones), kind kFlattened (it wraps a trained model), latent_dim < 1, an architecture whose input size differs from
// data_dim values per item, or bad VAE options.
#ifndef ISOAE_CORE_MODEL_BUILDER_H_
#define ISOAE_CORE_MODEL_BUILDER_H_

#include <c10/core/TensorOptions.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/model.h"
#include "core/networks.h"
#include "core/vae.h"

namespace isoae {

absl::StatusOr<std::unique_ptr<Model>> BuildModel(ModelKind kind,
                                                  const AutoencoderConfig& config,
                                                  const c10::TensorOptions& options,
                                                  const VaeOptions& vae_options = {});

// `config` from NamedArchitecture(arch, data_dim, latent_dim, d or 2d);
// width_multiplier scales the hidden layers (NetworkConfig; e.g. to run the
// CelebA nets small in a test).
// `architecture` (a method's, Method::Architecture) ties or normalises the
// named networks.
absl::StatusOr<std::unique_ptr<Model>> BuildNamedModel(ModelKind kind, const std::string& arch,
                                                       int64_t data_dim, int64_t latent_dim,
                                                       const c10::TensorOptions& options,
                                                       const VaeOptions& vae_options = {},
                                                       double width_multiplier = 1.0,
                                                       const ArchitectureOptions& architecture = {});

// The architecture options a model was built with, read back from its
// fingerprint (Model::Fingerprint; the layer names of core/tangent_layers.h):
// what a checkpoint loader needs to rebuild a TCAE or RAE-SN model.
ArchitectureOptions ArchitectureOptionsOfFingerprint(const std::string& fingerprint);

}  // namespace isoae

#endif  // ISOAE_CORE_MODEL_BUILDER_H_
