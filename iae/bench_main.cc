// bazel run //iae:bench
//
// Milliseconds per training step (loss, backward, Adam update) for a plain AE
// and I-AE, through core/trainer.h's Train() as the experiments run it
// (per-step seeding, loss-term read-back and NaN checks included): the mean
// over --steps steps after a --warmup run, on
//   (a) the surfaces nets (5 x FC 256 Softplus each side, 3 -> 2), full batch;
//   (b) the MNIST FC nets (784-256x4-2 both ways, ReLU, sigmoid output),
//       batch 100;
// and the ratio I-AE / AE. I-AE is timed with our tangent/VJP passes, with
// plain autograd (double backward) for comparison, and with a quarter of the
// Monte-Carlo samples for L_iso and L_piso (iso_samples = piso_samples =
// B/4). Synthetic inputs: the timing
// does not depend on the data values.
#include <gflags/gflags.h>

#include "third_party/torch_light.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/autoencoder.h"
#include "core/main_init.h"
#include "core/networks.h"
#include "core/trainer.h"
#include "iae/iae_loss.h"

DEFINE_int32(steps, 60, "Timed steps per configuration (at least 50 recommended).");
DEFINE_int32(warmup, 10, "Untimed warm-up steps.");
DEFINE_int32(surface_points, 1000, "Full-batch size of the surfaces case.");
DEFINE_bool(breakdown, false, "Also time I-AE with only L_iso or only L_piso.");
DEFINE_int32(threads, 0, "LibTorch and OpenBLAS threads (0: all cores).");

namespace {

using isoae::Autoencoder;
using isoae::LossTerms;

double TrainerStepMs(Autoencoder& ae, const torch::Tensor& x,
                    const std::function<torch::Tensor(Autoencoder&, const torch::Tensor&)>& loss) {
  isoae::TrainConfig tc;
  tc.batch_size = 0;  // x is one batch: one step per epoch
  tc.learning_rate = 1e-4;
  tc.quiet = true;
  auto terms = [&](const at::Tensor& b) {
    torch::Tensor l = loss(ae, b);
    return LossTerms{l, {{"loss", l.detach()}}};
  };
  double seconds = 0;
  for (int64_t epochs : {int64_t{FLAGS_warmup}, int64_t{FLAGS_steps}}) {
    tc.epochs = epochs;
    absl::StatusOr<isoae::TrainHistory> h = isoae::Train(tc, ae.Parameters(), ae.State(), x, terms);
    if (!h.ok()) {
      std::cerr << h.status() << "\n";
      std::exit(1);
    }
    seconds = h->seconds;
  }
  return 1000.0 * seconds / FLAGS_steps;
}

void Case(const std::string& name, const isoae::AutoencoderConfig& cfg, const torch::Tensor& x) {
  auto options = torch::TensorOptions().dtype(torch::kFloat32);
  auto build = [&] {
    torch::manual_seed(0);
    auto ae = isoae::BuildAutoencoder(cfg, options);
    if (!ae.ok()) {
      std::cerr << ae.status() << "\n";
      std::exit(1);
    }
    return std::move(*ae);
  };
  isoae::IaeConfig ic;
  ic.lambda_iso = 0.1;
  Autoencoder a1 = build();
  const double ae_ms = TrainerStepMs(a1, x, [&](Autoencoder& ae, const torch::Tensor& b) {
    isoae::IaeConfig none = ic;
    none.lambda_iso = 0;
    return isoae::IaeLoss(ae, b, none).total;
  });
  Autoencoder a2 = build();
  const double iae_ms = TrainerStepMs(a2, x, [&](Autoencoder& ae, const torch::Tensor& b) {
    return isoae::IaeLoss(ae, b, ic).total;
  });
  Autoencoder a3 = build();
  const double ref_ms = TrainerStepMs(a3, x, [&](Autoencoder& ae, const torch::Tensor& b) {
    isoae::AeForward fwd = isoae::RunAutoencoder(ae, b);
    const int64_t n = b.size(0), d = ae.latent_dim;
    torch::Tensor z = isoae::SampleIsoPrior(fwd.z, ic.prior, n);
    return isoae::ReconstructionLoss(b, fwd.x_hat) +
           ic.lambda_iso *
               (isoae::IsometryLossAutograd(ae.decoder, z, isoae::SampleUnitSphere(n, d, b.options())) +
                isoae::PseudoInverseLossAutograd(ae.encoder, b,
                                                 isoae::SampleUnitSphere(n, d, b.options())));
  });
  Autoencoder a4 = build();
  isoae::IaeConfig quarter = ic;
  quarter.iso_samples = std::max<int64_t>(1, x.size(0) / 4);
  quarter.piso_samples = std::max<int64_t>(1, x.size(0) / 4);
  const double q_ms = TrainerStepMs(a4, x, [&](Autoencoder& ae, const torch::Tensor& b) {
    return isoae::IaeLoss(ae, b, quarter).total;
  });
  if (FLAGS_breakdown) {
    for (bool iso : {true, false}) {
      Autoencoder a = build();
      isoae::IaeConfig one = ic;
      one.use_iso = iso;
      one.use_piso = !iso;
      const double ms = TrainerStepMs(a, x, [&](Autoencoder& ae, const torch::Tensor& b) {
        return isoae::IaeLoss(ae, b, one).total;
      });
      std::cout << absl::StrFormat("%-34s   only %s: %7.2f ms (x%.2f)\n", "", iso ? "L_iso " : "L_piso",
                                   ms, ms / ae_ms);
    }
  }
  std::cout << absl::StrFormat(
      "%-34s AE %7.2f ms | I-AE %7.2f ms (x%.2f) | I-AE autograd %7.2f ms (x%.2f) | "
      "I-AE B/4 MC samples %7.2f ms (x%.2f)\n",
      name, ae_ms, iae_ms, iae_ms / ae_ms, ref_ms, ref_ms / ae_ms, q_ms, q_ms / ae_ms);
}

}  // namespace

int main(int argc, char** argv) {
  isoae::InitMain("Training-step benchmark: AE vs I-AE", &argc, &argv);
  isoae::SetTorchThreads(FLAGS_threads);
  std::cout << "ms per training step through the trainer, mean over " << FLAGS_steps
            << " steps after " << FLAGS_warmup << " warm-up steps; LibTorch threads "
            << at::get_num_threads() << "\n";
  torch::manual_seed(1);
  Case(absl::StrFormat("(a) surfaces MLP, full batch %d", FLAGS_surface_points),
       isoae::SurfacesMlp(3, 2), torch::randn({FLAGS_surface_points, 3}));
  Case("(b) MNIST FC 784-256x4-2, batch 100", isoae::IrvaeFc(784, 2), torch::rand({100, 784}));
  return 0;
}
