#include "datasets/celeba.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/status_macros.h"
#include "datasets/file_io.h"
#include "datasets/image_io.h"

namespace isoae {
namespace {

constexpr int kNumAttributes = 40;

std::vector<absl::string_view> Tokens(absl::string_view line) {
  return absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
}

std::vector<absl::string_view> Lines(const std::string& text) {
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  for (auto& l : lines) l = absl::StripTrailingAsciiWhitespace(l);
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

}  // namespace

absl::StatusOr<CelebaAttributes> ParseCelebaAttributes(
    const std::string& text, const std::string& path) {
  const std::vector<absl::string_view> lines = Lines(text);
  if (lines.size() < 2) {
    return absl::DataLossError(absl::StrCat(
        path, ": expected a count line and an attribute-name line"));
  }
  int64_t count = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(lines[0]), &count) ||
      count < 0) {
    return absl::DataLossError(absl::StrCat(
        path, " line 1: expected the image count, found '", lines[0], "'"));
  }
  CelebaAttributes a;
  for (absl::string_view t : Tokens(lines[1])) a.names.emplace_back(t);
  if (a.names.size() != kNumAttributes) {
    return absl::DataLossError(absl::StrCat(path, " line 2: expected ",
                                            kNumAttributes,
                                            " attribute names, found ",
                                            a.names.size()));
  }
  a.files.reserve(lines.size() - 2);
  a.values.reserve((lines.size() - 2) * kNumAttributes);
  for (size_t li = 2; li < lines.size(); ++li) {
    const std::vector<absl::string_view> t = Tokens(lines[li]);
    if (t.size() != kNumAttributes + 1) {
      return absl::DataLossError(absl::StrCat(
          path, " line ", li + 1, ": expected a file name and ",
          kNumAttributes, " values, found ", t.size(), " fields"));
    }
    for (int k = 1; k <= kNumAttributes; ++k) {
      if (t[k] == "1") {
        a.values.push_back(1);
      } else if (t[k] == "-1") {
        a.values.push_back(0);
      } else {
        return absl::DataLossError(absl::StrCat(
            path, " line ", li + 1, ": attribute ", a.names[k - 1], " is '",
            t[k], "' (expected 1 or -1)"));
      }
    }
    a.files.emplace_back(t[0]);
  }
  if (static_cast<int64_t>(a.files.size()) != count) {
    return absl::DataLossError(absl::StrCat(path, ": header says ", count,
                                            " images, the file lists ",
                                            a.files.size()));
  }
  return a;
}

absl::StatusOr<std::vector<std::pair<std::string, int>>> ParseCelebaPartition(
    const std::string& text, const std::string& path) {
  std::vector<std::pair<std::string, int>> out;
  const std::vector<absl::string_view> lines = Lines(text);
  for (size_t li = 0; li < lines.size(); ++li) {
    const std::vector<absl::string_view> t = Tokens(lines[li]);
    int p = -1;
    if (t.size() != 2 || !absl::SimpleAtoi(t[1], &p) || p < 0 || p > 2) {
      return absl::DataLossError(absl::StrCat(
          path, " line ", li + 1, ": expected '<file> <0|1|2>', found '",
          lines[li], "'"));
    }
    out.emplace_back(std::string(t[0]), p);
  }
  return out;
}

namespace {

absl::Status CheckCelebaOptions(const CelebaOptions& options) {
  if (options.partition < -1 || options.partition > 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CelebA partition ", options.partition,
        " (expected 0 train, 1 valid, 2 test or -1 all)"));
  }
  if (options.crop <= 0 || options.size <= 0 || options.size > options.crop ||
      options.max_items < 0 || options.threads < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CelebA options: crop ", options.crop, ", size ", options.size,
        ", max_items ", options.max_items, ", threads ", options.threads,
        " (need 0 < size <= crop, max_items >= 0, threads >= 0)"));
  }
  return absl::OkStatus();
}

struct CelebaLists {
  std::string attr_path, part_path, img_dir;
  CelebaAttributes attrs;
  std::vector<std::pair<std::string, int>> partition;
};

absl::StatusOr<CelebaLists> ReadCelebaLists(const std::string& dir) {
  if (!IsDirectory(dir)) return MissingPathError(dir, kCelebaProvider);
  CelebaLists l;
  const std::string attr_path = JoinPath(dir, "list_attr_celeba.txt");
  const std::string part_path = JoinPath(dir, "list_eval_partition.txt");
  const std::string img_dir = JoinPath(dir, "img_align_celeba");
  ISOAE_ASSIGN_OR_RETURN(const std::string attr_text,
                         ReadFileBytes(attr_path, kCelebaProvider));
  ISOAE_ASSIGN_OR_RETURN(l.attrs, ParseCelebaAttributes(attr_text, attr_path));
  ISOAE_ASSIGN_OR_RETURN(const std::string part_text,
                         ReadFileBytes(part_path, kCelebaProvider));
  ISOAE_ASSIGN_OR_RETURN(l.partition, ParseCelebaPartition(part_text, part_path));
  if (!IsDirectory(img_dir)) return MissingPathError(img_dir, kCelebaProvider);

  l.attr_path = attr_path;
  l.part_path = part_path;
  l.img_dir = img_dir;
  return l;
}

