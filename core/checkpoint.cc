#include "core/checkpoint.h"

#include <ATen/ATen.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/torch_boundary.h"

namespace isoae {
namespace {

constexpr char kMagic[8] = {'I', 'S', 'O', 'A', 'E', 'C', 'K', '\x01'};
constexpr uint32_t kMaxNameBytes = 4096;
constexpr uint32_t kMaxFingerprintBytes = 1 << 20;
constexpr int kMaxDims = 8;

// Stable on-disk codes of the element types a checkpoint may hold.
struct DtypeCode {
  uint8_t code;
  at::ScalarType type;
};
constexpr DtypeCode kDtypes[] = {
    {1, at::kFloat}, {2, at::kDouble}, {3, at::kLong}, {4, at::kInt},  {5, at::kByte},
    {6, at::kBool},  {7, at::kChar},   {8, at::kShort}, {9, at::kHalf}, {10, at::kBFloat16},
};

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
// path and errno ("writing checkpoint <path> (...): No space left on device").
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

// zlib's CRC-32 of `n` bytes (in chunks: zlib takes 32-bit lengths).
uint32_t Crc32(const char* data, size_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  for (size_t at = 0; at < n;) {
    const uInt chunk = static_cast<uInt>(std::min<size_t>(n - at, 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data + at), chunk);
    at += chunk;
  }
  return static_cast<uint32_t>(crc);
}

template <typename T>
void Put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}

// Bounds-checked reads from the payload: every size comes from the file, so
// every one is checked against what is left before anything is allocated.
class Reader {
 public:
  Reader(const std::string& bytes, size_t begin, size_t end, const std::string& path)
      : bytes_(bytes), pos_(begin), end_(end), path_(path) {}

