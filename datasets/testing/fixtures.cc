#include "datasets/testing/fixtures.h"

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <utility>

#include "absl/strings/str_cat.h"

namespace isoae::testing {

std::string FreshDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  const char* root = std::getenv("TEST_TMPDIR");
  const std::string dir =
      absl::StrCat(root != nullptr ? root : "/tmp", "/", tag, "_", ::getpid(),
                   "_", counter.fetch_add(1));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void MakeDirs(const std::string& dir) {
  std::filesystem::create_directories(dir);
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(
      std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string Gzip(const std::string& bytes) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2");
  }
  std::string out(deflateBound(&zs, bytes.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  zs.avail_in = static_cast<uInt>(bytes.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
    throw std::runtime_error("deflate");
  }
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string IdxBytes(const std::vector<uint32_t>& dims,
                     const std::vector<uint8_t>& data, uint8_t type) {
  std::string s;
  s.push_back(0);
  s.push_back(0);
  s.push_back(static_cast<char>(type));
  s.push_back(static_cast<char>(dims.size()));
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      s.push_back(static_cast<char>((d >> shift) & 0xff));
    }
  }
  s.append(reinterpret_cast<const char*>(data.data()), data.size());
  return s;
}

std::string WriteMnistStyleDir(
    const std::string& tag, int train, int test, int height, int width,
    const std::function<uint8_t(int item, int y, int x)>& pixel) {
  const std::string dir = FreshDir(tag);
  for (const auto& [prefix, n] : {std::pair<std::string, int>{"train", train},
                                  std::pair<std::string, int>{"t10k", test}}) {
    std::vector<uint8_t> px, lab;
    for (int i = 0; i < n; ++i) {
      for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) px.push_back(pixel(i, y, x));
      lab.push_back(static_cast<uint8_t>(i % 10));
    }
    const uint32_t count = static_cast<uint32_t>(n);
    WriteBytes(dir + "/" + prefix + "-images-idx3-ubyte",
               IdxBytes({count, static_cast<uint32_t>(height), static_cast<uint32_t>(width)}, px));
    WriteBytes(dir + "/" + prefix + "-labels-idx1-ubyte", IdxBytes({count}, lab));
  }
  return dir;
}

const std::vector<std::pair<std::string, std::string>>& CmuBones() {
  static const auto* bones = new std::vector<std::pair<std::string, std::string>>{
      {"lhipjoint", ""},        {"lfemur", "rx ry rz"},   {"ltibia", "rx"},
      {"lfoot", "rx rz"},       {"ltoes", "rx"},          {"rhipjoint", ""},
      {"rfemur", "rx ry rz"},   {"rtibia", "rx"},         {"rfoot", "rx rz"},
      {"rtoes", "rx"},          {"lowerback", "rx ry rz"}, {"upperback", "rx ry rz"},
      {"thorax", "rx ry rz"},   {"lowerneck", "rx ry rz"}, {"upperneck", "rx ry rz"},
      {"head", "rx ry rz"},     {"lclavicle", "ry rz"},   {"lhumerus", "rx ry rz"},
      {"lradius", "rx"},        {"lwrist", "ry"},         {"lhand", "rx rz"},
      {"lfingers", "rx"},       {"lthumb", "rx rz"},      {"rclavicle", "ry rz"},
      {"rhumerus", "rx ry rz"}, {"rradius", "rx"},        {"rwrist", "ry"},
      {"rhand", "rx rz"},       {"rfingers", "rx"},       {"rthumb", "rx rz"}};
  return *bones;
}

std::string CmuAsf(const std::string& unit) {
  std::string s = absl::StrCat(
      "# AST/ASF file\n:version 1.10\n:name VICON\n:units\n  mass 1.0\n"
      "  length 0.45\n  angle ", unit, "\n:documentation\n  test skeleton\n"
      ":root\n   order TX TY TZ RX RY RZ\n   axis XYZ\n   position 0 0 0\n"
      "   orientation 0 0 0\n:bonedata\n");
  int id = 1;
  for (const auto& [name, dofs] : CmuBones()) {
    s += absl::StrCat("  begin\n     id ", id++, "\n     name ", name,
                      "\n     direction 0 1 0\n     length 2.0\n     axis 0 0 0  XYZ\n");
    if (!dofs.empty()) {
      s += absl::StrCat("    dof ", dofs, "\n    limits (-180.0 180.0)\n");
    }
    s += "  end\n";
  }
  return s + ":hierarchy\n  begin\n    root lhipjoint rhipjoint lowerback\n  end\n";
}

std::string CmuAmc(int frames, const std::function<double(int f, int b, int k)>& value) {
  std::string s = "#!OML:ASF 02.asf\n:FULLY-SPECIFIED\n:DEGREES\n";
  for (int f = 1; f <= frames; ++f) {
    s += absl::StrCat(f, "\n");
    s += absl::StrCat("root 1.5 2.5 3.5 ", f, " ", f, " ", f, "\n");
    int b = 0;
    for (const auto& [name, dofs] : CmuBones()) {
      if (dofs.empty()) continue;
      ++b;
      s += name;
      const int n = static_cast<int>(std::count(dofs.begin(), dofs.end(), ' ')) + 1;
      for (int k = 0; k < n; ++k) s += absl::StrCat(" ", value(f, b, k));
      s += "\n";
    }
  }
  return s;
}

std::string WriteCmuMocapDir(const std::string& tag, int frames) {
  const std::string dir = FreshDir(tag);
  WriteBytes(dir + "/02.asf", CmuAsf());
  std::string list;
  const char* classes[] = {"walking", "jogging", "balancing", "punching"};
  for (int c = 0; c < 4; ++c) {
    const std::string amc = absl::StrCat("02_0", c + 1, ".amc");
    WriteBytes(dir + "/" + amc, CmuAmc(frames, [c](int f, int b, int k) {
                 return 60.0 * std::sin(0.05 * (c + 1) * f + 0.7 * b + 0.3 * k + c);
               }));
    list += absl::StrCat(classes[c], " ", amc, "\n");
  }
  WriteBytes(dir + "/trials.txt", list);
  return dir;
}

}  // namespace isoae::testing
