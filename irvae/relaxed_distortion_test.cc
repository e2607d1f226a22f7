#include "irvae/relaxed_distortion.h"

#include "third_party/torch_light.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/autoencoder.h"
#include "core/decoder_geometry.h"
#include "core/method.h"
#include "core/status_matchers.h"
#include "core/testing/jacobian.h"
#include "core/vjp.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::RelativeError;
using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);
// Closed forms evaluated with the same arithmetic as the code: round-off only.
constexpr double kExactTol = 1e-10;
// Two double-precision computations of the same quantity by different
// routes (tangent/VJP passes vs autograd double backward): round-off only.
constexpr double kRouteRelTol = 1e-10;
// Monte-Carlo checks allow 5 standard errors: a false failure has
// probability < 1e-6 per check.
constexpr double kMcSigmas = 5.0;

// f(z) = A z with A [D, m].
Sequential LinearDecoder(const torch::Tensor& a) { return ::isoae::testing::LinearMap(a); }

// plain: tanh instead of softplus, a network core/fused_mlp runs as one node.
Sequential SmoothDecoder(int64_t m, int64_t d, bool plain = false) {
  Sequential dec;
  dec.Add(MakeLinear(m, 16, true, kDouble));
  if (plain) {
    dec.Add(MakeTanh());
  } else {
    dec.Add(MakeSoftplus(3.0));
  }
  dec.Add(MakeLinear(16, 16, true, kDouble));
  dec.Add(MakeTanh());
  dec.Add(MakeLinear(16, d, true, kDouble));
  dec.Add(MakeSigmoid());
  return dec;
}

double TraceRatio(const torch::Tensor& g) {
  return (g.matmul(g).trace() / g.trace().pow(2)).item<double>();
}

TEST(RelaxedDistortionTest, HutchinsonProbesAreUnbiasedForTraceAndTraceOfSquare) {
  torch::manual_seed(1);
  const torch::Tensor a = torch::randn({7, 3}, kDouble);
  const torch::Tensor g = a.t().matmul(a);
  Sequential dec = LinearDecoder(a);
  const int64_t n = 20000;
  const torch::Tensor z = torch::randn({n, 3}, kDouble);
  TraceMoments t = HutchinsonTraceMoments(dec, z, torch::randn({n, 3}, kDouble));
  const double se1 = t.trace_g.std().item<double>() / std::sqrt(n);
  const double se2 = t.trace_g2.std().item<double>() / std::sqrt(n);
  EXPECT_NEAR(t.trace_g.mean().item<double>(), g.trace().item<double>(), kMcSigmas * se1);
  EXPECT_NEAR(t.trace_g2.mean().item<double>(), g.matmul(g).trace().item<double>(),
              kMcSigmas * se2);
}

TEST(RelaxedDistortionTest, ExactModeIsTheTraceRatioOfALinearDecoder) {
  torch::manual_seed(2);
  const torch::Tensor a = torch::randn({6, 3}, kDouble);
  Sequential dec = LinearDecoder(a);
  const torch::Tensor z = torch::randn({10, 3}, kDouble);
  EXPECT_NEAR(RelaxedDistortion(dec, z, DistortionEstimator::kExact).item<double>(),
              TraceRatio(a.t().matmul(a)), kExactTol);
}

TEST(RelaxedDistortionTest, ScaledIsometriesReachTheMinimumOneOverM) {
  torch::manual_seed(3);
  for (double s : {0.1, 1.0, 25.0}) {
    const torch::Tensor q = std::get<0>(torch::linalg_qr(torch::randn({9, 4}, kDouble)));
    Sequential dec = LinearDecoder(s * q);
    const torch::Tensor z = torch::randn({5, 4}, kDouble);
    EXPECT_NEAR(RelaxedDistortion(dec, z, DistortionEstimator::kExact).item<double>(), 0.25,
                kExactTol);
    EXPECT_NEAR(RelaxedDistortion(dec, z, DistortionEstimator::kLog).item<double>(), 0.0,
                kExactTol);
  }
  // Anything that is not a scaled isometry is above 1/m.
  Sequential skew = LinearDecoder(torch::diag(torch::tensor({1.0, 2.0}, kDouble)));
  EXPECT_GT(RelaxedDistortion(skew, torch::zeros({1, 2}, kDouble), DistortionEstimator::kExact)
                .item<double>(),
            0.5 + 1e-3);
}

TEST(RelaxedDistortionTest, InvariantToScalingTheDecoder) {
  torch::manual_seed(4);
  Sequential dec = SmoothDecoder(2, 5);
  const torch::Tensor z = torch::randn({32, 2}, kDouble);
  const double base = RelaxedDistortion(dec, z, DistortionEstimator::kExact).item<double>();
  const double base_log = RelaxedDistortion(dec, z, DistortionEstimator::kLog).item<double>();
  Sequential scaled = SmoothDecoder(2, 5);
  {
    torch::NoGradGuard g;
    auto p = dec.NamedParameters();
    auto q = scaled.NamedParameters();
    for (size_t i = 0; i < p.size(); ++i) q[i].tensor.copy_(p[i].tensor);
  }
  scaled.Add(MakeLinear(5, 5, false, kDouble));
  {
    torch::NoGradGuard g;
    scaled.NamedParameters().back().tensor.copy_(7.5 * torch::eye(5, kDouble));
  }
  EXPECT_NEAR(RelaxedDistortion(scaled, z, DistortionEstimator::kExact).item<double>(), base,
              1e-9 * base);
  EXPECT_NEAR(RelaxedDistortion(scaled, z, DistortionEstimator::kLog).item<double>(), base_log,
              1e-9);
}

