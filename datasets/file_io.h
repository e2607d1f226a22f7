// Whole-file reads for the loaders, with gzip handled transparently, and the
// shared wording of their errors.
//
//   ReadFileBytes(path, provider)   the file's bytes; a file that starts with
//                                   the gzip magic (1f 8b) is inflated (multi-
//                                   member streams included).
//
// Errors: kNotFound "<path> not found (<provider>)", where `provider` says
// what supplies the file ("Debian package dataset-fashion-mnist", "the CIFAR-10
// binary version from https://www.cs.toronto.edu/~kriz/cifar.html", ...);
// kDataLoss naming the path for unreadable files and truncated or corrupt gzip
// streams (with the compressed byte offset).
#ifndef ISOAE_DATASETS_FILE_IO_H_
#define ISOAE_DATASETS_FILE_IO_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace isoae {

absl::StatusOr<std::string> ReadFileBytes(const std::string& path,
                                          const std::string& provider);

// Inflates a gzip stream held in memory; `path` only names it in errors.
absl::StatusOr<std::string> GunzipBytes(const std::string& compressed,
                                        const std::string& path);

// kNotFound for a missing file or directory, in the loaders' wording.
absl::Status MissingPathError(const std::string& path,
                              const std::string& provider);

// The first of `dir`/name for name in `names` that exists; kNotFound listing
// all candidates otherwise.
absl::StatusOr<std::string> FindFirstExisting(
    const std::string& dir, const std::vector<std::string>& names,
    const std::string& provider);

// Whether `path` is an existing directory / regular file.
bool IsDirectory(const std::string& path);
bool IsRegularFile(const std::string& path);

// The user's data cache: $ISOAE_DATA_DIR, else $HOME/.cache/isoae/data.
std::string DataRoot();

// `dir`/`name` without doubling the slash.
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace isoae

#endif  // ISOAE_DATASETS_FILE_IO_H_
