#include "core/main_init.h"

#include <ATen/Parallel.h>
#include <gflags/gflags.h>
#include <glog/logging.h>
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

namespace isoae {

void InitMain(const char* usage, int* argc, char*** argv) {
  if (std::getenv("OMP_WAIT_POLICY") == nullptr && std::getenv("ISOAE_REEXEC") == nullptr) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    setenv("ISOAE_REEXEC", "1", 1);
    execv("/proc/self/exe", *argv);  // returns only on failure: carry on
  }
  gflags::SetUsageMessage(usage);
  gflags::ParseCommandLineFlags(argc, argv, true);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging((*argv)[0]);
}

void SetTorchThreads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
  if (threads <= 0) return;
  at::set_num_threads(threads);
  // OpenBLAS keeps its own thread pool; cap it too so that LibTorch's and
  // OpenBLAS's threads together do not oversubscribe the cores. Looked up at
  // run time: with the reference BLAS the symbol is simply absent.
  using SetFn = void (*)(int);
  if (auto fn = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    fn(threads);
  }
}

}  // namespace isoae
