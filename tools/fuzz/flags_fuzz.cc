// Fuzz target: flag files. The input is read as a gflags flagfile by the
// shared flag blocks of the binaries (dataset, method, training), then the
// values go through the same validation the binaries run: a bad file is an
// error status, never a crash.
#include <gflags/gflags.h>

#include "core/method_flags.h"
#include "core/train_flags.h"
#include "datasets/dataset_flags.h"
#include "tools/fuzz/fuzz_support.h"

ISOAE_FUZZ_SEEDS() {
  return {"--method=iae\n--epochs=3\n--batch_size=10\n--lr=1e-3\n",
          "--dataset=mnist\n--classes=0,1\n--train_size=100\n",
          "--method=vae+relaxed_distortion:10\n--method_options=eta=0.2,estimator=exact\n"
          "--latent_dim=2\n--arch=irvae_fc\n",
          "--method=dae+iso:0.1\n--device=cpu\n--threads=1\n# comment\n"};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  // A flagfile may name other flagfiles or read the environment, and gflags
  // answers --help* / --version by printing and exiting (by design); keep the
  // fuzzer on the text it was given and on what returns.
  for (const char* skip : {"flagfile", "fromenv", "help", "version"}) {
    if (text.find(skip) != std::string::npos) return 0;
  }
  gflags::FlagSaver saver;  // every input starts from the defaults
  if (!gflags::ReadFlagsFromString(text, "fuzz", /*errors_are_fatal=*/false)) return 0;
  isoae::DatasetRequestFromFlags().IgnoreError();
  absl::StatusOr<isoae::MethodRequest> m = isoae::MethodRequestFromFlags();
  if (m.ok()) isoae::BuildMethodFromRequest(*m).IgnoreError();
  isoae::TrainFlagsFromCommandLine().IgnoreError();
  return 0;
}
