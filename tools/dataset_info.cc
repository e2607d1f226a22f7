// Prints what a dataset copy holds, split by split (counts, class histogram,
// value range, memory), and writes a PNG grid of training samples, so a user
// can check their copy before a long run.
//
//   bazel run //tools:dataset_info -- --dataset=fashion_mnist
//   bazel run //tools:dataset_info -- --dataset=cifar10 --data_dir=~/cifar --grid=cifar.png
//
// Exit codes: 0 ok, 1 the data could not be loaded (the message names the
// file and the problem), 2 bad flags.
#include <cstdint>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/device.h"
#include "core/main_init.h"
#include "datasets/dataset.h"
#include "datasets/dataset_flags.h"
#include "datasets/image_io.h"
#include "datasets/registry.h"
#include "gflags/gflags.h"

DEFINE_string(grid, "", "PNG of training samples (default: <dataset>_samples.png; "
                        "'none' to skip)");
DEFINE_int32(grid_items, 64, "samples in the grid");
DEFINE_int32(grid_columns, 16, "grid columns");
DEFINE_int32(grid_zoom, 2, "pixel zoom of the grid");

namespace {

void PrintSplit(const isoae::Dataset& d) {
  const isoae::ValueRange r = isoae::ComputeValueRange(d);
  const double bytes =
      static_cast<double>(d.size()) * d.item_size() *
      (d.storage == isoae::Storage::kUint8 ? 1 : 4);
  std::cout << absl::StrFormat(
      "%-22s %7d items  shape %-10s %-7s values [%g, %g] mean %.4g  %.1f MB\n",
      d.name, d.size(), absl::StrJoin(d.item_shape, "x"),
      d.storage == isoae::Storage::kUint8 ? "uint8" : "float32", r.min, r.max,
      r.mean, bytes / 1e6);
  const std::vector<int64_t> h = isoae::ClassHistogram(d);
  if (!h.empty()) {
    std::cout << "    classes:";
    for (size_t c = 0; c < h.size(); ++c) {
      std::cout << " " << d.class_names[c] << "=" << h[c];
    }
    std::cout << "\n";
  }
  if (d.num_attributes() > 0 && d.size() > 0) {
    std::cout << "    attributes (fraction positive):";
    for (int64_t a = 0; a < d.num_attributes(); ++a) {
      int64_t pos = 0;
      for (int64_t i = 0; i < d.size(); ++i) pos += d.attributes[i * d.num_attributes() + a];
      std::cout << absl::StrFormat(" %s=%.3f", d.attribute_names[a],
                                   static_cast<double>(pos) / d.size());
    }
    std::cout << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  isoae::InitMain("Summarises a dataset copy and writes a sample grid", &argc,
                  &argv);
  if (FLAGS_grid_items <= 0 || FLAGS_grid_columns <= 0 || FLAGS_grid_zoom <= 0) {
    std::cerr << "error: --grid_items, --grid_columns and --grid_zoom must be "
                 "positive\n";
    return 2;
  }
  absl::StatusOr<isoae::DatasetRequest> request = isoae::DatasetRequestFromFlags();
  if (!request.ok()) {
    std::cerr << "error: " << request.status().message() << "\n";
    return 2;
  }
  const std::string dir = request->data_dir.empty()
                              ? isoae::DefaultDataDir(request->name)
                              : request->data_dir;
  std::cout << "dataset " << request->name << " from " << dir << "\n";
  absl::StatusOr<isoae::DatasetSplits> splits = isoae::LoadDatasetSplits(*request);
  if (!splits.ok()) {
    std::cerr << "error: " << splits.status() << "\n";
    return splits.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  for (const isoae::Dataset* d : {&splits->train, &splits->valid, &splits->test}) {
    PrintSplit(*d);
  }
  if (FLAGS_grid != "none" && splits->train.size() > 0) {
    const std::string path = isoae::ResolveUserPath(
        FLAGS_grid.empty() ? request->name + "_samples.png" : FLAGS_grid);
    std::vector<int64_t> items;
    const int64_t n = std::min<int64_t>(FLAGS_grid_items, splits->train.size());
    // Evenly spaced through the (shuffled) training split.
    for (int64_t k = 0; k < n; ++k) items.push_back(k * splits->train.size() / n);
    const absl::Status s = isoae::WriteItemGridPng(path, splits->train, items,
                                                   FLAGS_grid_columns, FLAGS_grid_zoom);
    if (!s.ok()) {
      std::cerr << "error: " << s << "\n";
      return 1;
    }
    std::cout << "wrote " << path << " (" << n << " training samples)\n";
  }
  return 0;
}
