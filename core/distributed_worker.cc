// Test helper of core:distributed_test: one rank of a data-parallel run (or a
// single process with --world_size=1) training a small autoencoder on fixed
// data with the shared training flags; rank 0 checkpoints to --checkpoint.
#include <ATen/ATen.h>

#include <iostream>
#include <memory>

#include "core/autoencoder.h"
#include "core/distributed.h"
#include "core/main_init.h"
#include "core/networks.h"
#include "core/train_flags.h"
#include "core/trainer.h"
#include "gflags/gflags.h"

DEFINE_string(checkpoint, "", "checkpoint path (rank 0 writes it)");
DEFINE_bool(nan_on_rank1, false, "rank 1's loss becomes NaN at step 3");

int main(int argc, char** argv) {
  isoae::InitMain("data-parallel test worker", &argc, &argv);
  absl::StatusOr<isoae::TrainFlags> flags = isoae::TrainFlagsFromCommandLine();
  if (!flags.ok()) return isoae::ReportError(flags.status());
  absl::StatusOr<std::unique_ptr<isoae::DataParallel>> joined =
      isoae::DataParallel::ConnectIfDistributed(flags->distributed);
  if (!joined.ok()) return isoae::ReportError(joined.status());
  std::unique_ptr<isoae::DataParallel> parallel = std::move(*joined);
  at::manual_seed(11);
  const at::Tensor data = at::randn({60, 5}, at::kDouble);
  at::manual_seed(flags->train.seed);
  absl::StatusOr<isoae::Autoencoder> ae = isoae::BuildAutoencoder(
      isoae::SymmetricMlp(5, 2, 16, 2), at::TensorOptions().dtype(at::kDouble));
  if (!ae.ok()) return isoae::ReportError(ae.status());
  isoae::TrainConfig tc = flags->train;
  tc.checkpoint_path = FLAGS_checkpoint;
  tc.fingerprint = ae->Fingerprint();
  tc.quiet = true;
  tc.parallel = parallel.get();
  const int rank = parallel ? parallel->rank() : 0;
  int64_t calls = 0;
  absl::StatusOr<isoae::TrainHistory> h =
      isoae::Train(tc, ae->Parameters(), ae->State(), data, [&](const at::Tensor& x) {
        isoae::AeForward f = isoae::RunAutoencoder(*ae, x);
        at::Tensor rec = isoae::ReconstructionLoss(x, f.x_hat);
        if (FLAGS_nan_on_rank1 && rank == 1 && calls == 3) rec = rec * std::nan("");
        ++calls;
        return isoae::LossTerms{rec, {{"rec", rec.detach()}}};
      });
  if (!h.ok()) return isoae::ReportError(h.status());
  std::cout << "rank " << rank << " finished at step " << h->final_step << "\n";
  return 0;
}
