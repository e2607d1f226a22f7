#include "datasets/svhn.h"

#include <matio.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/status_macros.h"
#include "datasets/file_io.h"
#include "datasets/idx.h"

namespace isoae {
namespace {

// matio reports problems through a process-wide log function; keep the last
// message of this thread so errors can quote it instead of printing to stderr.
thread_local std::string last_matio_message;

void CaptureMatioLog(int /*level*/, char* message) {
  last_matio_message = message != nullptr ? message : "";
}

void InstallMatioLog() {
  static std::once_flag once;
  std::call_once(once, [] { Mat_LogInitFunc("isoae", CaptureMatioLog); });
}

std::string MatioDetail() {
  if (last_matio_message.empty()) return "";
  std::string m = absl::StrCat(" (matio: ", last_matio_message, ")");
  last_matio_message.clear();
  return m;
}

struct MatCloser {
  void operator()(mat_t* m) const { Mat_Close(m); }
};
struct VarFreer {
  void operator()(matvar_t* v) const { Mat_VarFree(v); }
};
using MatFile = std::unique_ptr<mat_t, MatCloser>;
using MatVar = std::unique_ptr<matvar_t, VarFreer>;

std::string DimsText(const matvar_t* v) {
  std::vector<size_t> dims(v->dims, v->dims + v->rank);
  return absl::StrJoin(dims, "x");
}

// Element i of a real numeric variable as double; NaN for non-numeric classes.
double NumericAt(const matvar_t* v, size_t i) {
  switch (v->class_type) {
    case MAT_C_DOUBLE: return static_cast<const double*>(v->data)[i];
    case MAT_C_SINGLE: return static_cast<const float*>(v->data)[i];
    case MAT_C_UINT8: return static_cast<const uint8_t*>(v->data)[i];
    case MAT_C_INT8: return static_cast<const int8_t*>(v->data)[i];
    case MAT_C_UINT16: return static_cast<const uint16_t*>(v->data)[i];
    case MAT_C_INT16: return static_cast<const int16_t*>(v->data)[i];
    case MAT_C_UINT32: return static_cast<const uint32_t*>(v->data)[i];
    case MAT_C_INT32: return static_cast<const int32_t*>(v->data)[i];
    case MAT_C_UINT64: return static_cast<double>(static_cast<const uint64_t*>(v->data)[i]);
    case MAT_C_INT64: return static_cast<double>(static_cast<const int64_t*>(v->data)[i]);
    default: return std::nan("");
  }
}

// MAT v5 data element types and array classes used below.
constexpr uint32_t kMiInt8 = 1, kMiUint8 = 2, kMiInt16 = 3, kMiUint16 = 4, kMiInt32 = 5,
                   kMiUint32 = 6, kMiSingle = 7, kMiDouble = 9, kMiInt64 = 12, kMiUint64 = 13,
                   kMiMatrix = 14, kMiCompressed = 15;

int StorageBytes(uint32_t type) {
  switch (type) {
    case kMiInt8: case kMiUint8: return 1;
    case kMiInt16: case kMiUint16: return 2;
    case kMiInt32: case kMiUint32: case kMiSingle: return 4;
    case kMiDouble: case kMiInt64: case kMiUint64: return 8;
    default: return 0;
  }
}

// Checks one miMATRIX element's contents (`m`, its first bytes; `total` its
// whole length, possibly more than `m` holds for a compressed variable):
// numeric class, sane dims, and a data sub-element that really holds
// prod(dims) elements. matio allocates from the dims before reading the
// data, so this is what keeps a small file from asking for gigabytes.
absl::Status CheckMatrix(const std::string& m, uint64_t total, const std::string& path) {
  auto bad = [&](const std::string& why) {
    return absl::DataLossError(absl::StrCat(path, ": ", why, " (not an SVHN MATLAB file)"));
  };
  auto u32 = [&](size_t at) {
    uint32_t v = 0;
    std::memcpy(&v, m.data() + at, 4);
    return v;
  };
  // Array flags: tag (8) + 8 bytes.
  if (m.size() < 16 || u32(0) != kMiUint32 || u32(4) != 8) return bad("malformed array flags");
  const uint32_t cls = u32(8) & 0xff;
  if (cls < 6 || cls > 15 || (u32(8) & 0x800) != 0) {
    return bad(absl::StrCat("a variable of MATLAB class ", cls, " (only real numeric arrays)"));
  }
  // Dimensions: miINT32, 2..8 of them, padded to 8 bytes.
  if (m.size() < 24 || u32(16) != kMiInt32) return bad("malformed dimensions");
  const uint32_t dims_bytes = u32(20);
  if (dims_bytes < 8 || dims_bytes > 32 || dims_bytes % 4 != 0 || m.size() < 24 + dims_bytes) {
    return bad("malformed dimensions");
  }
  uint64_t count = 1;
  for (uint32_t k = 0; k < dims_bytes / 4; ++k) {
    const int32_t d = static_cast<int32_t>(u32(24 + 4 * k));
    if (d < 0) return bad("a negative dimension");
    count *= static_cast<uint64_t>(d);
    if (count > (uint64_t{1} << 36)) return bad("implausibly large dimensions");
  }
  size_t at = 24 + ((dims_bytes + 7) / 8) * 8;
  // Name: small (4 bytes in the tag) or normal element.
  if (m.size() < at + 8) return bad("malformed variable name");
  if ((u32(at) >> 16) != 0) {
    at += 8;
  } else {
    const uint64_t n = u32(at + 4);
    if (n > 4096) return bad("malformed variable name");
    at += 8 + ((n + 7) / 8) * 8;
  }
  // Real part.
  if (m.size() < at + 8) return bad("missing data");
  uint32_t type = u32(at), nbytes = u32(at + 4);
  uint64_t header = 8;
  if ((type >> 16) != 0) {  // small data element
    nbytes = type >> 16;
    type &= 0xffff;
    header = 4;
  }
  const int size = StorageBytes(type);
  if (size == 0) return bad(absl::StrCat("data of element type ", type));
  if (nbytes != count * static_cast<uint64_t>(size) || at + header + nbytes > total) {
    return bad(absl::StrCat("a variable declaring ", count, " elements whose data holds ",
                            nbytes, " bytes of ", total - std::min<uint64_t>(total, at + header),
                            " available"));
  }
  return absl::OkStatus();
}

// Walks the top-level elements of a MAT v5 file and checks each variable
// (compressed ones are inflated in a streaming pass that keeps only their
// first 4 KiB and counts the rest).
absl::Status PrecheckMat5(const std::string& path) {
  ISOAE_ASSIGN_OR_RETURN(const std::string raw, ReadFileBytes(path, kSvhnProvider));
  // ReadFileBytes inflates a gzip-wrapped file; MAT files are not, so a
  // plain file is what matio will read.
  if (raw.size() < 128) {
    return absl::DataLossError(absl::StrCat(path, ": not a MATLAB v5 file (", raw.size(),
                                            " bytes, the header alone is 128)"));
  }
  // Only little-endian MAT v5 files are read (SVHN's are). Anything else
  // used to be left to matio, which then tries the file as MAT v4: a v4
  // header is 20 bytes of rows x columns that matio allocates before
  // reading (1.8 GB for a 662-byte file found by libFuzzer).
  // matio reads a file as v5 only when bytes 124-125 hold version 0x0100
  // (0x0200: v7.3, HDF5); anything else goes to the v4 reader, "IM" or not.
  if (raw[126] != 'I' || raw[127] != 'M' || raw[124] != 0x00 || raw[125] != 0x01) {
    if (raw[126] == 'I' && raw[127] == 'M' && raw[124] == 0x00 && raw[125] == 0x02) {
      return absl::DataLossError(absl::StrCat(
          path, ": a MATLAB v7.3 (HDF5) file; SVHN's .mat files are v5: save it with "
                "-v7 or download the original"));
    }
    return absl::DataLossError(absl::StrCat(
        path, ": not a little-endian MATLAB v5 file (bytes 124-127 are not version 0x0100 "
              "and \"IM\"); SVHN's .mat files are, and MATLAB v4 or big-endian files are not "
              "read"));
  }
  size_t at = 128;
  while (at + 8 <= raw.size()) {
    uint32_t type = 0, nbytes = 0;
    std::memcpy(&type, raw.data() + at, 4);
    std::memcpy(&nbytes, raw.data() + at + 4, 4);
    if (nbytes > raw.size() - at - 8) {
      return absl::DataLossError(absl::StrCat(path, ": truncated: an element at byte ", at,
                                              " declares ", nbytes, " bytes, the file holds ",
                                              raw.size() - at - 8));
    }
    const char* body = raw.data() + at + 8;
    if (type == kMiMatrix) {
      ISOAE_RETURN_IF_ERROR(
          CheckMatrix(std::string(body, std::min<uint32_t>(nbytes, 4096)), nbytes, path));
      at += 8 + ((static_cast<uint64_t>(nbytes) + 7) / 8) * 8;
    } else if (type == kMiCompressed) {
      z_stream zs;
      std::memset(&zs, 0, sizeof zs);
      if (inflateInit(&zs) != Z_OK) return absl::InternalError("zlib inflateInit failed");
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body));
      zs.avail_in = nbytes;
      std::string head;
      uint64_t inflated = 0;
      char buf[1 << 15];
      int rc = Z_OK;
      while (rc == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        const size_t got = sizeof buf - zs.avail_out;
        if (head.size() < 4096) head.append(buf, std::min<size_t>(got, 4096 - head.size()));
        inflated += got;
        if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
      }
      inflateEnd(&zs);
      if (rc != Z_STREAM_END) {
        return absl::DataLossError(
            absl::StrCat(path, ": corrupt compressed variable at byte ", at));
      }
      // The inflated element is itself a tagged miMATRIX element.
      uint32_t inner_type = 0, inner_bytes = 0;
      if (head.size() >= 8) {
        std::memcpy(&inner_type, head.data(), 4);
        std::memcpy(&inner_bytes, head.data() + 4, 4);
      }
      if (inner_type != kMiMatrix || inner_bytes > inflated - 8) {
        return absl::DataLossError(
            absl::StrCat(path, ": malformed compressed variable at byte ", at));
      }
      ISOAE_RETURN_IF_ERROR(CheckMatrix(head.substr(8), inner_bytes, path));
      at += 8 + static_cast<uint64_t>(nbytes);
    } else {
      return absl::DataLossError(absl::StrCat(path, ": unexpected element type ", type,
                                              " at byte ", at, " (not an SVHN MATLAB file)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Dataset> LoadSvhnMat(const std::string& path,
                                    const std::string& name) {
  InstallMatioLog();
  if (!IsRegularFile(path)) return MissingPathError(path, kSvhnProvider);
  last_matio_message.clear();
  ISOAE_RETURN_IF_ERROR(PrecheckMat5(path));
  MatFile mat(Mat_Open(path.c_str(), MAT_ACC_RDONLY));
  if (mat == nullptr) {
    return absl::DataLossError(absl::StrCat(
        path, ": not a readable MATLAB file", MatioDetail()));
  }
  MatVar x(Mat_VarRead(mat.get(), "X"));
  if (x == nullptr) {
    return absl::DataLossError(absl::StrCat(
        path, ": cannot read variable X", MatioDetail()));
  }
  MatVar y(Mat_VarRead(mat.get(), "y"));
  if (y == nullptr) {
    return absl::DataLossError(absl::StrCat(
        path, ": cannot read variable y", MatioDetail()));
  }
  if (x->class_type != MAT_C_UINT8 || x->isComplex || x->data == nullptr) {
    return absl::DataLossError(
        absl::StrCat(path, ": X must be a real uint8 array"));
  }
  const size_t n = x->rank == 4 ? x->dims[3] : x->rank == 3 ? 1 : 0;
  if ((x->rank != 4 && x->rank != 3) || x->dims[0] != 32 ||
      x->dims[1] != 32 || x->dims[2] != 3) {
    return absl::DataLossError(absl::StrCat(
        path, ": X has extents ", DimsText(x.get()), ", expected 32x32x3xN"));
  }
  size_t ny = 1;
  for (int r = 0; r < y->rank; ++r) ny *= y->dims[r];
  if (y->isComplex || y->data == nullptr || std::isnan(NumericAt(y.get(), 0))) {
    return absl::DataLossError(
        absl::StrCat(path, ": y must be a real numeric array"));
  }
  if (ny != n || (y->rank == 2 && y->dims[0] != n && y->dims[1] != n)) {
    return absl::DataLossError(absl::StrCat(
        "inconsistent counts in ", path, ": X holds ", n, " images, y has ",
        "extents ", DimsText(y.get())));
  }
  if (x->nbytes < n * 3072) {
    return absl::DataLossError(absl::StrCat(path, ": X holds ", x->nbytes,
                                            " bytes, fewer than ", n * 3072));
  }
  Dataset d;
  d.name = name;
  d.item_shape = {3, 32, 32};
  d.storage = Storage::kUint8;
  d.class_names = MnistClassNames();
  d.labels.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const double v = NumericAt(y.get(), i);
    if (!(v >= 1 && v <= 10) || v != std::floor(v)) {
      return absl::DataLossError(absl::StrCat(
          path, ": label y(", i + 1, ") = ", v, " is not an integer in 1..10"));
    }
    d.labels[i] = static_cast<int32_t>(v) % 10;
  }
  // X(r, c, ch, i) sits at r + 32 c + 1024 ch + 3072 i (column-major); the
  // item is stored as [ch][r][c].
  const uint8_t* src = static_cast<const uint8_t*>(x->data);
  d.pixels.resize(n * 3072);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* s = src + i * 3072;
    uint8_t* t = d.pixels.data() + i * 3072;
    for (int ch = 0; ch < 3; ++ch) {
      for (int r = 0; r < 32; ++r) {
        for (int c = 0; c < 32; ++c) {
          t[ch * 1024 + r * 32 + c] = s[r + 32 * c + 1024 * ch];
        }
      }
    }
  }
  return d;
}

absl::StatusOr<Dataset> LoadSvhn(const std::string& dir,
                                 const std::string& split) {
  if (split != "train" && split != "test" && split != "extra") {
    return absl::InvalidArgumentError(absl::StrCat(
        "SVHN split '", split, "': expected train, test or extra"));
  }
  if (!IsDirectory(dir)) return MissingPathError(dir, kSvhnProvider);
  return LoadSvhnMat(JoinPath(dir, absl::StrCat(split, "_32x32.mat")),
                     absl::StrCat("svhn/", split));
}

}  // namespace isoae
