#include "iae/iae_loss.h"

#include "third_party/torch_light.h"

#include <cmath>
#include <vector>

#include "core/status_matchers.h"
#include "core/testing/jacobian.h"
#include "core/trainer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::FiniteDifferenceGradients;
using ::isoae::testing::RelativeError;
using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);
// Closed forms are evaluated with the same arithmetic as the code under test;
// only round-off separates them.
constexpr double kExactTol = 1e-12;
// See core/tangent_layers_test.cc.
constexpr double kFdStep = 1e-6;
constexpr double kFdRelTol = 1e-6;
// Monte-Carlo checks allow 5 standard errors: a false failure has
// probability < 1e-6 per check.
constexpr double kMcSigmas = 5.0;

torch::Tensor Orthonormal(int64_t rows, int64_t cols) {
  return std::get<0>(torch::linalg_qr(torch::randn({rows, cols}, kDouble)));
}

void SetWeight(Sequential& net, const torch::Tensor& w) {
  torch::NoGradGuard g;
  net.NamedParameters()[0].tensor.copy_(w);
}

TEST(IaeLossTest, ScaledOrthonormalDecoderHasClosedFormIsoLoss) {
  torch::manual_seed(21);
  for (double s : {1.0, 0.5, 2.0, 3.7}) {
    Sequential dec;
    dec.Add(MakeLinear(2, 5, false, kDouble));
    SetWeight(dec, s * Orthonormal(5, 2));
    torch::Tensor z = torch::randn({64, 2}, kDouble);
    torch::Tensor u = SampleUnitSphere(64, 2, kDouble);
    EXPECT_NEAR(IsometryLoss(dec, z, u).item<double>(), (s - 1) * (s - 1), kExactTol);
  }
}

TEST(IaeLossTest, TransposedOrthonormalEncoderHasZeroPisoLoss) {
  torch::manual_seed(22);
  torch::Tensor q = Orthonormal(6, 3);
  Sequential enc;
  enc.Add(MakeLinear(6, 3, true, kDouble));
  SetWeight(enc, q.t());
  torch::Tensor x = torch::randn({32, 6}, kDouble);
  std::vector<torch::Tensor> inputs;
  enc.ForwardRecording(x, &inputs);
  EXPECT_NEAR(PseudoInverseLoss(enc, inputs, SampleUnitSphere(32, 3, kDouble)).item<double>(),
              0.0, kExactTol);
  // Scaling the encoder by c gives (c - 1)^2.
  SetWeight(enc, 2.5 * q.t());
  EXPECT_NEAR(PseudoInverseLoss(enc, inputs, SampleUnitSphere(32, 3, kDouble)).item<double>(),
              1.5 * 1.5, kExactTol);
}

TEST(IaeLossTest, MonteCarloIsoLossMatchesIntegralOverTheCircle) {
  // A = diag(s1, s2) embedded in R^3: ||A u|| = sqrt(s1^2 cos^2 t + s2^2 sin^2 t)
  // for u = (cos t, sin t), t uniform; the exact E(||Au|| - 1)^2 is a 1-D
  // integral, evaluated here by the midpoint rule with 100000 nodes.
  const double s1 = 2.0, s2 = 0.5;
  double exact = 0, second = 0;
  const int nodes = 100000;
  for (int i = 0; i < nodes; ++i) {
    const double t = 2 * M_PI * (i + 0.5) / nodes;
    const double v = std::pow(std::sqrt(s1 * s1 * std::cos(t) * std::cos(t) +
                                        s2 * s2 * std::sin(t) * std::sin(t)) - 1, 2);
    exact += v / nodes;
    second += v * v / nodes;
  }
  const int64_t n = 20000;
  const double se = std::sqrt((second - exact * exact) / n);
  torch::manual_seed(23);
  Sequential dec;
  dec.Add(MakeLinear(2, 3, false, kDouble));
  SetWeight(dec, torch::tensor({{s1, 0.0}, {0.0, s2}, {0.0, 0.0}}, kDouble));
  torch::Tensor z = torch::zeros({n, 2}, kDouble);
  const double mc = IsometryLoss(dec, z, SampleUnitSphere(n, 2, kDouble)).item<double>();
  EXPECT_NEAR(mc, exact, kMcSigmas * se);
}

TEST(IaeLossTest, UnitSphereSamplesAreUnitAndIsotropic) {
  torch::manual_seed(24);
  const int64_t n = 40000;
  torch::Tensor u = SampleUnitSphere(n, 3, kDouble);
  EXPECT_LT((u.norm(2, {1}) - 1).abs().max().item<double>(), kExactTol);
  // E[u u^T] = I/3; each entry's standard error is below sqrt(1/n).
  torch::Tensor second = u.t().matmul(u) / n;
  EXPECT_LT((second - torch::eye(3, kDouble) / 3).abs().max().item<double>(),
            kMcSigmas / std::sqrt(static_cast<double>(n)));
}