  template <typename T>
  absl::Status Get(T* v, const char* what) {
    if (end_ - pos_ < sizeof(T)) return Truncated(what);
    std::memcpy(v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return absl::OkStatus();
  }

  absl::Status GetString(uint32_t max, std::string* s, const char* what) {
    uint32_t n = 0;
    if (absl::Status st = Get(&n, what); !st.ok()) return st;
    if (n > max) {
      return absl::DataLossError(absl::StrCat("checkpoint ", path_, ": ", what, " of ", n,
                                              " bytes (at most ", max, ")"));
    }
    return GetRaw(n, s, what);
  }

  absl::Status Skip(uint64_t n, size_t* at, const char* what) {
    if (end_ - pos_ < n) return Truncated(what);
    *at = pos_;
    pos_ += n;
    return absl::OkStatus();
  }

  bool done() const { return pos_ == end_; }
  size_t left() const { return end_ - pos_; }

 private:
  absl::Status GetRaw(uint32_t n, std::string* s, const char* what) {
    if (end_ - pos_ < n) return Truncated(what);
    s->assign(bytes_.data() + pos_, n);
    pos_ += n;
    return absl::OkStatus();
  }
  absl::Status Truncated(const char* what) const {
    return absl::DataLossError(
        absl::StrCat("checkpoint ", path_, " is truncated or corrupt (", what, " at byte ", pos_,
                     " runs past the end of the data)"));
  }

  const std::string& bytes_;
  size_t pos_;
  size_t end_;
  const std::string& path_;
};

struct StoredTensor {
  at::ScalarType type;
  std::vector<int64_t> dims;
  size_t offset = 0;  // of the raw data in the file's bytes
  size_t nbytes = 0;
};

struct ParsedCheckpoint {
  std::string bytes;  // the whole file
  int64_t step = 0;
  std::string fingerprint;
  std::map<std::string, StoredTensor> tensors;
};

// Reads and checks a whole checkpoint file (format in checkpoint.h).
absl::Status ParseCheckpoint(const std::string& path, const char* missing_hint,
                             ParsedCheckpoint* c) {
  if (!std::filesystem::exists(path)) {
    return absl::NotFoundError(absl::StrCat("checkpoint ", path, " does not exist", missing_hint));
  }
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::DataLossError(absl::StrCat("checkpoint ", path, " cannot be opened"));
    c->bytes.assign(std::istreambuf_iterator<char>(in), {});
    if (in.bad()) return absl::DataLossError(absl::StrCat("checkpoint ", path, ": read error"));
  }
  const std::string& b = c->bytes;
  if (b.size() >= 4 && b.compare(0, 4, "PK\x03\x04") == 0) {
    return absl::DataLossError(absl::StrCat(
        "checkpoint ", path,
        " is a LibTorch archive (the format of isoae before November 2026); this version reads "
        "isoae checkpoints only: train again to write one"));
  }
  if (b.size() < sizeof kMagic + 12 || std::memcmp(b.data(), kMagic, sizeof kMagic) != 0) {
    return absl::DataLossError(absl::StrCat("checkpoint ", path,
                                            " is not an isoae checkpoint (wrong magic or too "
                                            "short: ",
                                            b.size(), " bytes)"));
  }
  uint64_t payload = 0;
  std::memcpy(&payload, b.data() + sizeof kMagic, 8);
  const size_t begin = sizeof kMagic + 8;
  if (payload != b.size() - begin - 4) {
    return absl::DataLossError(absl::StrCat("checkpoint ", path, " is truncated or corrupt (",
                                            b.size() - begin - 4, " bytes of data, the header "
                                            "declares ", payload, ")"));
  }
  uint32_t stored_crc = 0;
  std::memcpy(&stored_crc, b.data() + b.size() - 4, 4);
  if (Crc32(b.data() + begin, payload) != stored_crc) {
    return absl::DataLossError(
        absl::StrCat("checkpoint ", path, " is corrupt (CRC-32 mismatch)"));
  }
  Reader r(b, begin, begin + payload, path);
  uint32_t count = 0;
  absl::Status s = r.Get(&c->step, "step");
  if (s.ok()) s = r.GetString(kMaxFingerprintBytes, &c->fingerprint, "fingerprint");
  if (s.ok()) s = r.Get(&count, "tensor count");
  for (uint32_t i = 0; s.ok() && i < count; ++i) {
    std::string name;
    uint8_t code = 0;
    uint8_t ndim = 0;
    s = r.GetString(kMaxNameBytes, &name, "tensor name");
    if (s.ok()) s = r.Get(&code, "element type");
    if (s.ok()) s = r.Get(&ndim, "rank");
    if (!s.ok()) break;
    StoredTensor t;
    const DtypeCode* found = nullptr;
    for (const DtypeCode& d : kDtypes) {
      if (d.code == code) found = &d;
    }
    if (found == nullptr || ndim > kMaxDims) {
      return absl::DataLossError(absl::StrCat("checkpoint ", path, " tensor '", name,
                                              "' has element type code ", code, " and rank ",
                                              ndim, " (corrupt)"));
    }
    t.type = found->type;
    uint64_t numel = 1;
    for (int k = 0; s.ok() && k < ndim; ++k) {
      int64_t d = 0;
      s = r.Get(&d, "dimension");
      if (!s.ok()) break;
      if (d < 0 || (d > 0 && numel > r.left() / static_cast<uint64_t>(d))) {
        return absl::DataLossError(absl::StrCat("checkpoint ", path, " tensor '", name,
                                                "' declares dimension ", d,
                                                ", more than the file holds"));
      }
      numel *= static_cast<uint64_t>(d);
      t.dims.push_back(d);
    }
    if (!s.ok()) break;
    const uint64_t elem = at::elementSize(t.type);
    if (numel > r.left() / elem) {
      return absl::DataLossError(absl::StrCat("checkpoint ", path, " tensor '", name,
                                              "' declares ", numel,
                                              " elements, more than the file holds"));
    }
    t.nbytes = numel * elem;
    s = r.Skip(t.nbytes, &t.offset, "tensor data");
    if (s.ok() && !c->tensors.emplace(name, std::move(t)).second) {
      return absl::DataLossError(
          absl::StrCat("checkpoint ", path, " holds tensor '", name, "' twice"));
    }
  }
  if (s.ok() && !r.done()) {
    return absl::DataLossError(absl::StrCat("checkpoint ", path, " has ", r.left(),
                                            " bytes after its last tensor (corrupt)"));
  }
  return s;
}

// Loads `into` from `path`; the stored fingerprint must equal `fingerprint`,
// or, with `prefix_ok`, start with `fingerprint` followed by ';'.
absl::StatusOr<int64_t> LoadCheckpointImpl(const std::string& path,
                                           const std::string& fingerprint, bool prefix_ok,
                                           const std::vector<NamedTensor>& into) {
  ParsedCheckpoint c;
  absl::Status s = ParseCheckpoint(path,
                                   prefix_ok ? " (write one with a training run, e.g. //tools:train)"
                                             : " (train without --resume first)",
                                   &c);
  if (!s.ok()) return s;
  const std::string& stored_fp = c.fingerprint;
  const bool prefix_match = prefix_ok && stored_fp.size() > fingerprint.size() &&
                            stored_fp.compare(0, fingerprint.size(), fingerprint) == 0 &&
                            stored_fp[fingerprint.size()] == ';';
  if (stored_fp != fingerprint && !prefix_match) {
    return absl::FailedPreconditionError(absl::StrCat(
        "checkpoint ", path, " was written for config '", stored_fp,
        "' but this run's config is '", fingerprint, "'"));
  }
  // Every entry is checked before any tensor of `into` changes.
  for (const NamedTensor& t : into) {
    auto it = c.tensors.find(t.name);
    if (it == c.tensors.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("checkpoint ", path, " has no tensor '", t.name, "'"));
    }
    if (at::IntArrayRef(it->second.dims) != t.tensor.sizes()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "checkpoint ", path, " tensor '", t.name, "' has shape [",
          absl::StrJoin(it->second.dims, ","), "] but the model expects [",
          absl::StrJoin(t.tensor.sizes(), ","), "]"));
    }
  }
  s = TorchCall(absl::StrCat("restoring checkpoint ", path), [&] {
    at::NoGradGuard no_grad;
    for (const NamedTensor& t : into) {
      const StoredTensor& st = c.tensors.at(t.name);
      at::Tensor stored = at::empty(st.dims, at::TensorOptions().dtype(st.type));
      if (st.nbytes > 0) std::memcpy(stored.data_ptr(), c.bytes.data() + st.offset, st.nbytes);
      t.tensor.copy_(stored);
    }
  });
  if (!s.ok()) return s;
  return c.step;
}

}  // namespace

