#include "datasets/svhn.h"

#include <matio.h>

#include <cmath>
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

}  // namespace

absl::StatusOr<Dataset> LoadSvhnMat(const std::string& path,
                                    const std::string& name) {
  InstallMatioLog();
  if (!IsRegularFile(path)) return MissingPathError(path, kSvhnProvider);
  last_matio_message.clear();
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
