#include "tools/model_loader.h"

#include <ATen/ATen.h>

#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/checkpoint.h"
#include "core/flattened_model.h"
#include "core/model_builder.h"
#include "core/vae.h"
#include "core/status_macros.h"
#include "irvae/flattening.h"

namespace isoae {
namespace {

// A VAE's fingerprint starts "vae (sigma learned)" or "vae (sigma fixed
// <value>)" (core/vae.cc); `text` may be a flattened model's base part.
VaeOptions VaeOptionsOf(absl::string_view text) {
  VaeOptions o;
  constexpr absl::string_view kFixed = "vae (sigma fixed ";
  if (absl::StartsWith(text, kFixed)) {
    text.remove_prefix(kFixed.size());
    double sigma;
    if (absl::SimpleAtod(text.substr(0, text.find(')')), &sigma)) {
      o.learn_sigma = false;
      o.sigma = sigma;
    }
  }
  return o;
}

absl::StatusOr<std::unique_ptr<Model>> BuildCheckpointModel(const std::string& checkpoint,
                                                            const std::string& kind,
                                                            const std::string& arch,
                                                            int64_t data_dim, int64_t latent_dim,
                                                            const at::TensorOptions& options) {
  if (kind == "ae" || kind == "vae") {
    // Tied or spectrally normalised networks (TCAE, RAE-SN) as the
    // checkpoint records them; an unreadable checkpoint fails at the load.
    absl::StatusOr<std::string> fp = ReadCheckpointFingerprint(checkpoint);
    return BuildNamedModel(kind == "vae" ? ModelKind::kVae : ModelKind::kAutoencoder, arch,
                           data_dim, latent_dim, options, VaeOptions{}, 1.0,
                           fp.ok() ? ArchitectureOptionsOfFingerprint(*fp)
                                   : ArchitectureOptions{});
  }
  if (kind != "auto") {
    return absl::InvalidArgumentError(
        absl::StrCat("--model '", kind, "' (expected auto, ae or vae)"));
  }
  ISOAE_ASSIGN_OR_RETURN(const std::string fp, ReadCheckpointFingerprint(checkpoint));
  ISOAE_ASSIGN_OR_RETURN(const std::optional<FlattenedFingerprint> flat,
                         ParseFlattenedFingerprint(fp));
  if (!flat) {
    return BuildNamedModel(fp.rfind("vae", 0) == 0 ? ModelKind::kVae : ModelKind::kAutoencoder,
                           arch, data_dim, latent_dim, options, VaeOptionsOf(fp), 1.0,
                           ArchitectureOptionsOfFingerprint(fp));
  }
  ISOAE_ASSIGN_OR_RETURN(
      std::unique_ptr<Model> base,
      BuildNamedModel(flat->base_kind, arch, data_dim, latent_dim, options,
                      VaeOptionsOf(absl::string_view(fp).substr(sizeof("flattened[") - 1)), 1.0,
                      ArchitectureOptionsOfFingerprint(fp)));
  ISOAE_ASSIGN_OR_RETURN(std::unique_ptr<FlattenedModel> model,
                         FlattenModel(std::move(base), flat->flow));
  return std::unique_ptr<Model>(std::move(model));
}

}  // namespace

absl::StatusOr<LoadedModel> LoadCheckpointModel(const std::string& checkpoint,
                                                const std::string& kind,
                                                const std::string& arch, int64_t data_dim,
                                                int64_t latent_dim, const c10::Device& device) {
  LoadedModel out;
  ISOAE_ASSIGN_OR_RETURN(out.model,
                         BuildCheckpointModel(checkpoint, kind, arch, data_dim, latent_dim,
                                              at::TensorOptions().device(device)));
  ISOAE_ASSIGN_OR_RETURN(out.step, LoadModelFromCheckpoint(checkpoint, out.model->Fingerprint(),
                                                           out.model->State()));
  out.model->SetTraining(false);
  return out;
}

}  // namespace isoae