TEST(RelaxedDistortionTest, LogVariantMatchesItsClosedForm) {
  // G = diag(s1^2, s2^2) everywhere: sum_i (log l_i - log(mean l))^2.
  Sequential dec = LinearDecoder(torch::tensor({{3.0, 0.0}, {0.0, 0.5}, {0.0, 0.0}}, kDouble));
  const double l1 = 9.0, l2 = 0.25, mean = (l1 + l2) / 2;
  const double want = std::pow(std::log(l1 / mean), 2) + std::pow(std::log(l2 / mean), 2);
  EXPECT_NEAR(RelaxedDistortion(dec, torch::randn({8, 2}, kDouble), DistortionEstimator::kLog)
                  .item<double>(),
              want, kExactTol);
}

TEST(RelaxedDistortionTest, ExactMetricMatchesBruteForceJacobians) {
  torch::manual_seed(5);
  Sequential dec = SmoothDecoder(3, 4);
  const torch::Tensor z = torch::randn({6, 3}, kDouble);
  const torch::Tensor g = DifferentiablePullbackMetric(dec, z);
  double tr = 0, tr2 = 0;
  for (int64_t i = 0; i < z.size(0); ++i) {
    const torch::Tensor j = ::isoae::testing::AutogradJacobian(
        [&](const torch::Tensor& zi) { return dec.Forward(zi.unsqueeze(0)).squeeze(0); },
        z[i].clone());
    const torch::Tensor gi = j.t().matmul(j);
    EXPECT_LT((g[i] - gi).abs().max().item<double>(), kExactTol);
    tr += gi.trace().item<double>();
    tr2 += gi.matmul(gi).trace().item<double>();
  }
  const double n = static_cast<double>(z.size(0));
  EXPECT_NEAR(RelaxedDistortion(dec, z, DistortionEstimator::kExact).item<double>(),
              (tr2 / n) / std::pow(tr / n, 2), kExactTol);
}

// The log variant on a field that varies with z: the normalisation is the
// batch mean of Tr G / m, not each point's own.
TEST(RelaxedDistortionTest, LogVariantMatchesBruteForceEigenvalues) {
  torch::manual_seed(8);
  Sequential dec = SmoothDecoder(2, 5);
  const torch::Tensor z = 2 * torch::randn({7, 2}, kDouble);
  std::vector<torch::Tensor> lambdas;
  double mean_trace = 0;
  for (int64_t i = 0; i < z.size(0); ++i) {
    const torch::Tensor j = ::isoae::testing::AutogradJacobian(
        [&](const torch::Tensor& zi) { return dec.Forward(zi.unsqueeze(0)).squeeze(0); },
        z[i].clone());
    const torch::Tensor gi = j.t().matmul(j);
    lambdas.push_back(torch::linalg_eigvalsh(gi));
    mean_trace += gi.trace().item<double>() / z.size(0);
  }
  double want = 0;
  for (const auto& l : lambdas) {
    for (int k = 0; k < 2; ++k) {
      want += std::pow(std::log(l[k].item<double>() / (mean_trace / 2)), 2) / z.size(0);
    }
  }
  EXPECT_NEAR(RelaxedDistortion(dec, z, DistortionEstimator::kLog).item<double>(), want,
              1e-9 * want);
}

// The tangent + VJP estimator against plain autograd (J v by double backward,
// J^T(Jv) by create_graph): same value and same parameter gradients.
// On a plain MLP (fused) and a softplus network (layer passes), and on the
// plain MLP with fused = false.
TEST(RelaxedDistortionTest, TangentVjpPassMatchesDoubleBackwardValueAndGradients) {
  for (const int variant : {0, 1, 2}) {
    SCOPED_TRACE(variant);
    torch::manual_seed(6);
    Sequential dec = SmoothDecoder(2, 6, /*plain=*/variant > 0);
    dec.SetTraining(true);
    const torch::Tensor z = torch::randn({16, 2}, kDouble);
    const torch::Tensor v = torch::randn({16, 2}, kDouble);
    const std::vector<torch::Tensor> params = dec.Parameters();

    const torch::Tensor ours =
        RelaxedDistortionRatio(HutchinsonTraceMoments(dec, z, v, /*fused=*/variant != 2));
    const std::vector<torch::Tensor> g_ours = torch::autograd::grad({ours}, params);

    BatchFn f = [&](const torch::Tensor& x) { return dec.Forward(x); };
    const torch::Tensor zz = z.clone().requires_grad_(true);
    const torch::Tensor jv = Jvp(f, zz, v).value();
    const torch::Tensor jtjv = Vjp(f, zz, jv).value();
    const torch::Tensor ref =
        jtjv.pow(2).sum(1).mean() / jv.pow(2).flatten(1).sum(1).mean().pow(2);
    const std::vector<torch::Tensor> g_ref = torch::autograd::grad({ref}, params);

    EXPECT_NEAR(ours.item<double>(), ref.item<double>(), kRouteRelTol * ref.item<double>());
    EXPECT_LT(RelativeError(g_ours, g_ref), kRouteRelTol);
  }
}

