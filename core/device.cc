#include "core/device.h"

#include <torch/cuda.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"

namespace isoae {

absl::StatusOr<c10::Device> ParseDevice(const std::string& name) {
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name == "auto") {
    return torch::cuda::is_available() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  }
  if (name == "cuda" || absl::StartsWith(name, "cuda:")) {
    int index = 0;
    if (name != "cuda" && (!absl::SimpleAtoi(name.substr(5), &index) || index < 0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--device=", name, ": expected cpu, cuda, cuda:N or auto"));
    }
    if (!torch::cuda::is_available()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--device=", name, ": no CUDA device is available to this LibTorch build "
          "(Debian's libtorch is CPU-only; set LIBTORCH_HOME to a CUDA LibTorch)"));
    }
    if (index >= static_cast<int>(torch::cuda::device_count())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--device=", name, ": only ", torch::cuda::device_count(), " CUDA devices"));
    }
    return c10::Device(c10::kCUDA, index);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--device=", name, ": expected cpu, cuda, cuda:N or auto"));
}

std::string ResolveUserPath(const std::string& path) {
  // "~/x" in "--flag=~/x" is not expanded by the shell.
  if (path == "~" || path.rfind("~/", 0) == 0) {
    const char* home = std::getenv("HOME");
    if (home != nullptr && *home != '\0') return std::string(home) + path.substr(1);
  }
  if (path.empty() || path[0] == '/') return path;
  const char* wd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (wd == nullptr || *wd == '\0') return path;
  return (std::filesystem::path(wd) / path).string();
}

}  // namespace isoae
