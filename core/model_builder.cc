#include "core/model_builder.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/autoencoder.h"
#include "core/status_macros.h"

namespace isoae {

absl::StatusOr<std::unique_ptr<Model>> BuildModel(ModelKind kind,
                                                  const AutoencoderConfig& config,
                                                  const c10::TensorOptions& options,
                                                  const VaeOptions& vae_options) {
  if (kind == ModelKind::kFlattened) {
    return absl::InvalidArgumentError(
        "a flattened model wraps a trained model: build it with FlattenModel "
        "(irvae/flattening.h), or //tools:train --method=fm --base_checkpoint=...");
  }
  if (kind == ModelKind::kVae) {
    ISOAE_ASSIGN_OR_RETURN(Vae vae, BuildVae(config, options, vae_options));
    return std::unique_ptr<Model>(std::make_unique<Vae>(std::move(vae)));
  }
  ISOAE_ASSIGN_OR_RETURN(Autoencoder ae, BuildAutoencoder(config, options));
  return std::unique_ptr<Model>(std::make_unique<Autoencoder>(std::move(ae)));
}

absl::StatusOr<std::unique_ptr<Model>> BuildNamedModel(ModelKind kind, const std::string& arch,
                                                       int64_t data_dim, int64_t latent_dim,
                                                       const c10::TensorOptions& options,
                                                       const VaeOptions& vae_options,
                                                       double width_multiplier,
                                                       const ArchitectureOptions& architecture) {
  if (!(width_multiplier > 0) || !std::isfinite(width_multiplier)) {
    return absl::InvalidArgumentError(
        absl::StrCat("width multiplier must be > 0, got ", width_multiplier));
  }
  const int64_t encoder_out = kind == ModelKind::kVae ? 2 * latent_dim : latent_dim;
  absl::StatusOr<AutoencoderConfig> config =
      NamedArchitecture(arch, data_dim, latent_dim, encoder_out);
  if (!config.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--arch: ", config.status().message()));
  }
  config->encoder.width_multiplier = config->decoder.width_multiplier = width_multiplier;
  ApplyArchitectureOptions(architecture, &*config);
  ISOAE_ASSIGN_OR_RETURN(std::unique_ptr<Model> model,
                         BuildModel(kind, *config, options, vae_options));
  int64_t in_size = 1;
  for (int64_t s : model->DataShape()) in_size *= s;
  if (in_size != data_dim) {
    return absl::InvalidArgumentError(absl::StrCat("--arch ", arch, " takes ", in_size,
                                                   " values per item; the data items have ",
                                                   data_dim));
  }
  return model;
}

ArchitectureOptions ArchitectureOptionsOfFingerprint(const std::string& fingerprint) {
  ArchitectureOptions a;
  const size_t decoder = fingerprint.find("decoder: ");
  if (decoder == std::string::npos) return a;
  const std::string d = fingerprint.substr(decoder);
  a.tied_weights = d.find("weight = tied layer's transpose") != std::string::npos;
  a.decoder_spectral_norm = d.find("SNLinear(") != std::string::npos ||
                            d.find("SNConv") != std::string::npos;
  return a;
}

}  // namespace isoae
