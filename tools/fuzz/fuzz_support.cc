#include "tools/fuzz/fuzz_support.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace isoae {
namespace fuzz {
namespace {

std::string ScratchRoot() {
  const char* t = std::getenv("TEST_TMPDIR");
  return std::string(t != nullptr && *t != '\0' ? t : "/tmp") + "/isoae_fuzz_" +
         std::to_string(::getpid());
}

void WriteAll(const std::string& path, const std::string& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("fuzz: cannot write " + path);
  const size_t n = std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  if (n != bytes.size()) throw std::runtime_error("fuzz: short write to " + path);
}

}  // namespace

std::string ScratchFile(const std::string& tag, const std::string& bytes) {
  const std::string dir = ScratchRoot();
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/" + tag;
  WriteAll(path, bytes);
  return path;
}

}  // namespace fuzz
}  // namespace isoae
