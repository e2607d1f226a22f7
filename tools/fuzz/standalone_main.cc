// The main of a fuzz target when it is not linked with libFuzzer: runs every
// seed, then --mutations deterministic mutations of them (bit flips,
// interesting byte values, inserted/deleted/duplicated runs, truncations,
// splices of two seeds, overwritten 32-bit fields), each through
// LLVMFuzzerTestOneInput. A crash or sanitizer report fails the test.
//
//   <target> [--mutations=N] [--seed=S] [--as_limit_mb=MB] [--write_seeds=DIR] [FILE...]
//
// --as_limit_mb (default 3072, 0: none) caps the address space, so that an
// input making a parser ask for gigabytes fails as under libFuzzer.
//
// FILEs (e.g. crashers found by libFuzzer) are run first, as regression inputs.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "tools/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// The input being run, for the crash handler.
const std::string* g_current = nullptr;
char g_crash_path[4096] = "crash-input";

// On a crash: the input goes to g_crash_path (in the test's undeclared
// outputs under Bazel), then the signal takes its default course.
void OnCrash(int sig) {
  if (g_current != nullptr) {
    const int fd = ::open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      const ssize_t ignored = ::write(fd, g_current->data(), g_current->size());
      (void)ignored;
      ::close(fd);
    }
    static const char kMsg[] = "fuzz: crashing input written to ";
    ssize_t ignored = ::write(2, kMsg, sizeof kMsg - 1);
    ignored = ::write(2, g_crash_path, std::strlen(g_crash_path));
    ignored = ::write(2, "\n", 1);
    (void)ignored;
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void InstallCrashHandler() {
  if (const char* out = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR")) {
    std::snprintf(g_crash_path, sizeof g_crash_path, "%s/crash-input", out);
  }
  for (int sig : {SIGSEGV, SIGILL, SIGABRT, SIGFPE, SIGBUS, SIGTRAP}) std::signal(sig, OnCrash);
}

void Run(const std::string& input) {
  g_current = &input;
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  g_current = nullptr;
}

std::string Mutate(const std::vector<std::string>& seeds, std::mt19937_64& rng) {
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  std::string s = seeds[pick(seeds.size())];
  const int edits = 1 + static_cast<int>(pick(4));
  static const uint8_t kInteresting[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, '"', ',',
                                         '[',  ']',  '-',  '.',  '9',  ':', '\n', ' '};
  for (int e = 0; e < edits; ++e) {
    const size_t at = pick(s.size() + 1);
    switch (pick(8)) {
      case 0:  // flip a bit
        if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << pick(8));
        break;
      case 1:  // an interesting byte
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(kInteresting[pick(sizeof kInteresting)]);
        break;
      case 2:  // insert random bytes
        s.insert(at, std::string(1 + pick(8), static_cast<char>(rng())));
        break;
      case 3:  // delete a run
        if (at < s.size()) s.erase(at, 1 + pick(std::min<size_t>(64, s.size() - at)));
        break;
      case 4:  // truncate
        s.resize(pick(s.size() + 1));
        break;
      case 5: {  // splice with another seed
        const std::string& o = seeds[pick(seeds.size())];
        const size_t from = pick(o.size() + 1);
        s = s.substr(0, at) + o.substr(from);
        break;
      }
      case 6:  // duplicate a run
        if (at < s.size()) s.insert(at, s.substr(at, 1 + pick(std::min<size_t>(256, s.size() - at))));
        break;
      default: {  // overwrite a 32-bit field with an extreme value (sizes, counts)
        static const uint32_t kValues[] = {0u, 1u, 0x7fffffffu, 0x80000000u, 0xffffffffu, 65535u};
        if (s.size() >= 4) {
          const uint32_t v = kValues[pick(std::size(kValues))];
          std::memcpy(&s[pick(s.size() - 3)], &v, 4);
        }
      }
    }
  }
  return s;
}

}  // namespace

// An address-space limit, so that an input which makes a parser ask for
// gigabytes fails here as it does under libFuzzer's malloc limit (skipped
// under AddressSanitizer, which reserves terabytes of shadow memory).
void LimitAddressSpace(rlim_t mb) {
#if defined(__SANITIZE_ADDRESS__)
  return;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return;
#endif
#endif
  if (mb == 0) return;
  rlimit limit{mb << 20, mb << 20};
  setrlimit(RLIMIT_AS, &limit);
}

int main(int argc, char** argv) {
  long mutations = 20000;
  uint64_t seed = 1;
  std::string write_seeds;
  rlim_t as_limit_mb = 3072;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--mutations=", 0) == 0) {
      mutations = std::strtol(a.c_str() + 12, nullptr, 10);
    } else if (a.rfind("--seed=", 0) == 0) {
      seed = std::strtoull(a.c_str() + 7, nullptr, 10);
    } else if (a.rfind("--as_limit_mb=", 0) == 0) {
      as_limit_mb = std::strtoull(a.c_str() + 14, nullptr, 10);
    } else if (a.rfind("--write_seeds=", 0) == 0) {
      write_seeds = a.substr(14);
    } else if (a.rfind("--", 0) == 0) {
      std::fprintf(stderr, "unknown flag %s\n", a.c_str());
      return 2;
    } else {
      files.push_back(a);
    }
  }
  LimitAddressSpace(as_limit_mb);
  InstallCrashHandler();
  const std::vector<std::string> seeds = IsoaeFuzzSeeds();
  if (seeds.empty()) {
    std::fprintf(stderr, "fuzz target defines no seeds\n");
    return 2;
  }
  if (!write_seeds.empty()) {
    std::filesystem::create_directories(write_seeds);
    for (size_t i = 0; i < seeds.size(); ++i) {
      std::ofstream(write_seeds + "/seed" + std::to_string(i), std::ios::binary) << seeds[i];
    }
    std::printf("wrote %zu seeds to %s\n", seeds.size(), write_seeds.c_str());
    return 0;
  }
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", f.c_str());
      return 2;
    }
    Run(std::string(std::istreambuf_iterator<char>(in), {}));
  }
  for (const std::string& s : seeds) Run(s);
  std::mt19937_64 rng(seed);
  for (long i = 0; i < mutations; ++i) Run(Mutate(seeds, rng));
  std::printf("%zu files, %zu seeds and %ld mutations ran without a crash\n", files.size(),
              seeds.size(), mutations);
  return 0;
}
