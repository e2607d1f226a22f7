// Trains any registered method on any registered dataset and checkpoints it:
//
//   bazel run //tools:train -- --dataset=fashion_mnist --method=irvae:100
//       --arch=irvae_fc --latent_dim=2 --epochs=20 --output_dir=out/irvae_fmnist
//   bazel run //tools:evaluate -- --dataset=fashion_mnist --checkpoint=out/irvae_fmnist/checkpoint.pt
//
// Methods: ae, vae, dae, wae, iae, irvae, fmvae, or any spec
// base+regulariser[:weight]... (core/method.h; --method=help lists them).
// An interrupted run continues with the same command plus --resume.
// Flatten a trained model (IRVAE's flattening module) and evaluate it:
//   bazel run //tools:train -- --dataset=fashion_mnist --method=fm
//       --base_checkpoint=out/irvae_fmnist/checkpoint.pt --output_dir=out/fm
//       --lr=1e-4 --method_options=estimator=exact
// Exit codes: 0 ok, 1 failure, 2 bad flags.
#include <iostream>
#include <memory>

#include "absl/strings/str_join.h"
#include "core/device.h"
#include "core/distributed.h"
#include "core/main_init.h"
#include "core/method.h"
#include "core/method_flags.h"
#include "core/table.h"
#include "core/train_flags.h"
#include "datasets/dataset_flags.h"
#include "gflags/gflags.h"
#include "tools/train.h"

DECLARE_string(method);
DEFINE_string(output_dir, "out/train", "checkpoint.pt, history.csv, summary.json and flags.txt");
DEFINE_string(base_checkpoint, "",
              "for --method=fm: the trained model to flatten (same --arch, --latent_dim)");

int main(int argc, char** argv) {
  isoae::InitMain("Trains a registered method on a dataset and checkpoints it", &argc, &argv);
  if (FLAGS_method == "help") {
    std::cout << absl::StrJoin(isoae::DescribeRegisteredMethods(), "\n") << "\n";
    return 0;
  }
  absl::StatusOr<isoae::TrainFlags> train = isoae::TrainFlagsFromCommandLine();
  absl::StatusOr<isoae::MethodRequest> method = isoae::MethodRequestFromFlags();
  absl::StatusOr<isoae::DatasetRequest> data = isoae::DatasetRequestFromFlags();
  for (const absl::Status& s : {train.status(), method.status(), data.status()}) {
    if (!s.ok()) return isoae::ReportError(s);
  }
  isoae::TrainToolConfig c;
  c.data = *data;
  c.method = *method;
  c.train = train->train;
  c.device = train->device_name;
  c.output_dir = isoae::ResolveUserPath(FLAGS_output_dir);
  c.base_checkpoint = FLAGS_base_checkpoint;
  absl::StatusOr<std::unique_ptr<isoae::DataParallel>> joined =
      isoae::DataParallel::ConnectIfDistributed(train->distributed);
  if (!joined.ok()) return isoae::ReportError(joined.status());
  std::unique_ptr<isoae::DataParallel> parallel = std::move(*joined);
  if (parallel != nullptr) {
    c.train.parallel = parallel.get();
    c.quiet = parallel->rank() != 0;
  }
  if ((parallel == nullptr || parallel->rank() == 0) && !isoae::WriteFlagsFile(c.output_dir)) {
    return 1;
  }
  absl::StatusOr<isoae::TrainToolResult> r = isoae::RunTraining(c);
  if (!r.ok()) return isoae::ReportError(r.status());
  std::cout << r->method << ": " << r->history.final_step << " steps in " << r->history.seconds
            << " s; checkpoint " << r->checkpoint << "\n";
  return 0;
}
