// Checkpoints: named tensors plus a step counter and a config fingerprint,
// written atomically (temporary file in the same directory, written, fsynced,
// then renamed over the old one, and the directory fsynced), so an
// interrupted write never replaces the last good checkpoint.
//
// Format (isoae's own, little-endian; parsed with every size checked against
// the file before anything is allocated, and fuzzed: tools/fuzz):
//   "ISOAECK\x01"  u64 payload bytes  payload  u32 CRC-32 (zlib) of payload
//   payload = i64 step, u32 n + fingerprint, u32 count, then count times
//             u32 n + name, u8 element type, u8 rank (<= 8), i64 dims[rank],
//             the raw elements (row-major).
// Element types: 1 f32, 2 f64, 3 i64, 4 i32, 5 u8, 6 bool, 7 i8, 8 i16,
// 9 f16, 10 bf16. (LibTorch's own archive format was used before; its
// reader allocates whatever a corrupt file declares and takes ~30 ms to
// reject one, so it is no longer read: such files get a clear error.)
//
// Errors (all returned, nothing throws):
//   SaveCheckpoint: kInvalidArgument for a non-finite tensor (a NaN model is
//                   never written over a good one) or an unsupported element
//                   type; kInternal naming the path and the OS error if
//                   writing fails (full disk, directory gone), the previous
//                   checkpoint intact.
//   LoadCheckpoint: kNotFound if the file is missing; kDataLoss if it is not
//                   an isoae checkpoint, truncated, or fails its CRC;
//                   kFailedPrecondition for a fingerprint mismatch (both
//                   values named) or a tensor missing / of another shape
//                   than `into` expects (then `into` is left unchanged).
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