TEST(IaeLossTest, IsoPriorsFollowTheCodes) {
  torch::manual_seed(25);
  torch::Tensor codes = torch::randn({500, 2}, kDouble) * torch::tensor({3.0, 0.5}, kDouble) +
                        torch::tensor({1.0, -2.0}, kDouble);
  const int64_t n = 20000;
  torch::Tensor uni = SampleIsoPrior(codes, IsoPrior::kUniformBox, n);
  torch::Tensor lo = std::get<0>(codes.min(0)), hi = std::get<0>(codes.max(0));
  EXPECT_TRUE((uni >= lo).all().item<bool>());
  EXPECT_TRUE((uni <= hi).all().item<bool>());
  // Uniform on [lo, hi]: mean (lo+hi)/2, sd (hi-lo)/sqrt(12).
  torch::Tensor mean_err = (uni.mean(0) - (lo + hi) / 2).abs();
  torch::Tensor se = (hi - lo) / std::sqrt(12.0 * n);
  EXPECT_TRUE((mean_err < kMcSigmas * se).all().item<bool>());
  torch::Tensor gauss = SampleIsoPrior(codes, IsoPrior::kGaussian, n);
  torch::Tensor sd = codes.std(0);
  EXPECT_TRUE(((gauss.mean(0) - codes.mean(0)).abs() < kMcSigmas * sd / std::sqrt(1.0 * n))
                  .all().item<bool>());
  // Sample sd within 5% of the codes' (its relative SE is 1/sqrt(2n) = 0.5%).
  EXPECT_TRUE(((gauss.std(0) / sd - 1).abs() < 0.05).all().item<bool>());
}

TEST(IaeLossTest, FullLossGradientMatchesFiniteDifferences) {
  // P_iso is fitted to detached codes (the sampler is not differentiated), so
  // the check holds z and u fixed, as autograd sees them.
  torch::manual_seed(26);
  AutoencoderConfig cfg = SurfacesMlp(3, 2);
  cfg.encoder.width_multiplier = cfg.decoder.width_multiplier = 4.0 / 256;
  cfg.encoder.softplus_beta = cfg.decoder.softplus_beta = 3.0;
  ISOAE_ASSERT_OK_AND_ASSIGN(Autoencoder ae, BuildAutoencoder(cfg, kDouble));
  torch::Tensor x = torch::randn({6, 3}, kDouble);
  torch::Tensor z_iso = torch::randn({5, 2}, kDouble);
  torch::Tensor u_iso = SampleUnitSphere(5, 2, kDouble);
  torch::Tensor u_piso = SampleUnitSphere(6, 2, kDouble);
  const double lambda = 0.7;
  auto loss = [&] {
    AeForward fwd = RunAutoencoder(ae, x);
    return ReconstructionLoss(x, fwd.x_hat) +
           lambda * (IsometryLoss(ae.decoder, z_iso, u_iso) +
                     PseudoInverseLoss(ae.encoder, fwd.encoder_inputs, u_piso));
  };
  std::vector<torch::Tensor> params = ae.Parameters();
  std::vector<torch::Tensor> grads = torch::autograd::grad({loss()}, params);
  std::vector<torch::Tensor> fd = FiniteDifferenceGradients(
      [&] { return loss().item<double>(); }, params, kFdStep);
  EXPECT_LT(RelativeError(grads, fd), kFdRelTol);
}

TEST(IaeLossTest, TangentAndVjpPassesMatchAutogradReference) {
  // The forward-mode/VJP implementation against plain autograd (double
  // backward): same loss values and same parameter gradients.
  torch::manual_seed(29);
  AutoencoderConfig cfg = FcNn(12, 2);
  cfg.encoder.width_multiplier = cfg.decoder.width_multiplier = 1.0 / 32;
  ISOAE_ASSERT_OK_AND_ASSIGN(Autoencoder ae, BuildAutoencoder(cfg, kDouble));
  torch::Tensor x = torch::randn({7, 12}, kDouble);
  ae.encoder.Forward(x);  // non-trivial running statistics
  ae.SetTraining(false);  // eval: samples independent, both conventions agree
  torch::Tensor z = torch::randn({5, 2}, kDouble);
  torch::Tensor u = SampleUnitSphere(5, 2, kDouble);
  torch::Tensor up = SampleUnitSphere(7, 2, kDouble);
  std::vector<torch::Tensor> inputs;
  ae.encoder.ForwardRecording(x, &inputs);
  torch::Tensor ours = IsometryLoss(ae.decoder, z, u) + PseudoInverseLoss(ae.encoder, inputs, up);
  torch::Tensor ref = IsometryLossAutograd(ae.decoder, z, u) +
                      PseudoInverseLossAutograd(ae.encoder, x, up);
  EXPECT_NEAR(ours.item<double>(), ref.item<double>(), kExactTol);
  std::vector<torch::Tensor> params = ae.Parameters();
  std::vector<torch::Tensor> g1 = torch::autograd::grad({ours}, params, {}, false, false, true);
  std::vector<torch::Tensor> g2 = torch::autograd::grad({ref}, params, {}, false, false, true);
  for (size_t i = 0; i < params.size(); ++i) {
    if (!g1[i].defined()) g1[i] = torch::zeros_like(params[i]);
    if (!g2[i].defined()) g2[i] = torch::zeros_like(params[i]);
  }
  EXPECT_LT(RelativeError(g1, g2), 1e-10);
}