// The images of `options.partition` (all for -1), decoded.
absl::StatusOr<Dataset> DecodeCeleba(const CelebaLists& lists,
                                     const CelebaOptions& options) {
  const CelebaAttributes& attrs = lists.attrs;
  const auto& partition = lists.partition;
  const std::string& attr_path = lists.attr_path;
  const std::string& part_path = lists.part_path;
  const std::string& img_dir = lists.img_dir;
  std::unordered_map<std::string, int64_t> row;
  row.reserve(attrs.files.size());
  for (size_t i = 0; i < attrs.files.size(); ++i) row[attrs.files[i]] = i;
  std::vector<int64_t> rows;  // attribute rows of the selected images
  for (const auto& [file, p] : partition) {
    if (options.partition != -1 && p != options.partition) continue;
    const auto it = row.find(file);
    if (it == row.end()) {
      return absl::DataLossError(absl::StrCat(part_path, ": ", file,
                                              " has no line in ", attr_path));
    }
    rows.push_back(it->second);
    if (options.max_items > 0 &&
        static_cast<int64_t>(rows.size()) == options.max_items) {
      break;
    }
  }

  static const char* const kPartNames[] = {"train", "valid", "test"};
  Dataset d;
  d.name = absl::StrCat("celeba/", options.partition == -1
                                       ? "all"
                                       : kPartNames[options.partition]);
  d.item_shape = {3, options.size, options.size};
  d.storage = Storage::kUint8;
  d.attribute_names = attrs.names;
  const int64_t n = static_cast<int64_t>(rows.size());
  const int64_t per = d.item_size();
  d.pixels.resize(n * per);
  d.attributes.resize(n * kNumAttributes);
  for (int64_t i = 0; i < n; ++i) {
    std::copy_n(attrs.values.begin() + rows[i] * kNumAttributes, kNumAttributes,
                d.attributes.begin() + i * kNumAttributes);
  }

  // Parallel decode; the first error (lowest index seen) wins.
  std::atomic<int64_t> next{0};
  std::mutex mu;
  absl::Status first_error;
  int64_t error_index = n;
  const auto worker = [&] {
    while (true) {
      const int64_t i = next.fetch_add(1);
      if (i >= n) return;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (i > error_index) return;
      }
      const std::string path = JoinPath(img_dir, attrs.files[rows[i]]);
      absl::StatusOr<Image> img = ReadImage(path, 3, kCelebaProvider);
      absl::Status st = img.status();
      if (st.ok() && (img->height < options.crop || img->width < options.crop)) {
        st = absl::DataLossError(absl::StrCat(
            path, ": wrong image size ", img->width, "x", img->height,
            ", smaller than the ", options.crop, "x", options.crop, " crop"));
      }
      absl::StatusOr<Image> small =
          st.ok() ? CenterCropResize(*img, options.crop, options.size)
                  : absl::StatusOr<Image>(st);
      if (!small.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (i < error_index) {
          error_index = i;
          first_error = small.status();
        }
        continue;
      }
      HwcToChw(*small, d.pixels.data() + i * per);
    }
  };
  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (int t = 0; t < std::min<int64_t>(threads, std::max<int64_t>(n, 1)); ++t) {
    pool.emplace_back(worker);
  }
  for (auto& t : pool) t.join();
  if (!first_error.ok()) return first_error;
  return d;
}

}  // namespace

absl::StatusOr<Dataset> LoadCeleba(const std::string& dir,
                                   const CelebaOptions& options) {
  ISOAE_RETURN_IF_ERROR(CheckCelebaOptions(options));
  ISOAE_ASSIGN_OR_RETURN(const CelebaLists lists, ReadCelebaLists(dir));
  return DecodeCeleba(lists, options);
}

absl::StatusOr<DatasetSplits> LoadCelebaSplits(const std::string& dir,
                                               const CelebaOptions& options) {
  CelebaOptions o = options;
  o.partition = 0;
  ISOAE_RETURN_IF_ERROR(CheckCelebaOptions(o));
  ISOAE_ASSIGN_OR_RETURN(const CelebaLists lists, ReadCelebaLists(dir));
  DatasetSplits s;
  ISOAE_ASSIGN_OR_RETURN(s.train, DecodeCeleba(lists, o));
  o.partition = 1;
  ISOAE_ASSIGN_OR_RETURN(s.valid, DecodeCeleba(lists, o));
  o.partition = 2;
  ISOAE_ASSIGN_OR_RETURN(s.test, DecodeCeleba(lists, o));
  return s;
}

}  // namespace isoae
