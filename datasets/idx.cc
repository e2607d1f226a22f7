#include "datasets/idx.h"

#include <zlib.h>

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/status_macros.h"
#include "datasets/file_io.h"

namespace isoae {
namespace {

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using GzHandle = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

std::string GzErrorText(gzFile f) {
  int code = 0;
  const char* msg = gzerror(f, &code);
  return msg != nullptr && *msg != '\0' ? msg : "read error";
}

// Reads up to `n` bytes; returns how many were read, or -1 on a zlib error.
int64_t GzReadFully(gzFile f, uint8_t* out, int64_t n) {
  int64_t done = 0;
  while (done < n) {
    const unsigned chunk =
        static_cast<unsigned>(std::min<int64_t>(n - done, 1 << 26));
    const int got = gzread(f, out + done, chunk);
    if (got < 0) return -1;
    if (got == 0) break;
    done += got;
  }
  return done;
}

}  // namespace

std::vector<std::string> MnistClassNames() {
  return {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
}

std::vector<std::string> FashionMnistClassNames() {
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
}

absl::StatusOr<IdxArray> ReadIdx(const std::string& path,
                                 const std::string& provider) {
  if (!IsRegularFile(path)) {
    if (IsDirectory(path)) {
      return absl::DataLossError(
          absl::StrCat(path, " is a directory, expected an IDX file"));
    }
    return MissingPathError(path, provider);
  }
  GzHandle f(gzopen(path.c_str(), "rb"));
  if (f == nullptr) {
    return absl::DataLossError(absl::StrCat(path, ": cannot open"));
  }
  gzbuffer(f.get(), 1 << 17);
  uint8_t head[4];
  const int64_t got_head = GzReadFully(f.get(), head, 4);
  if (got_head < 0) {
    return absl::DataLossError(
        absl::StrCat(path, ": ", GzErrorText(f.get()), " in the IDX header"));
  }
  if (got_head < 4) {
    return absl::DataLossError(absl::StrCat(
        path, ": truncated IDX header (", got_head, " of 4 magic bytes)"));
  }
  if (head[0] != 0 || head[1] != 0) {
    return absl::DataLossError(absl::StrCat(
        path, ": wrong IDX magic (first bytes ", static_cast<int>(head[0]),
        " ", static_cast<int>(head[1]), ", expected 0 0)"));
  }
  if (head[2] != 0x08) {
    return absl::DataLossError(absl::StrCat(
        path, ": IDX element type 0x", absl::Hex(head[2], absl::kZeroPad2),
        " is not supported (only 0x08, unsigned byte)"));
  }
  const int ndims = head[3];
  if (ndims < 1 || ndims > 4) {
    return absl::DataLossError(absl::StrCat(
        path, ": IDX header declares ", ndims, " dimensions (expected 1..4)"));
  }
  std::vector<uint8_t> dimbytes(4 * ndims);
  if (GzReadFully(f.get(), dimbytes.data(), 4 * ndims) != 4 * ndims) {
    return absl::DataLossError(
        absl::StrCat(path, ": truncated IDX header (dimension sizes)"));
  }
  IdxArray a;
  int64_t total = 1;
  for (int i = 0; i < ndims; ++i) {
    const uint8_t* b = &dimbytes[4 * i];
    const int64_t d = (int64_t{b[0]} << 24) | (int64_t{b[1]} << 16) |
                      (int64_t{b[2]} << 8) | int64_t{b[3]};
    a.dims.push_back(d);
    // Checked before multiplying: two 32-bit sizes overflow int64.
    constexpr int64_t kLimit = int64_t{1} << 36;
    if (d > 0 && total > kLimit / d) {
      total = kLimit + 1;
    } else {
      total *= d;
    }
    if (total > kLimit) {
      return absl::DataLossError(absl::StrCat(
          path, ": IDX dimensions ", absl::StrJoin(a.dims, "x"),
          " are implausibly large"));
    }
  }
  // Grow the buffer as the data arrives (doubling from 64 KiB), so that a
  // header declaring more than the file holds costs at most twice what is
  // really there.
  int64_t got = 0;
  while (got < total) {
    const int64_t want = std::min(std::max<int64_t>(got, 1 << 16), total - got);
    a.data.resize(got + want);
    const int64_t n = GzReadFully(f.get(), a.data.data() + got, want);
    if (n < 0) {
      got = -1;
      break;
    }
    got += n;
    if (n < want) break;
  }
  if (got < 0) {
    return absl::DataLossError(absl::StrCat(path, ": ", GzErrorText(f.get()),
                                            " after ", 4 + 4 * ndims,
                                            " header bytes"));
  }
  if (got < total) {
    return absl::DataLossError(absl::StrCat(
        path, ": truncated: the header declares ", absl::StrJoin(a.dims, "x"),
        " = ", total, " elements, the file holds ", got));
  }
  uint8_t extra;
  const int64_t more = GzReadFully(f.get(), &extra, 1);
  if (more != 0) {
    return absl::DataLossError(absl::StrCat(
        path, more < 0 ? ": " + GzErrorText(f.get()) + " after the data"
                       : ": trailing bytes after the declared " +
                             absl::StrJoin(a.dims, "x") + " elements"));
  }
  return a;
}

absl::StatusOr<Dataset> LoadIdxImagesAndLabels(
    const std::string& images_path, const std::string& labels_path,
    const std::string& name, const std::vector<std::string>& class_names,
    const std::string& provider) {
  ISOAE_ASSIGN_OR_RETURN(IdxArray images, ReadIdx(images_path, provider));
  ISOAE_ASSIGN_OR_RETURN(IdxArray labels, ReadIdx(labels_path, provider));
  if (images.dims.size() != 3) {
    return absl::DataLossError(absl::StrCat(
        images_path, ": expected 3 dimensions (N, H, W), found ",
        absl::StrJoin(images.dims, "x")));
  }
  if (labels.dims.size() != 1) {
    return absl::DataLossError(
        absl::StrCat(labels_path, ": expected 1 dimension (N), found ",
                     absl::StrJoin(labels.dims, "x")));
  }
  if (images.dims[0] != labels.dims[0]) {
    return absl::DataLossError(absl::StrCat(
        "inconsistent counts: ", images_path, " holds ", images.dims[0],
        " images, ", labels_path, " holds ", labels.dims[0], " labels"));
  }
  Dataset d;
  d.name = name;
  d.item_shape = {1, images.dims[1], images.dims[2]};
  d.storage = Storage::kUint8;
  d.pixels = std::move(images.data);
  d.class_names = class_names;
  d.labels.resize(labels.data.size());
  for (size_t i = 0; i < labels.data.size(); ++i) {
    if (labels.data[i] >= class_names.size()) {
      return absl::DataLossError(absl::StrCat(
          labels_path, ": label ", static_cast<int>(labels.data[i]),
          " of item ", i, " is outside the ", class_names.size(),
          " classes"));
    }
    d.labels[i] = labels.data[i];
  }
  return d;
}

absl::StatusOr<Dataset> LoadMnistStyleDir(
    const std::string& dir, bool test, const std::string& name,
    const std::vector<std::string>& class_names, const std::string& provider) {
  if (!IsDirectory(dir)) return MissingPathError(dir, provider);
  const std::string prefix = test ? "t10k" : "train";
  const auto candidates = [&](const std::string& what, const std::string& ext) {
    const std::string a = absl::StrCat(prefix, "-", what, "-", ext);
    const std::string b = absl::StrCat(prefix, "-", what, ".", ext);
    return std::vector<std::string>{a + ".gz", a, b, b + ".gz"};
  };
  ISOAE_ASSIGN_OR_RETURN(
      const std::string images,
      FindFirstExisting(dir, candidates("images", "idx3-ubyte"), provider));
  ISOAE_ASSIGN_OR_RETURN(
      const std::string labels,
      FindFirstExisting(dir, candidates("labels", "idx1-ubyte"), provider));
  return LoadIdxImagesAndLabels(images, labels, name, class_names, provider);
}

}  // namespace isoae
