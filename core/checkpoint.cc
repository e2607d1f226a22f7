#include "core/checkpoint.h"

#include <torch/torch.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/torch_boundary.h"

namespace isoae {
namespace {

// fsync of a file or directory; kInternal naming the path and errno.
absl::Status SyncPath(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    return absl::InternalError(absl::StrCat("syncing checkpoint ", directory ? "directory " : "",
                                            path, " failed: ", std::strerror(err)));
  }
  ::close(fd);
  return absl::OkStatus();
}

// Writes `bytes` to a new file `path` and fsyncs it; kInternal naming the
// path and errno ("writing checkpoint <path>: No space left on device").
absl::Status WriteAndSync(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err = fd < 0 ? errno : 0;
  size_t done = 0;
  while (err == 0 && done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno != EINTR) err = errno;
    } else {
      done += static_cast<size_t>(n);
    }
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (fd >= 0 && ::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    return absl::InternalError(absl::StrCat("writing checkpoint ", path, " (", done, " of ",
                                            bytes.size(), " bytes): ", std::strerror(err)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SaveCheckpoint(const std::string& path, int64_t step,
                            const std::string& fingerprint,
                            const std::vector<NamedTensor>& tensors) {
  for (const NamedTensor& t : tensors) {
    if (t.tensor.is_floating_point() &&
        !torch::isfinite(t.tensor.detach()).all().item<bool>()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "refusing to checkpoint step ", step, " to ", path, ": tensor '",
          t.name, "' has NaN/Inf entries"));
    }
  }
  std::error_code ec;
  const std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  const std::string tmp = path + ".tmp";
  // The archive is serialised in memory and written by us: LibTorch's file
  // writer finishes the archive in its destructor, so a write error there
  // (a full disk) throws from a destructor and terminates the process.
  std::string bytes;
  absl::Status s = TorchCall(absl::StrCat("serialising checkpoint ", path), [&] {
    torch::serialize::OutputArchive archive;
    archive.write("meta/step", torch::tensor({step}, torch::kInt64));
    archive.write("meta/fingerprint", c10::IValue(fingerprint));
    for (const NamedTensor& t : tensors) {
      archive.write(t.name, t.tensor.detach().cpu());
    }
    archive.save_to([&bytes](const void* data, size_t n) {
      bytes.append(static_cast<const char*>(data), n);
      return n;
    });
  });
  if (!s.ok()) return s;
  // On disk before it replaces the last good checkpoint: a crash of the
  // machine right after the rename must not leave an empty file behind.
  if (absl::Status written = WriteAndSync(tmp, bytes); !written.ok()) {
    std::remove(tmp.c_str());
    return written;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    return absl::InternalError(absl::StrCat("renaming ", tmp, " to ", path,
                                            " failed: ", std::strerror(err)));
  }
  const std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  return SyncPath(dir, /*directory=*/true);
}

namespace {

// Opens `path` and reads its meta entries.
absl::Status OpenCheckpoint(const std::string& path, const char* missing_hint,
                            torch::serialize::InputArchive* archive, int64_t* step,
                            std::string* fingerprint) {
  if (!std::filesystem::exists(path)) {
    return absl::NotFoundError(absl::StrCat("checkpoint ", path, " does not exist", missing_hint));
  }
  absl::Status s = TorchCall(
      absl::StrCat("checkpoint ", path, " is not a readable LibTorch archive"),
      [&] { archive->load_from(path); }, absl::StatusCode::kDataLoss);
  if (!s.ok()) return s;
  torch::Tensor step_t;
  c10::IValue fp;
  bool ok = false;
  s = TorchCall(
      absl::StrCat("checkpoint ", path),
      [&] { ok = archive->try_read("meta/step", step_t) && archive->try_read("meta/fingerprint", fp); },
      absl::StatusCode::kDataLoss);
  if (!s.ok()) return s;
  if (!ok || !fp.isString() || step_t.numel() != 1) {
    return absl::DataLossError(absl::StrCat(
        "checkpoint ", path, " lacks meta/step or meta/fingerprint"));
  }
  *step = step_t.item<int64_t>();
  *fingerprint = fp.toStringRef();
  return absl::OkStatus();
}

// Loads `into` from `path`; the stored fingerprint must equal `fingerprint`,
// or, with `prefix_ok`, start with `fingerprint` followed by ';'.
absl::StatusOr<int64_t> LoadCheckpointImpl(const std::string& path,
                                           const std::string& fingerprint,
                                           bool prefix_ok,
                                           const std::vector<NamedTensor>& into) {
  torch::serialize::InputArchive archive;
  int64_t step = 0;
  std::string stored_fp;
  absl::Status s = OpenCheckpoint(path,
                                  prefix_ok ? " (write one with a training run, e.g. //tools:train)"
                                            : " (train without --resume first)",
                                  &archive, &step, &stored_fp);
  if (!s.ok()) return s;
  const bool prefix_match = prefix_ok && stored_fp.size() > fingerprint.size() &&
                            stored_fp.compare(0, fingerprint.size(), fingerprint) == 0 &&
                            stored_fp[fingerprint.size()] == ';';
  if (stored_fp != fingerprint && !prefix_match) {
    return absl::FailedPreconditionError(absl::StrCat(
        "checkpoint ", path, " was written for config '", stored_fp,
        "' but this run's config is '", fingerprint, "'"));
  }
  for (const NamedTensor& t : into) {
    torch::Tensor stored;
    bool found = false;
    s = TorchCall(absl::StrCat("checkpoint ", path, " entry ", t.name),
                  [&] { found = archive.try_read(t.name, stored); },
                  absl::StatusCode::kDataLoss);
    if (!s.ok()) return s;
    if (!found) {
      return absl::FailedPreconditionError(absl::StrCat(
          "checkpoint ", path, " has no tensor '", t.name, "'"));
    }
    if (stored.sizes() != t.tensor.sizes()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "checkpoint ", path, " tensor '", t.name, "' has shape [",
          absl::StrJoin(stored.sizes(), ","), "] but the model expects [",
          absl::StrJoin(t.tensor.sizes(), ","), "]"));
    }
    torch::NoGradGuard no_grad;
    t.tensor.copy_(stored);
  }
  return step;
}

}  // namespace

absl::StatusOr<std::string> ReadCheckpointFingerprint(const std::string& path) {
  torch::serialize::InputArchive archive;
  int64_t step = 0;
  std::string fp;
  absl::Status s = OpenCheckpoint(path, " (write one with a training run, e.g. //tools:train)",
                                  &archive, &step, &fp);
  if (!s.ok()) return s;
  return fp;
}

absl::StatusOr<int64_t> LoadCheckpoint(const std::string& path,
                                       const std::string& fingerprint,
                                       const std::vector<NamedTensor>& into) {
  return LoadCheckpointImpl(path, fingerprint, /*prefix_ok=*/false, into);
}

absl::StatusOr<int64_t> LoadModelFromCheckpoint(
    const std::string& path, const std::string& architecture_fingerprint,
    const std::vector<NamedTensor>& into) {
  return LoadCheckpointImpl(path, architecture_fingerprint, /*prefix_ok=*/true,
                            into);
}

}  // namespace isoae
