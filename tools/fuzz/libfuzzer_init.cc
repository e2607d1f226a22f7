// Linked into the libFuzzer builds only (--config=fuzz): with
// ISOAE_FUZZ_WRITE_SEEDS=DIR set, the target writes its seeds there and exits
// (the starting corpus of tools/fuzz/run_libfuzzer.sh).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tools/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  const char* dir = std::getenv("ISOAE_FUZZ_WRITE_SEEDS");
  if (dir == nullptr || *dir == '\0') return 0;
  std::filesystem::create_directories(dir);
  const std::vector<std::string> seeds = IsoaeFuzzSeeds();
  for (size_t i = 0; i < seeds.size(); ++i) {
    std::ofstream(std::string(dir) + "/seed" + std::to_string(i), std::ios::binary) << seeds[i];
  }
  std::printf("wrote %zu seeds to %s\n", seeds.size(), dir);
  std::exit(0);
}
