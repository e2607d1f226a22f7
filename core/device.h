// --device parsing and the user-path rule shared by every binary.
//
//   ParseDevice("cpu" | "cuda" | "cuda:N" | "auto") -> c10::Device
//     auto picks CUDA when this LibTorch build sees a GPU, else the CPU.
//     Errors: kInvalidArgument for an unknown name; kFailedPrecondition when
//     CUDA is asked for but unavailable (naming the LibTorch in use).
//   ResolveUserPath(p): relative paths given to `bazel run` binaries resolve
//     against the directory the user ran bazel from (BUILD_WORKING_DIRECTORY),
//     not the runfiles tree. A leading "~/" becomes $HOME/ (the shell does
//     not expand it inside --flag=~/path).
#ifndef ISOAE_CORE_DEVICE_H_
#define ISOAE_CORE_DEVICE_H_

#include <c10/core/Device.h>

#include <string>

#include "absl/status/statusor.h"

namespace isoae {

absl::StatusOr<c10::Device> ParseDevice(const std::string& name);
std::string ResolveUserPath(const std::string& path);

}  // namespace isoae

#endif  // ISOAE_CORE_DEVICE_H_
