// Support for the parser fuzz targets in tools/fuzz.
//
// Every target defines LLVMFuzzerTestOneInput (the libFuzzer entry point) and
// its seed inputs with ISOAE_FUZZ_SEEDS. The same target builds two ways
// (tools/fuzz/fuzz.bzl):
//   - by default, a cc_test linked with standalone_main.cc: it runs every seed
//     and a fixed number of deterministic mutations of them (a smoke fuzz in
//     `bazel test //...`), and `--write_seeds=DIR` writes the seeds as files,
//     the starting corpus of a libFuzzer run;
//   - with --config=fuzz (clang, -fsanitize=fuzzer,address,undefined), a
//     libFuzzer binary; tools/fuzz/run_libfuzzer.sh drives it.
// A target must never crash, leak or allocate more than its input can hold:
// every input is either parsed or rejected with an error status.
#ifndef ISOAE_TOOLS_FUZZ_FUZZ_SUPPORT_H_
#define ISOAE_TOOLS_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace isoae {
namespace fuzz {

// Writes `bytes` to a per-process scratch file named after `tag` (in
// $TEST_TMPDIR, else /tmp) and returns its path, for parsers that take a path.
std::string ScratchFile(const std::string& tag, const std::string& bytes);

}  // namespace fuzz
}  // namespace isoae

// The seed inputs of this fuzz target (defined once per target).
std::vector<std::string> IsoaeFuzzSeeds();

#define ISOAE_FUZZ_SEEDS() std::vector<std::string> IsoaeFuzzSeeds()

#endif  // ISOAE_TOOLS_FUZZ_FUZZ_SUPPORT_H_
