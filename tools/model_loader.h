// Builds the model a checkpoint holds and loads its state: the shared path of
// //tools:evaluate and //tools:train --base_checkpoint.
//
// The kind comes from `kind` ("ae" / "vae") or, for "auto", from the
// checkpoint's fingerprint, which also identifies a flattened model (IRVAE's
// flattening module: a base model seen through a Real NVP, rebuilt from the
// fingerprint, irvae/flattening.h). The architecture is `arch` at
// `latent_dim` for `data_dim` values per item; the checkpoint must have been
// written for exactly that model (LoadModelFromCheckpoint).
//
// Errors: kInvalidArgument for an unknown kind or architecture, kNotFound for
// a missing checkpoint, kFailedPrecondition for one of another architecture,
// kDataLoss for an unreadable one.
#ifndef ISOAE_TOOLS_MODEL_LOADER_H_
#define ISOAE_TOOLS_MODEL_LOADER_H_

#include <c10/core/Device.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/model.h"

namespace isoae {

struct LoadedModel {
  std::unique_ptr<Model> model;
  int64_t step = 0;  // the checkpoint's training step
};

absl::StatusOr<LoadedModel> LoadCheckpointModel(const std::string& checkpoint,
                                                const std::string& kind,
                                                const std::string& arch, int64_t data_dim,
                                                int64_t latent_dim, const c10::Device& device);

}  // namespace isoae

#endif  // ISOAE_TOOLS_MODEL_LOADER_H_
