#include "baselines/fmvae.h"

#include "third_party/torch_light.h"

#include <cmath>
#include <vector>

#include "core/testing/jacobian.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);
// Closed forms evaluated with the same arithmetic as the code: round-off only.
constexpr double kExactTol = 1e-10;
// Monte-Carlo checks allow 5 standard errors (false failure < 1e-6).
constexpr double kMcSigmas = 5.0;

Sequential LinearDecoder(const torch::Tensor& a) { return ::isoae::testing::LinearMap(a); }

// ||G - cI||_F^2 with c = Tr G / m, for a constant G.
double Flatness(const torch::Tensor& g) {
  const int64_t m = g.size(0);
  const torch::Tensor c = g.trace() / static_cast<double>(m);
  return (g - c * torch::eye(m, kDouble)).pow(2).sum().item<double>();
}

TEST(FmvaeTest, ExactFlatnessOfALinearDecoder) {
  torch::manual_seed(1);
  const torch::Tensor a = torch::randn({6, 3}, kDouble);
  Sequential dec = LinearDecoder(a);
  EXPECT_NEAR(FmvaeFlatnessExact(dec, torch::randn({4, 3}, kDouble)).item<double>(),
              Flatness(a.t().matmul(a)), kExactTol);
  // A scaled isometry is flat: G = s^2 I.
  const torch::Tensor q = std::get<0>(torch::linalg_qr(torch::randn({6, 3}, kDouble)));
  Sequential iso = LinearDecoder(2.5 * q);
  EXPECT_NEAR(FmvaeFlatnessExact(iso, torch::randn({4, 3}, kDouble)).item<double>(), 0.0,
              kExactTol);
}

// A field that varies with z: c is the batch mean of Tr G / m, shared by all
// points (not each point's own trace).
TEST(FmvaeTest, ExactFlatnessUsesOneScaleForTheBatch) {
  torch::manual_seed(4);
  Sequential dec;
  dec.Add(MakeLinear(2, 8, true, kDouble));
  dec.Add(MakeTanh());
  dec.Add(MakeLinear(8, 5, true, kDouble));
  const torch::Tensor z = 2 * torch::randn({6, 2}, kDouble);
  std::vector<torch::Tensor> gs;
  double c = 0;
  for (int64_t i = 0; i < z.size(0); ++i) {
    torch::Tensor zi = z[i].clone().requires_grad_(true);
    torch::Tensor j = torch::zeros({5, 2}, kDouble);
    for (int r = 0; r < 5; ++r) {
      torch::Tensor out = dec.Forward(zi.unsqueeze(0)).squeeze(0)[r];
      j[r] = torch::autograd::grad({out}, {zi})[0];
    }
    gs.push_back(j.t().matmul(j));
    c += gs.back().trace().item<double>() / 2 / z.size(0);
  }
  double want = 0;
  for (const auto& g : gs) {
    want += (g - c * torch::eye(2, kDouble)).pow(2).sum().item<double>() / z.size(0);
  }
  EXPECT_NEAR(FmvaeFlatnessExact(dec, z).item<double>(), want, 1e-9 * want);
}

TEST(FmvaeTest, NotScaleInvariantUnlikeTheRelaxedDistortion) {
  // G -> k^2 G scales the flatness by k^4 (IRVAE appendix C).
  torch::manual_seed(2);
  const torch::Tensor a = torch::randn({5, 2}, kDouble);
  Sequential dec = LinearDecoder(a);
  Sequential dec3 = LinearDecoder(3 * a);
  const torch::Tensor z = torch::randn({4, 2}, kDouble);
  EXPECT_NEAR(FmvaeFlatnessExact(dec3, z).item<double>(),
              81 * FmvaeFlatnessExact(dec, z).item<double>(), 1e-8);
}

TEST(FmvaeTest, JvpEstimatorIsUnbiased) {
  torch::manual_seed(3);
  const torch::Tensor a = torch::randn({7, 3}, kDouble);
  Sequential dec = LinearDecoder(a);
  const int64_t n = 50000;
  const torch::Tensor z = torch::randn({n, 3}, kDouble);
  // Per-sample terms with the batch's c: their mean is the estimate.
  const torch::Tensor u = torch::randn({n, 3}, kDouble);
  const torch::Tensor v = torch::randn({n, 3}, kDouble);
  const double est = FmvaeFlatnessJvp(dec, z, u, v).item<double>();
  const torch::Tensor g = a.t().matmul(a);
  const torch::Tensor c = g.trace() / 3.0;
  const torch::Tensor per = ((u.matmul(g) * v).sum(1) - c * (u * v).sum(1)).pow(2);
  const double se = per.std().item<double>() / std::sqrt(static_cast<double>(n));
  EXPECT_NEAR(est, Flatness(g), kMcSigmas * se);
}

// The fused path (one autograd node, Gram matrix of [J u, J v]) against the
// layer passes on a network it takes: value and parameter gradients.
TEST(FmvaeTest, FusedJvpEstimatorMatchesTheLayerPasses) {
  torch::manual_seed(4);
  Sequential dec;
  dec.Add(MakeLinear(3, 10, true, kDouble));
  dec.Add(MakeReLU());
  dec.Add(MakeLinear(10, 10, true, kDouble));
  dec.Add(MakeTanh());
  dec.Add(MakeLinear(10, 7, true, kDouble));
  dec.Add(MakeSigmoid());
  const torch::Tensor z = torch::randn({12, 3}, kDouble);
  const torch::Tensor u = torch::randn({12, 3}, kDouble);
  const torch::Tensor v = torch::randn({12, 3}, kDouble);
  const std::vector<torch::Tensor> params = dec.Parameters();
  const torch::Tensor fused = FmvaeFlatnessJvp(dec, z, u, v, /*fused=*/true);
  const torch::Tensor layers = FmvaeFlatnessJvp(dec, z, u, v, /*fused=*/false);
  EXPECT_NEAR(fused.item<double>(), layers.item<double>(), kExactTol * layers.item<double>());
  const std::vector<torch::Tensor> gf = torch::autograd::grad({fused}, params);
  const std::vector<torch::Tensor> gl = torch::autograd::grad({layers}, params);
  for (size_t i = 0; i < params.size(); ++i) {
    EXPECT_LT((gf[i] - gl[i]).abs().max().item<double>(),
              kExactTol * (1 + gl[i].abs().max().item<double>()))
        << i;
  }
}

}  // namespace
}  // namespace isoae
