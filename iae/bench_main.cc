// bazel run //iae:bench
//
// Median milliseconds per training step (loss, backward, Adam update) for a
// plain AE and I-AE, after warm-up, on
//   (a) the surfaces nets (5 x FC 256 Softplus each side, 3 -> 2), full batch;
//   (b) the MNIST FC nets (784-256x4-2 both ways, ReLU, sigmoid output),
//       batch 100;
// and the ratio I-AE / AE. I-AE is timed with our tangent/VJP passes, with
// plain autograd (double backward) for comparison, and with a quarter of the
// Monte-Carlo samples for L_iso and L_piso (iso_samples = piso_samples =
// B/4). Synthetic inputs: the timing
// does not depend on the data values.
#include <gflags/gflags.h>
#include <torch/optim/adam.h>

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
#include "iae/iae_loss.h"

DEFINE_int32(steps, 60, "Timed steps per configuration (at least 50 recommended).");
DEFINE_int32(warmup, 10, "Untimed warm-up steps.");
DEFINE_int32(surface_points, 1000, "Full-batch size of the surfaces case.");
DEFINE_bool(breakdown, false, "Also time I-AE with only L_iso or only L_piso.");
DEFINE_int32(threads, 0, "LibTorch and OpenBLAS threads (0: all cores).");

namespace {

using isoae::Autoencoder;
using isoae::LossTerms;

double MedianStepMs(Autoencoder& ae, const torch::Tensor& x,
                    const std::function<torch::Tensor(Autoencoder&, const torch::Tensor&)>& loss) {
  torch::optim::Adam opt(ae.Parameters(), torch::optim::AdamOptions(1e-4));
  std::vector<double> ms;
  for (int i = 0; i < FLAGS_warmup + FLAGS_steps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    torch::Tensor l = loss(ae, x);
    opt.zero_grad();
    l.backward();
    opt.step();
    (void)l.item<double>();
    const auto t1 = std::chrono::steady_clock::now();
    if (i >= FLAGS_warmup) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
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
  const double ae_ms = MedianStepMs(a1, x, [&](Autoencoder& ae, const torch::Tensor& b) {
    isoae::IaeConfig none = ic;
    none.lambda_iso = 0;
    return isoae::IaeLoss(ae, b, none).total;
  });
  Autoencoder a2 = build();
  const double iae_ms = MedianStepMs(a2, x, [&](Autoencoder& ae, const torch::Tensor& b) {
    return isoae::IaeLoss(ae, b, ic).total;
  });
  Autoencoder a3 = build();
  const double ref_ms = MedianStepMs(a3, x, [&](Autoencoder& ae, const torch::Tensor& b) {
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
  const double q_ms = MedianStepMs(a4, x, [&](Autoencoder& ae, const torch::Tensor& b) {
    return isoae::IaeLoss(ae, b, quarter).total;
  });
  if (FLAGS_breakdown) {
    for (bool iso : {true, false}) {
      Autoencoder a = build();
      isoae::IaeConfig one = ic;
      one.use_iso = iso;
      one.use_piso = !iso;
      const double ms = MedianStepMs(a, x, [&](Autoencoder& ae, const torch::Tensor& b) {
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
  std::cout << "median ms per training step over " << FLAGS_steps << " steps after "
            << FLAGS_warmup << " warm-up steps; LibTorch threads " << at::get_num_threads()
            << "\n";
  torch::manual_seed(1);
  Case(absl::StrFormat("(a) surfaces MLP, full batch %d", FLAGS_surface_points),
       isoae::SurfacesMlp(3, 2), torch::randn({FLAGS_surface_points, 3}));
  Case("(b) MNIST FC 784-256x4-2, batch 100", isoae::IrvaeFc(784, 2), torch::rand({100, 784}));
  return 0;
}
