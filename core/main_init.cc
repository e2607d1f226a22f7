#include "core/main_init.h"

#include <ATen/Parallel.h>
#include <gflags/gflags.h>
#include <glog/logging.h>
#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <utility>

#include "core/table.h"

namespace isoae {

void KeepLargeBuffersMapped() {
  // glibc serves blocks above its mmap threshold (128 KiB, rising to at most
  // 32 MiB) with fresh mmap/munmap pairs and trims the heap top eagerly, so a
  // training step that frees and re-allocates its 300 KB - 1 MB activations
  // pays page faults on every step. Measured with //irvae:bench (1 thread):
  // VAE 22.1 -> 8.3 ms per step, IRVAE 50.0 -> 19.4 ms, system time 27% ->
  // 13% of the run. Keeping freed memory in the heap costs at most the
  // working set of one step.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
}

void InitMain(const char* usage, int* argc, char*** argv) {
  KeepLargeBuffersMapped();
  // Both libraries read these when they load, before main(): set what the
  // user left unset, then run the binary again once.
  //  - OMP_WAIT_POLICY=PASSIVE: LibTorch's OpenMP threads sleep between
  //    parallel regions instead of spinning against OpenBLAS's.
  //  - OPENBLAS_THREAD_TIMEOUT=4: OpenBLAS's idle threads sleep after 2^4
  //    cycles instead of 2^28 (~0.1 s) of sched_yield. Between two GEMMs
  //    LibTorch runs element-wise ops on the same cores, and those yields
  //    were a quarter of the main job's CPU time: 300 I-AE steps on 2 cores
  //    went from wall 41.9 s, user 64.2 s, sys 15.4 s to 33.0 / 53.2 / 3.7.
  bool changed = false;
  for (const auto& [name, value] : {std::pair<const char*, const char*>{"OMP_WAIT_POLICY", "PASSIVE"},
                                    {"OPENBLAS_THREAD_TIMEOUT", "4"}}) {
    if (std::getenv(name) == nullptr) {
      setenv(name, value, 1);
      changed = true;
    }
  }
  if (changed && std::getenv("ISOAE_REEXEC") == nullptr) {
    setenv("ISOAE_REEXEC", "1", 1);
    execv("/proc/self/exe", *argv);  // returns only on failure: carry on
  }
  gflags::SetUsageMessage(usage);
  gflags::ParseCommandLineFlags(argc, argv, true);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging((*argv)[0]);
}

std::string OpenBlasCoreName() {
  // Looked up at run time: only a dynamic-arch OpenBLAS has it.
  using CoreFn = char* (*)();
  auto fn = reinterpret_cast<CoreFn>(dlsym(RTLD_DEFAULT, "gotoblas_corename"));
  const char* core = fn != nullptr ? fn() : nullptr;
  return core != nullptr ? core : "";
}

void SetTorchThreads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
  if (threads <= 0) return;
  // LibTorch tears down and rebuilds its thread pool on every call.
  if (at::get_num_threads() != threads) at::set_num_threads(threads);
  // OpenBLAS keeps its own thread pool; cap it too so that LibTorch's and
  // OpenBLAS's threads together do not oversubscribe the cores. Looked up at
  // run time: with the reference BLAS the symbol is simply absent.
  using SetFn = void (*)(int);
  if (auto fn = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    fn(threads);
  }
}

bool WriteFlagsFile(const std::string& output_dir) {
  const absl::Status s =
      WriteTextFile(output_dir + "/flags.txt", gflags::CommandlineFlagsIntoString());
  if (!s.ok()) ReportError(s);
  return s.ok();
}

int ReportError(const absl::Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

}  // namespace isoae
