#include "datasets/file_io.h"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace isoae {

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsRegularFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return absl::StrCat(dir, "/", name);
}

std::string DataRoot() {
  const char* data = std::getenv("ISOAE_DATA_DIR");
  if (data != nullptr && *data != '\0') return data;
  const char* home = std::getenv("HOME");
  return JoinPath(home != nullptr ? home : ".", ".cache/isoae/data");
}

absl::Status MissingPathError(const std::string& path,
                              const std::string& provider) {
  return absl::NotFoundError(
      absl::StrCat(path, " not found (", provider, ")"));
}

absl::StatusOr<std::string> FindFirstExisting(
    const std::string& dir, const std::vector<std::string>& names,
    const std::string& provider) {
  for (const std::string& n : names) {
    const std::string p = JoinPath(dir, n);
    if (IsRegularFile(p)) return p;
  }
  if (!IsDirectory(dir)) return MissingPathError(dir, provider);
  return absl::NotFoundError(absl::StrCat("none of ", absl::StrJoin(names, ", "),
                                          " found in ", dir, " (", provider,
                                          ")"));
}

absl::StatusOr<std::string> GunzipBytes(const std::string& compressed,
                                        const std::string& path) {
  std::string out;
  // The gzip trailer holds the uncompressed size mod 2^32: a good first
  // guess, but it is the file's word: never more than deflate's largest
  // ratio (1032:1) allows (a 24-byte file declaring 2 GiB was reserved as such).
  if (compressed.size() >= 18) {
    uint32_t isize = 0;
    std::memcpy(&isize, compressed.data() + compressed.size() - 4, 4);
    out.reserve(std::min<uint64_t>(isize, uint64_t{1032} * compressed.size()));
  }
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    return absl::InternalError("zlib inflateInit2 failed");
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  char buf[1 << 16];
  int rc = Z_OK;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (rc == Z_STREAM_END) {
      // Concatenated members: keep going while input remains.
      if (zs.avail_in == 0) break;
      if (inflateReset(&zs) != Z_OK) break;
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      const uint64_t at = zs.total_in;
      inflateEnd(&zs);
      return absl::DataLossError(absl::StrCat(
          path, ": truncated gzip stream (input ends at compressed byte ", at,
          " before the end of the stream)"));
    }
    if (rc != Z_OK) {
      const std::string msg = zs.msg != nullptr ? zs.msg : zError(rc);
      const uint64_t at = compressed.size() - zs.avail_in;
      inflateEnd(&zs);
      return absl::DataLossError(absl::StrCat(path, ": corrupt gzip stream (",
                                              msg, ") near compressed byte ",
                                              at));
    }
  }
  inflateEnd(&zs);
  return out;
}

absl::StatusOr<std::string> ReadFileBytes(const std::string& path,
                                          const std::string& provider) {
  if (IsDirectory(path)) {
    return absl::DataLossError(
        absl::StrCat(path, " is a directory, expected a file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!IsRegularFile(path)) return MissingPathError(path, provider);
    return absl::DataLossError(
        absl::StrCat(path, ": cannot open (", std::strerror(errno), ")"));
  }
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  std::string bytes(static_cast<size_t>(size), '\0');
  if (size > 0 && !in.read(bytes.data(), size)) {
    return absl::DataLossError(absl::StrCat(path, ": read failed after ",
                                            in.gcount(), " of ", size,
                                            " bytes"));
  }
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
      static_cast<unsigned char>(bytes[1]) == 0x8b) {
    return GunzipBytes(bytes, path);
  }
  return bytes;
}

}  // namespace isoae
