#include "baselines/objectives.h"

#include "third_party/torch_light.h"

#include <cmath>

#include "core/autoencoder.h"
#include "core/method.h"
#include "core/networks.h"
#include "core/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);
constexpr double kExactTol = 1e-12;

TEST(ObjectivesTest, MedianHeuristicOnAHandExample) {
  // Points 0, 1, 3 (1-D): squared distances 1, 9, 4 -> median 4.
  const torch::Tensor x = torch::tensor({{0.0}, {1.0}}, kDouble);
  const torch::Tensor y = torch::tensor({{3.0}}, kDouble);
  EXPECT_NEAR(MedianHeuristicBandwidth(x, y).item<double>(), 4.0, kExactTol);
}

TEST(ObjectivesTest, MmdMatchesTheUStatisticByHand) {
  const torch::Tensor x = torch::tensor({{0.0}, {1.0}}, kDouble);
  const torch::Tensor y = torch::tensor({{2.0}, {4.0}}, kDouble);
  const double h = 2.0;
  auto k = [&](double a, double b) { return std::exp(-(a - b) * (a - b) / h); };
  const double want = k(0, 1) + k(2, 4) -
                      2 * (k(0, 2) + k(0, 4) + k(1, 2) + k(1, 4)) / 4;
  EXPECT_NEAR(GaussianMmd(x, y, torch::tensor(h, kDouble)).item<double>(), want, kExactTol);
}

TEST(ObjectivesTest, MmdSeparatesDistributions) {
  torch::manual_seed(4);
  const torch::Tensor a = torch::randn({400, 2}, kDouble);
  const torch::Tensor b = torch::randn({400, 2}, kDouble);
  const torch::Tensor shifted = torch::randn({400, 2}, kDouble) + 1.5;
  const double same = GaussianMmd(a, b, MedianHeuristicBandwidth(a, b)).item<double>();
  const double diff = GaussianMmd(a, shifted, MedianHeuristicBandwidth(a, shifted)).item<double>();
  // Unbiased: same-distribution MMD^2 fluctuates around 0 at O(1/n).
  EXPECT_LT(std::abs(same), 0.02);
  EXPECT_GT(diff, 0.2);
}

Autoencoder SmallAe() {
  torch::manual_seed(5);
  return BuildAutoencoder(SymmetricMlp(4, 2, 8, 1), kDouble).value();
}

TEST(ObjectivesTest, DaeWithZeroNoiseIsTheAutoencoderAndNoiseReachesOnlyTheEncoder) {
  Autoencoder ae = SmallAe();
  const torch::Tensor x = torch::rand({8, 4}, kDouble);
  Method ae_method = BuildMethod("ae").value();
  Method dae0 = BuildMethod("dae", *MethodOptions::Parse("dae_sigma=0")).value();
  EXPECT_NEAR(dae0.Loss(ae, x).total.item<double>(), ae_method.Loss(ae, x).total.item<double>(),
              kExactTol);
  Method dae = BuildMethod("dae", *MethodOptions::Parse("dae_sigma=0.5")).value();
  torch::manual_seed(6);
  ForwardPass pass;
  LossTerms t = dae.Loss(ae, x, &pass);
  EXPECT_TRUE(pass.x.equal(x));  // the target stays clean
  // The encoder saw x + 0.5 eps with the eps drawn after seeding...
  torch::manual_seed(6);
  const torch::Tensor noisy = x + 0.5 * torch::randn_like(x);
  EXPECT_LT((pass.encoder_input - noisy).abs().max().item<double>(), kExactTol);
  // ... and the loss reconstructs the clean x from it.
  const torch::Tensor x_hat = ae.decoder.Forward(ae.encoder.Forward(noisy));
  EXPECT_NEAR(t.total.item<double>(), (x_hat - x).pow(2).sum(1).mean().item<double>(), 1e-10);
}

TEST(ObjectivesTest, WaeAddsTheWeightedMmd) {
  Autoencoder ae = SmallAe();
  const torch::Tensor x = torch::rand({16, 4}, kDouble);
  Method wae = BuildMethod("wae", *MethodOptions::Parse("wae_lambda=2")).value();
  torch::manual_seed(7);
  LossTerms t = wae.Loss(ae, x);
  // The MMD compares the codes with prior samples N(0, I) drawn after seeding.
  torch::manual_seed(7);
  const torch::Tensor z = ae.encoder.Forward(x);
  const torch::Tensor prior = torch::randn_like(z);
  const double want_mmd =
      GaussianMmd(z, prior, MedianHeuristicBandwidth(z, prior)).item<double>();
  double rec = 0, mmd = 0;
  for (auto& [name, v] : t.terms) {
    if (name == "L_rec") rec = v.item<double>();
    if (name == "mmd") mmd = v.item<double>();
  }
  EXPECT_NEAR(mmd, want_mmd, 1e-10);
  EXPECT_NEAR(t.total.item<double>(), rec + 2 * mmd, kExactTol);
  // A last batch of one item adds nothing (instead of 0/0).
  EXPECT_EQ(GaussianMmd(z.slice(0, 0, 1), prior.slice(0, 0, 1), torch::tensor(1.0, kDouble))
                .item<double>(),
            0.0);
}

TEST(ObjectivesTest, NegativeOptionsAreRejectedByName) {
  EXPECT_THAT(BuildMethod("dae", *MethodOptions::Parse("dae_sigma=-1")).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("dae_sigma")));
  EXPECT_THAT(BuildMethod("wae", *MethodOptions::Parse("wae_lambda=x")).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("wae_lambda")));
}

}  // namespace
}  // namespace isoae