TEST(RelaxedDistortionTest, MixupCoefficientsCoverMinusEtaToOnePlusEta) {
  // With two codes 0 and 1, every mixed value is d or 1 - d (or the code
  // itself when the permutation keeps it), so all lie in [-eta, 1 + eta].
  torch::manual_seed(7);
  const double eta = 0.2;
  const torch::Tensor z = torch::tensor({{0.0}, {1.0}}, kDouble);
  double lo = 1e9, hi = -1e9;
  for (int i = 0; i < 4000; ++i) {
    const torch::Tensor m = MixupLatents(z, eta);
    lo = std::min(lo, m.min().item<double>());
    hi = std::max(hi, m.max().item<double>());
  }
  EXPECT_GE(lo, -eta);
  EXPECT_LE(hi, 1 + eta);
  // 4000 uniform draws of width 1.4 reach within 0.01 of each end unless
  // something is wrong (miss probability < (1 - 0.01/1.4)^2000 < 1e-6).
  EXPECT_LT(lo, -eta + 0.01);
  EXPECT_GT(hi, 1 + eta - 0.01);
}

// In two dimensions: each mixed row lies on the line through its own code and
// one other code of the batch, with one coefficient for all coordinates, and
// the coefficients differ between rows.
TEST(RelaxedDistortionTest, MixupMixesWholeRowsWithOneCoefficientPerRow) {
  torch::manual_seed(9);
  const double eta = 0.2;
  const torch::Tensor z = torch::randn({6, 2}, kDouble);
  const torch::Tensor m = MixupLatents(z, eta);
  std::vector<double> coefficients;
  for (int64_t i = 0; i < 6; ++i) {
    if ((m[i] - z[i]).abs().max().item<double>() < 1e-12) continue;  // paired with itself
    bool found = false;
    for (int64_t j = 0; j < 6 && !found; ++j) {
      if (j == i) continue;
      const torch::Tensor diff = z[i] - z[j];
      const double d0 = ((m[i][0] - z[j][0]) / diff[0]).item<double>();
      const double d1 = ((m[i][1] - z[j][1]) / diff[1]).item<double>();
      if (std::abs(d0 - d1) < 1e-9) {
        found = true;
        EXPECT_GE(d0, -eta - 1e-12);
        EXPECT_LE(d0, 1 + eta + 1e-12);
        coefficients.push_back(d0);
      }
    }
    EXPECT_TRUE(found) << "row " << i << " is not on a line through z_i and another code";
  }
  ASSERT_GE(coefficients.size(), 2u);
  EXPECT_GT(*std::max_element(coefficients.begin(), coefficients.end()) -
                *std::min_element(coefficients.begin(), coefficients.end()),
            1e-6);
}

TEST(RelaxedDistortionTest, RegisteredEntryRejectsAnUnknownEstimator) {
  absl::StatusOr<MethodOptions> o = MethodOptions::Parse("estimator=magic");
  ASSERT_TRUE(o.ok());
  EXPECT_THAT(BuildMethod("irvae", *o).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("relaxed_distortion"), HasSubstr("magic"))));
  EXPECT_TRUE(BuildMethod("irvae:10", *MethodOptions::Parse("estimator=log,eta=0.5")).ok());
  EXPECT_THAT(BuildMethod("irvae", *MethodOptions::Parse("form=eq11")).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("eq11")));
  EXPECT_THAT(BuildMethod("irvae", *MethodOptions::Parse("form=eq10,estimator=log")).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("estimator=log")));
}

// form=eq10 is eq. 10's F = m^2 R - m of the same estimate.
TEST(RelaxedDistortionTest, Eq10FormIsMSquaredRatioMinusM) {
  torch::manual_seed(10);
  Sequential dec = SmoothDecoder(3, 5);
  const torch::Tensor z = torch::randn({8, 3}, kDouble);
  const double r = RelaxedDistortion(dec, z, DistortionEstimator::kExact).item<double>();
  Method m = BuildMethod("ae+relaxed_distortion:1",
                         *MethodOptions::Parse("form=eq10,estimator=exact,eta=-1"))
                 .value();
  Autoencoder ae;
  ae.decoder = std::move(dec);
  ae.latent_dim = 3;
  ForwardPass pass;
  pass.z = z;
  EXPECT_NEAR(m.terms()[0].regularizer->Loss(ae, pass).item<double>(), 9 * r - 3,
              kExactTol);
}

}  // namespace
}  // namespace isoae
