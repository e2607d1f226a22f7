#include "baselines/jacobian_penalties.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/method.h"
#include "core/model_builder.h"
#include "core/networks.h"
#include "core/testing/jacobian.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::AutogradJacobian;
using ::isoae::testing::FiniteDifferenceGradients;
using ::isoae::testing::LinearMap;
using ::isoae::testing::RelativeError;

const auto kDouble = at::TensorOptions().dtype(at::kDouble);

TEST(JacobianPenaltiesTest, LinearMapsGiveTheFrobeniusNormExactly) {
  at::manual_seed(1);
  const at::Tensor a = at::randn({5, 3}, kDouble);  // decoder R^3 -> R^5
  Sequential dec = LinearMap(a);
  const at::Tensor z = at::randn({4, 3}, kDouble);
  const at::Tensor exact = MapJacobianSqNorm(dec, z, /*exact=*/true);
  const double fro = a.pow(2).sum().item<double>();
  for (int64_t i = 0; i < 4; ++i) EXPECT_NEAR(exact[i].item<double>(), fro, 1e-12 * fro);

  // Encoder R^5 -> R^4 whose first 2 outputs are the code (a VAE's mean
  // half): only those rows count.
  const at::Tensor b = at::randn({4, 5}, kDouble);
  Sequential enc = LinearMap(b);
  std::vector<at::Tensor> inputs;
  enc.ForwardRecording(at::randn({3, 5}, kDouble), &inputs);
  const at::Tensor e = EncoderJacobianSqNorm(enc, inputs, 2, 4, /*exact=*/true);
  const double fro_mean = b.narrow(0, 0, 2).pow(2).sum().item<double>();
  for (int64_t i = 0; i < 3; ++i) EXPECT_NEAR(e[i].item<double>(), fro_mean, 1e-12 * fro_mean);
}

TEST(JacobianPenaltiesTest, OneProbeIsUnbiased) {
  at::manual_seed(2);
  const at::Tensor a = at::randn({6, 3}, kDouble);
  Sequential dec = LinearMap(a);
  const int64_t n = 20000;
  const at::Tensor z = at::zeros({n, 3}, kDouble);
  const at::Tensor est = MapJacobianSqNorm(dec, z, /*exact=*/false);
  const double fro = a.pow(2).sum().item<double>();
  const double se = est.std().item<double>() / std::sqrt(static_cast<double>(n));
  EXPECT_LT(std::abs(est.mean().item<double>() - fro), 5 * se);
  EXPECT_GT(est.std().item<double>(), 0.1 * fro);  // a real estimator, not the exact value

  const at::Tensor b = at::randn({3, 6}, kDouble);
  Sequential enc = LinearMap(b);
  std::vector<at::Tensor> inputs;
  enc.ForwardRecording(at::zeros({n, 6}, kDouble), &inputs);
  // The first 2 of 3 outputs as the code (a VAE's mean half): the probe
  // covers only those rows.
  const at::Tensor e = EncoderJacobianSqNorm(enc, inputs, 2, 3, /*exact=*/false);
  const double fb = b.narrow(0, 0, 2).pow(2).sum().item<double>();
  const double se_b = e.std().item<double>() / std::sqrt(static_cast<double>(n));
  EXPECT_LT(std::abs(e.mean().item<double>() - fb), 5 * se_b);
}