TEST(IaeLossTest, IaeLossIsTheSumOfItsTerms) {
  torch::manual_seed(28);
  AutoencoderConfig cfg = SurfacesMlp(3, 2);
  cfg.encoder.width_multiplier = cfg.decoder.width_multiplier = 8.0 / 256;
  ISOAE_ASSERT_OK_AND_ASSIGN(Autoencoder ae, BuildAutoencoder(cfg, kDouble));
  torch::Tensor x = torch::randn({16, 3}, kDouble);
  IaeConfig ic;
  ic.lambda_iso = 0.3;
  LossTerms t = IaeLoss(ae, x, ic);
  ASSERT_EQ(t.terms.size(), 3u);
  EXPECT_EQ(t.terms[0].first, "L_rec");
  EXPECT_EQ(t.terms[1].first, "L_iso");
  EXPECT_EQ(t.terms[2].first, "L_piso");
  const double sum = t.terms[0].second.item<double>() +
                     0.3 * (t.terms[1].second.item<double>() + t.terms[2].second.item<double>());
  EXPECT_NEAR(t.total.item<double>(), sum, kExactTol);
  ic.lambda_iso = 0;  // plain AE: reconstruction only
  EXPECT_EQ(IaeLoss(ae, x, ic).terms.size(), 1u);
  ic.lambda_iso = 0.3;
  ic.use_iso = false;
  LossTerms only_piso = IaeLoss(ae, x, ic);
  ASSERT_EQ(only_piso.terms.size(), 2u);
  EXPECT_EQ(only_piso.terms[1].first, "L_piso");
}

TEST(IaeLossTest, LinearIaeOnAPlaneRecoversAnIsometry) {
  // The PCA case (paper section 1): data on a 2-D subspace of R^4 with very
  // different spreads along the two directions. A linear AE only needs
  // g o f = id on the plane; I-AE must also make f an isometry (W^T W = I)
  // and g its pseudo-inverse (E = W^T).
  torch::manual_seed(27);
  torch::Tensor basis = Orthonormal(4, 2);
  torch::Tensor coeff = torch::randn({256, 2}, kDouble) * torch::tensor({2.0, 0.3}, kDouble);
  torch::Tensor data = coeff.matmul(basis.t());
  AutoencoderConfig cfg;
  cfg.encoder.input_shape = {4};
  cfg.encoder.layers = {"LIN 2"};
  cfg.decoder.input_shape = {2};
  cfg.decoder.layers = {"LIN 4"};
  ISOAE_ASSERT_OK_AND_ASSIGN(Autoencoder ae, BuildAutoencoder(cfg, kDouble));
  IaeConfig ic;
  ic.lambda_iso = 0.1;
  TrainConfig tc;
  tc.epochs = 3000;
  tc.learning_rate = 1e-2;
  tc.seed = 3;
  tc.quiet = true;
  ISOAE_ASSERT_OK(Train(tc, ae.Parameters(), ae.State(), data,
                        [&](const at::Tensor& x) { return IaeLoss(ae, x, ic); }));
  torch::Tensor w = ae.decoder.NamedParameters()[0].tensor.detach();  // [4, 2]
  torch::Tensor e = ae.encoder.NamedParameters()[0].tensor.detach();  // [2, 4]
  // Tolerances: Adam at lr 1e-2 settles to ~1e-3 of the optimum here; 2e-2
  // separates "isometry" from the unregularised AE's arbitrary W by a wide
  // margin (its W^T W is typically off by O(1)).
  EXPECT_LT((w.t().matmul(w) - torch::eye(2, kDouble)).abs().max().item<double>(), 2e-2);
  // The decoder's columns span the data plane.
  torch::Tensor proj = basis.matmul(basis.t());
  EXPECT_LT((proj.matmul(w) - w).abs().max().item<double>(), 2e-2);
  // On the plane the encoder is W^T. Its component normal to the plane is
  // invisible to L_rec; L_piso removes it (E E^T = I + M M^T), but through a
  // quartic potential ((|Mu|^2/2)^2 near M = 0), so it shrinks slowly: assert
  // it has fallen well below its size at initialisation (~0.5).
  EXPECT_LT((e.matmul(proj) - w.t()).abs().max().item<double>(), 2e-2);
  EXPECT_LT(e.matmul(torch::eye(4, kDouble) - proj).abs().max().item<double>(), 0.25);
}

TEST(IaeLossTest, BadConfigIsInvalidArgument) {
  IaeConfig c;
  c.lambda_iso = -1;
  EXPECT_THAT(ValidateIaeConfig(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lambda_iso")));
  c.lambda_iso = NAN;
  EXPECT_THAT(ValidateIaeConfig(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lambda_iso")));
  c.lambda_iso = 0.1;
  c.iso_samples = -3;
  EXPECT_THAT(ValidateIaeConfig(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("iso_samples")));
  EXPECT_THAT(ParseIsoPrior("laplace"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("laplace")));
}

}  // namespace
}  // namespace isoae