absl::Status SaveCheckpoint(const std::string& path, int64_t step,
                            const std::string& fingerprint,
                            const std::vector<NamedTensor>& tensors) {
  if (fingerprint.size() > kMaxFingerprintBytes) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint fingerprint of ",
                                                   fingerprint.size(), " bytes is too long"));
  }
  // Header, payload and CRC in one buffer; the payload size is filled in last.
  std::string bytes(kMagic, sizeof kMagic);
  Put(&bytes, uint64_t{0});
  const size_t begin = bytes.size();
  Put(&bytes, step);
  Put(&bytes, static_cast<uint32_t>(fingerprint.size()));
  bytes += fingerprint;
  Put(&bytes, static_cast<uint32_t>(tensors.size()));
  absl::Status s = TorchCall(absl::StrCat("serialising checkpoint ", path), [&] {
    for (const NamedTensor& t : tensors) {
      at::Tensor v = t.tensor.detach().cpu().contiguous();
      if (v.is_floating_point() && !at::isfinite(v).all().item<bool>()) {
        throw std::invalid_argument(absl::StrCat("refusing to checkpoint step ", step, " to ",
                                                 path, ": tensor '", t.name,
                                                 "' has NaN/Inf entries"));
      }
      const DtypeCode* found = nullptr;
      for (const DtypeCode& d : kDtypes) {
        if (d.type == v.scalar_type()) found = &d;
      }
      if (found == nullptr || v.dim() > kMaxDims || t.name.size() > kMaxNameBytes) {
        throw std::invalid_argument(absl::StrCat("tensor '", t.name, "' of type ",
                                                 c10::toString(v.scalar_type()), " and rank ",
                                                 v.dim(), " cannot be checkpointed"));
      }
      Put(&bytes, static_cast<uint32_t>(t.name.size()));
      bytes += t.name;
      Put(&bytes, found->code);
      Put(&bytes, static_cast<uint8_t>(v.dim()));
      for (int64_t d : v.sizes()) Put(&bytes, d);
      bytes.append(static_cast<const char*>(v.data_ptr()), v.nbytes());
    }
  });
  if (!s.ok()) {
    // The message of a refused tensor is the whole story.
    const std::string msg(s.message());
    const size_t cut = msg.find("refusing");
    if (cut != std::string::npos) return absl::InvalidArgumentError(msg.substr(cut));
    return absl::InvalidArgumentError(msg);
  }
  const uint64_t payload_size = bytes.size() - begin;
  std::memcpy(&bytes[sizeof kMagic], &payload_size, sizeof payload_size);
  Put(&bytes, Crc32(bytes.data() + begin, payload_size));

  std::error_code ec;
  const std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  const std::string tmp = path + ".tmp";
  // On disk before it replaces the last good checkpoint: a crash of the
  // machine right after the rename must not leave an empty file behind.
  if (absl::Status written = WriteAndSync(tmp, bytes); !written.ok()) {
    std::remove(tmp.c_str());
    return written;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    return absl::InternalError(
        absl::StrCat("renaming ", tmp, " to ", path, " failed: ", std::strerror(err)));
  }
  const std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  return SyncPath(dir, /*directory=*/true);
}

absl::StatusOr<std::string> ReadCheckpointFingerprint(const std::string& path) {
  ParsedCheckpoint c;
  absl::Status s =
      ParseCheckpoint(path, " (write one with a training run, e.g. //tools:train)", &c);
  if (!s.ok()) return s;
  return c.fingerprint;
}

absl::StatusOr<int64_t> LoadCheckpoint(const std::string& path,
                                       const std::string& fingerprint,
                                       const std::vector<NamedTensor>& into) {
  return LoadCheckpointImpl(path, fingerprint, /*prefix_ok=*/false, into);
}

absl::StatusOr<int64_t> LoadModelFromCheckpoint(
    const std::string& path, const std::string& architecture_fingerprint,
    const std::vector<NamedTensor>& into) {
  return LoadCheckpointImpl(path, architecture_fingerprint, /*prefix_ok=*/true, into);
}

}  // namespace isoae
