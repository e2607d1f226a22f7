// Metrics benchmark (issue targets): the pullback metrics of 10,000 latent
// points through the MNIST FC decoder of IRVAE D.1 (2 -> 256 x 4 -> 784,
// Jacobians 784 x 2) plus VoR, MCN and the relaxed distortion, target
// <= 0.5 s on 2 cores; and trustworthiness/continuity/kNN recall on 10,000
// points (784-d data vs 2-d codes). Prints figures; asserts nothing.
//
//   bazel run //metrics:bench
//   bazel run //metrics:bench -- --points=20000 --repeats=3 --threads=1
#include "third_party/torch_light.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/autoencoder.h"
#include "core/main_init.h"
#include "core/networks.h"
#include "gflags/gflags.h"
#include "metrics/neighborhood.h"
#include "metrics/pullback.h"
#include "metrics/riemannian.h"

DEFINE_int32(points, 10000, "latent points / data points");
DEFINE_int32(repeats, 5, "timed repetitions (median reported)");
DEFINE_int32(threads, 0, "LibTorch/OpenBLAS threads (0: all cores)");
DEFINE_int32(batch, 2048, "pullback batch");
DEFINE_int32(k, 10, "neighbours for trustworthiness");

namespace {

template <typename F>
double Median(int repeats, F f) {
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  isoae::InitMain("Times the metrics on 10,000 MNIST-sized points", &argc, &argv);
  if (FLAGS_points < 100 || FLAGS_repeats < 1 || FLAGS_batch < 1 || FLAGS_k < 1) {
    std::cerr << "error: need --points >= 100, --repeats, --batch, --k >= 1\n";
    return 2;
  }
  isoae::SetTorchThreads(FLAGS_threads);
  torch::manual_seed(0);
  absl::StatusOr<isoae::Autoencoder> ae =
      isoae::BuildAutoencoder(isoae::IrvaeFc(784, 2), torch::TensorOptions());
  if (!ae.ok()) {
    std::cerr << "error: " << ae.status() << "\n";
    return 1;
  }
  ae->SetTraining(false);
  const at::Tensor z = torch::randn({FLAGS_points, 2});
  isoae::MetricField g;
  const double t_jac = Median(FLAGS_repeats, [&] {
    g = *isoae::PullbackMetrics(ae->decoder, z, FLAGS_batch);
  });
  double vor = 0, mcn = 0, dist = 0;
  const double t_stats = Median(FLAGS_repeats, [&] {
    vor = *isoae::VarianceOfRiemannianMetric(g);
    mcn = isoae::ConditionNumbers(g)->mean;
    dist = isoae::RelaxedDistortion(g)->distortion;
  });
  std::cout << absl::StrFormat(
      "pullback metrics, %d points, 784x2 Jacobians: %.3f s; VoR + MCN + relaxed "
      "distortion: %.3f s; total %.3f s (target <= 0.5 s)\n"
      "  (untrained decoder: VoR %.3f, MCN %.2f, distortion %.3f)\n",
      FLAGS_points, t_jac, t_stats, t_jac + t_stats, vor, mcn, dist);

  // Neighbourhood measures: decoded points (784-d) vs their codes.
  at::Tensor x;
  {
    torch::NoGradGuard ng;
    x = ae->decoder.Forward(z);
  }
  const Eigen::MatrixXd data = *isoae::ToEigen(x);
  const Eigen::MatrixXd codes = *isoae::ToEigen(z);
  isoae::NeighborhoodScores s;
  const double t_nb = Median(std::min(FLAGS_repeats, 3), [&] {
    s = *isoae::NeighborhoodPreservation(data, codes, FLAGS_k);
  });
  std::cout << absl::StrFormat(
      "trustworthiness/continuity/kNN recall, %d points, 784-d vs 2-d, k=%d: %.2f s "
      "(T %.4f, C %.4f, recall %.4f)\n",
      FLAGS_points, FLAGS_k, t_nb, s.trustworthiness, s.continuity, s.knn_recall);
  return 0;
}
