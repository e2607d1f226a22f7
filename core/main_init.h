// Process start-up shared by every binary: threading environment, gflags,
// glog.
//
// OpenMP's default busy-wait makes LibTorch's threads spin against
// OpenBLAS's on a 2-core machine and step times become erratic. Both read
// their environment when the libraries load, i.e. before main(), so
// InitMain sets OMP_WAIT_POLICY=PASSIVE and OPENBLAS_THREAD_TIMEOUT=4 (OpenBLAS's
// idle threads sleep almost at once instead of calling sched_yield for
// ~0.1 s; that was 20% of the main job as system time), unless the user set
// them, and re-executes the binary once with that environment. Then it parses flags
// (--flagfile works) and logs to stderr. It also keeps large freed buffers in
// glibc's heap (KeepLargeBuffersMapped): training steps re-allocate the same
// activations every step, and mapping them afresh made a third of a run
// system time. SetTorchThreads(n) sets LibTorch's
// intra-op threads and OpenBLAS's threads to n (0: all cores).
#ifndef ISOAE_CORE_MAIN_INIT_H_
#define ISOAE_CORE_MAIN_INIT_H_

#include <string>

#include "absl/status/status.h"

namespace isoae {

void InitMain(const char* usage, int* argc, char*** argv);
// Part of InitMain: raises glibc's mmap and trim thresholds so per-step
// activation buffers are reused instead of mapped and unmapped each step.
void KeepLargeBuffersMapped();
void SetTorchThreads(int threads);
// The kernel set OpenBLAS runs with ("Haswell", "SkylakeX", ...; chosen from
// the CPU, or by OPENBLAS_CORETYPE), or "" when the BLAS is not a
// dynamic-arch OpenBLAS.
std::string OpenBlasCoreName();

// For experiment binaries: writes the flags the binary runs with to
// <output_dir>/flags.txt. On failure prints the error and returns false.
bool WriteFlagsFile(const std::string& output_dir);
// Prints "error: <message>" to stderr and returns the exit code: 2 for
// kInvalidArgument (a bad flag or config value), 1 for everything else.
int ReportError(const absl::Status& status);

}  // namespace isoae

#endif  // ISOAE_CORE_MAIN_INIT_H_
