// Checkpoints: named tensors plus a step counter and a config fingerprint,
// written atomically (temporary file in the same directory, then rename), so
// an interrupted write never replaces the last good checkpoint.
//
// Layout (LibTorch archive): "meta/step", "meta/fingerprint" and one entry per
// named tensor. The fingerprint is a string the caller derives from its config
// (network layers, data shape, ...); loading into a different config fails.
//
// Errors (all returned, nothing throws):
//   SaveCheckpoint: kInvalidArgument for a non-finite tensor (a NaN model is
//                   never written over a good one), kInternal if writing fails.
//   LoadCheckpoint: kNotFound if the file is missing; kDataLoss if it is not a
//                   readable archive or lacks meta entries; kFailedPrecondition
//                   for a fingerprint mismatch (both values named) or a tensor
//                   missing / of another shape than `into` expects.
#ifndef ISOAE_CORE_CHECKPOINT_H_
#define ISOAE_CORE_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/tangent_layers.h"

namespace isoae {

absl::Status SaveCheckpoint(const std::string& path, int64_t step,
                            const std::string& fingerprint,
                            const std::vector<NamedTensor>& tensors);

// Copies the stored tensors into `into` (matched by name, shapes checked) and
// returns the stored step.
absl::StatusOr<int64_t> LoadCheckpoint(const std::string& path,
                                       const std::string& fingerprint,
                                       const std::vector<NamedTensor>& into);

// For evaluation tools: loads only the model tensors `into` from a training
// checkpoint whose fingerprint is `architecture_fingerprint` (for example
// Autoencoder::Fingerprint()) optionally followed by "; <run details>", as
// the experiments write them. Optimizer entries are ignored. Same errors.
absl::StatusOr<int64_t> LoadModelFromCheckpoint(
    const std::string& path, const std::string& architecture_fingerprint,
    const std::vector<NamedTensor>& into);

// The stored fingerprint alone (e.g. to tell which model kind to build).
// kNotFound / kDataLoss as LoadCheckpoint.
absl::StatusOr<std::string> ReadCheckpointFingerprint(const std::string& path);

}  // namespace isoae

#endif  // ISOAE_CORE_CHECKPOINT_H_
