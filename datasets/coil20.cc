#include "datasets/coil20.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "datasets/file_io.h"
#include "datasets/image_io.h"
#include "glog/logging.h"

namespace isoae {

absl::StatusOr<Dataset> LoadCoil20(const std::string& dir, int size,
                                   std::vector<int>* poses) {
  if (size <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("COIL-20 image size must be positive, got ", size));
  }
  if (!IsDirectory(dir)) return MissingPathError(dir, kCoil20Provider);
  std::string root = dir;
  if (IsDirectory(JoinPath(dir, "coil-20-proc"))) {
    root = JoinPath(dir, "coil-20-proc");
  }
  static const std::regex kName(R"(obj([0-9]+)__([0-9]+)\.png)");
  std::map<std::pair<int, int>, std::string> files;  // (object, pose) -> path
  int64_t ignored = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
    const std::string fname = entry.path().filename().string();
    std::smatch m;
    int obj = 0, pose = 0;
    if (!entry.is_regular_file() || !std::regex_match(fname, m, kName) ||
        !absl::SimpleAtoi(m[1].str(), &obj) ||
        !absl::SimpleAtoi(m[2].str(), &pose) || obj < 1 || obj > 20 ||
        pose < 0 || pose > 71) {
      ++ignored;
      continue;
    }
    if (!files.emplace(std::make_pair(obj, pose), entry.path().string()).second) {
      return absl::DataLossError(absl::StrCat(
          root, ": object ", obj, " pose ", pose, " appears twice (",
          files[{obj, pose}], " and ", entry.path().string(), ")"));
    }
  }
  if (ec) {
    return absl::DataLossError(
        absl::StrCat(root, ": cannot list directory (", ec.message(), ")"));
  }
  if (files.empty()) {
    return absl::NotFoundError(absl::StrCat("no obj<k>__<i>.png images in ",
                                            root, " (", kCoil20Provider, ")"));
  }
  if (ignored > 0) {
    LOG(INFO) << "COIL-20: ignored " << ignored << " entries of " << root
              << " not named obj<1..20>__<0..71>.png";
  }
  if (files.size() != 20 * 72) {
    LOG(WARNING) << "COIL-20: " << files.size() << " images in " << root
                 << " (the full set has 1440)";
  }
  Dataset d;
  d.name = "coil20/all";
  d.item_shape = {1, size, size};
  d.storage = Storage::kUint8;
  for (int k = 1; k <= 20; ++k) d.class_names.push_back(absl::StrCat("obj", k));
  d.pixels.resize(files.size() * size * size);
  if (poses != nullptr) poses->clear();
  int64_t i = 0;
  for (const auto& [key, path] : files) {
    ISOAE_ASSIGN_OR_RETURN(Image img, ReadImage(path, 1, kCoil20Provider));
    if (img.height != size || img.width != size) {
      return absl::DataLossError(absl::StrCat(
          path, ": wrong image size ", img.width, "x", img.height,
          " (expected ", size, "x", size, ")"));
    }
    std::copy(img.pixels.begin(), img.pixels.end(),
              d.pixels.begin() + i * size * size);
    d.labels.push_back(key.first - 1);
    if (poses != nullptr) poses->push_back(key.second);
    ++i;
  }
  return d;
}

}  // namespace isoae