TEST(JacobianPenaltiesTest, NonlinearNetworksMatchAutogradJacobians) {
  at::manual_seed(3);
  AutoencoderConfig cfg = SymmetricMlp(5, 3, 8, 2);
  std::unique_ptr<Model> ae = BuildModel(ModelKind::kAutoencoder, cfg, kDouble).value();
  ae->SetTraining(false);
  const at::Tensor x = at::randn({3, 5}, kDouble);
  std::vector<at::Tensor> inputs;
  const at::Tensor z = ae->EncoderNet().ForwardRecording(x, &inputs);
  const at::Tensor enc = EncoderJacobianSqNorm(ae->EncoderNet(), inputs, 3, 3, true);
  const at::Tensor dec = MapJacobianSqNorm(ae->DecoderMap(), z.detach(), true);
  for (int64_t i = 0; i < 3; ++i) {
    const at::Tensor je = AutogradJacobian(
        [&](const at::Tensor& v) { return ae->EncoderNet().Forward(v); }, x.narrow(0, i, 1));
    EXPECT_NEAR(enc[i].item<double>(), je.pow(2).sum().item<double>(), 1e-10);
    const at::Tensor jd = AutogradJacobian(
        [&](const at::Tensor& v) { return ae->DecoderMap().Forward(Dual{v, at::Tensor()}).value; },
        z.detach().narrow(0, i, 1));
    EXPECT_NEAR(dec[i].item<double>(), jd.pow(2).sum().item<double>(), 1e-10);
  }
}

// The penalties train the weights through the tangent / VJP ops alone: their
// parameter gradients equal central finite differences.
TEST(JacobianPenaltiesTest, ParameterGradientsMatchFiniteDifferences) {
  at::manual_seed(4);
  std::unique_ptr<Model> ae =
      BuildModel(ModelKind::kAutoencoder, SymmetricMlp(4, 2, 6, 2), kDouble).value();
  const at::Tensor x = at::randn({3, 4}, kDouble);
  for (const std::string spec : {"ae+contractive", "ae+decoder_gp"}) {
    SCOPED_TRACE(spec);
    Method m = BuildMethod(spec).value();
    auto loss = [&] {
      ForwardPass pass;
      m.Loss(*ae, x, &pass);
      return m.terms()[0].regularizer->Loss(*ae, pass);
    };
    const std::vector<at::Tensor> params = ae->Parameters();
    const std::vector<at::Tensor> g =
        torch::autograd::grad({loss()}, params, {}, false, false, /*allow_unused=*/true);
    std::vector<at::Tensor> grads;
    for (size_t i = 0; i < g.size(); ++i) {
      grads.push_back(g[i].defined() ? g[i] : at::zeros_like(params[i]));
    }
    const std::vector<at::Tensor> fd =
        FiniteDifferenceGradients([&] { return loss().item<double>(); }, params, 1e-6);
    EXPECT_LT(RelativeError(grads, fd), 1e-6);
  }
}

TEST(JacobianPenaltiesTest, WeightPenaltiesAreClosedForms) {
  at::manual_seed(5);
  std::unique_ptr<Model> ae =
      BuildModel(ModelKind::kAutoencoder, SymmetricMlp(4, 2, 6, 2), kDouble).value();
  const at::Tensor x = at::randn({3, 4}, kDouble);
  double all = 0, dec = 0;
  for (const at::Tensor& p : ae->Parameters()) all += p.pow(2).sum().item<double>();
  std::vector<NamedTensor> dp;
  ae->DecoderMap().AppendParameters("", &dp);
  for (const NamedTensor& p : dp) dec += p.tensor.pow(2).sum().item<double>();
  std::map<std::string, double> terms;
  for (const char* spec : {"aew", "rae_l2"}) {
    Method m = BuildMethod(spec).value();
    for (const auto& [name, value] : m.Loss(*ae, x).terms) terms[name] = value.item<double>();
  }
  EXPECT_NEAR(terms["weight_decay"], 0.5 * all, 1e-12 * all);
  EXPECT_NEAR(terms["decoder_l2"], dec, 1e-12 * dec);
}

TEST(JacobianPenaltiesTest, RegistryEntriesAndErrors) {
  for (const char* alias : {"cae", "rae_gp", "rae_l2", "aew"}) {
    EXPECT_TRUE(BuildMethod(alias).ok()) << alias;
  }
  EXPECT_EQ(BuildMethod("cae").value().Describe(), "ae+contractive:0.01");
  absl::StatusOr<Method> bad =
      BuildMethod("ae+contractive", MethodOptions(std::map<std::string, std::string>{
                                        {"jacobian_estimator", "bogus"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"bogus\""), std::string::npos);
}

}  // namespace
}  // namespace isoae
