#include "core/vae.h"

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
// Closed forms evaluated in double: round-off only.
constexpr double kExactTol = 1e-12;

Vae SmallVae(bool learn_sigma = true, double sigma = 1.0) {
  torch::manual_seed(1);
  return BuildVae(SymmetricMlp(6, 2, 8, 1, /*encoder_out=*/4), kDouble,
                  {.learn_sigma = learn_sigma, .sigma = sigma})
      .value();
}

TEST(VaeTest, KlMatchesTheClosedForm) {
  // d = 1: mu = 1, sigma = 2 -> 1/2 (mu^2 + sigma^2 - log sigma^2 - 1) = 2 - log 2.
  GaussianCode one{torch::tensor({{1.0}}, kDouble), torch::tensor({{std::log(2.0)}}, kDouble)};
  EXPECT_NEAR(GaussianKl(one).item<double>(), 2 - std::log(2.0), kExactTol);
  // The prior itself has KL 0; dimensions add up.
  GaussianCode prior{torch::zeros({3, 4}, kDouble), torch::zeros({3, 4}, kDouble)};
  EXPECT_NEAR(GaussianKl(prior).abs().max().item<double>(), 0.0, kExactTol);
  GaussianCode two{torch::tensor({{1.0, 1.0}}, kDouble),
                   torch::tensor({{std::log(2.0), std::log(2.0)}}, kDouble)};
  EXPECT_NEAR(GaussianKl(two).item<double>(), 2 * (2 - std::log(2.0)), kExactTol);
}

TEST(VaeTest, NllIsTheIsotropicGaussianNegativeLogLikelihood) {
  // Two items: D counts the values of one item, and each item gets its own.
  const torch::Tensor x = torch::tensor({{0.0, 1.0, 2.0}, {1.0, 1.0, 1.0}}, kDouble);
  const torch::Tensor x_hat = torch::tensor({{0.5, 1.0, 1.0}, {1.0, 1.0, 1.0}}, kDouble);
  const double sigma = 0.7, d = 3, sq = 0.25 + 0 + 1;
  const double base = 0.5 * d * std::log(2 * M_PI * sigma * sigma);
  const torch::Tensor nll = GaussianNll(x, x_hat, torch::tensor(std::log(sigma), kDouble));
  ASSERT_EQ(nll.numel(), 2);
  EXPECT_NEAR(nll[0].item<double>(), base + sq / (2 * sigma * sigma), kExactTol);
  EXPECT_NEAR(nll[1].item<double>(), base, kExactTol);
}

TEST(VaeTest, LearnedSigmaIsStationaryAtTheMeanSquaredError) {
  // d/dlog(sigma) of D log sigma + S / (2 sigma^2) vanishes at sigma^2 = S / D.
  const torch::Tensor x = torch::rand({1, 5}, kDouble);
  const torch::Tensor x_hat = torch::rand({1, 5}, kDouble);
  const double s = (x - x_hat).pow(2).sum().item<double>();
  torch::Tensor log_sigma =
      torch::tensor(0.5 * std::log(s / 5), kDouble).requires_grad_(true);
  GaussianNll(x, x_hat, log_sigma).sum().backward();
  EXPECT_NEAR(log_sigma.grad().item<double>(), 0.0, 1e-10);
}

TEST(VaeTest, CodesAreTheMeanHalfAndSigmaIsAParameterOnlyWhenLearned) {
  Vae vae = SmallVae();
  const torch::Tensor x = torch::rand({5, 6}, kDouble);
  const torch::Tensor out = vae.encoder.Forward(x);
  EXPECT_TRUE(vae.Codes(x).equal(out.slice(1, 0, 2)));
  absl::StatusOr<torch::Tensor> enc = Encode(vae, x);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(enc->sizes(), (std::vector<int64_t>{5, 2}));
  EXPECT_EQ(vae.Parameters().size(), vae.encoder.Parameters().size() +
                                         vae.decoder.Parameters().size() + 1);
  Vae fixed = SmallVae(/*learn_sigma=*/false, 0.3);
  EXPECT_EQ(fixed.Parameters().size(),
            fixed.encoder.Parameters().size() + fixed.decoder.Parameters().size());
  EXPECT_NEAR(fixed.log_sigma.exp().item<double>(), 0.3, kExactTol);
  EXPECT_THAT(fixed.Fingerprint(), HasSubstr("fixed"));
  EXPECT_EQ(fixed.Fingerprint().rfind("vae", 0), 0u);
}

TEST(VaeTest, ObjectiveIsNllPlusKlOfAReparameterisedSample) {
  Vae vae = SmallVae();
  const torch::Tensor x = torch::rand({64, 6}, kDouble);
  Method m = BuildMethod("vae").value();
  torch::manual_seed(9);
  ForwardPass pass;
  LossTerms t = m.Loss(vae, x, &pass);
  const GaussianCode code = SplitGaussianCode(vae.encoder.Forward(x));
  // z = mu + sigma * eps with the eps drawn after seeding.
  torch::manual_seed(9);
  const torch::Tensor eps = torch::randn({64, 2}, kDouble);
  EXPECT_LT((pass.z - (code.mean + code.log_std.exp() * eps)).abs().max().item<double>(),
            kExactTol);
  const double want = GaussianNll(x, vae.decoder.Forward(pass.z), vae.log_sigma).mean().item<double>() +
                      GaussianKl(code).mean().item<double>();
  EXPECT_NEAR(t.total.item<double>(), want, 1e-10);
}

// The single-node halves of the objective change no bit of the composite
// expressions' values or gradients (float32, where a different rounding
// would show), whichever outputs the loss uses.
TEST(VaeTest, FusedObjectiveNodesAreBitForBitTheExpressions) {
  torch::manual_seed(4);
  const torch::Tensor eps = torch::randn({7, 3});
  const torch::Tensor r = torch::randn({7, 3});
  for (int use = 0; use < 3; ++use) {  // z and KL, z only, KL only
    SCOPED_TRACE(use);
    const torch::Tensor enc = (2 * torch::randn({7, 6})).requires_grad_();
    auto loss = [&](const torch::Tensor& z, const torch::Tensor& kl) {
      torch::Tensor l = torch::zeros({});
      if (use != 2) l = l + (z * r).sum() + z.pow(3).sum();
      if (use != 1) l = l + 3 * kl;
      return l;
    };
    const GaussianCode code = SplitGaussianCode(enc);
    const torch::Tensor z_ref = code.mean + code.log_std.exp() * eps;
    const torch::Tensor kl_ref = GaussianKl(code).mean();
    loss(z_ref, kl_ref).backward();
    const torch::Tensor g_ref = enc.grad().clone();
    enc.mutable_grad() = torch::Tensor();
    const SampledCode fused = SampleGaussianCode(enc, eps);
    loss(fused.z, fused.kl_mean).backward();
    EXPECT_TRUE(torch::equal(fused.z, z_ref));
    EXPECT_TRUE(torch::equal(fused.kl_mean, kl_ref));
    EXPECT_TRUE(torch::equal(enc.grad(), g_ref));
  }
  for (const bool image : {false, true}) {
    SCOPED_TRACE(image);
    const std::vector<int64_t> shape =
        image ? std::vector<int64_t>{5, 1, 3, 4} : std::vector<int64_t>{5, 12};
    const torch::Tensor x = torch::rand(shape).requires_grad_();
    const torch::Tensor x_hat = torch::rand(shape).requires_grad_();
    const torch::Tensor log_sigma = torch::full({}, -0.7).requires_grad_();
    const std::vector<torch::Tensor> in = {x, x_hat, log_sigma};
    const torch::Tensor ref = GaussianNll(x, x_hat, log_sigma).mean();
    (ref * 1.3).backward();
    std::vector<torch::Tensor> g_ref;
    for (auto t : in) {
      g_ref.push_back(t.grad().clone());
      t.mutable_grad() = torch::Tensor();
    }
    const torch::Tensor nll = GaussianNllMean(x, x_hat, log_sigma);
    (nll * 1.3).backward();
    EXPECT_TRUE(torch::equal(nll, ref));
    for (size_t i = 0; i < in.size(); ++i) EXPECT_TRUE(torch::equal(in[i].grad(), g_ref[i])) << i;
  }
  const torch::Tensor enc = torch::randn({4, 4}).requires_grad_();
  const SampledCode s = SampleGaussianCode(enc, torch::randn({4, 2}));
  EXPECT_THROW(torch::autograd::grad({s.kl_mean}, {enc}, {}, true, /*create_graph=*/true),
               c10::Error);
  EXPECT_THROW(SampleGaussianCode(enc, torch::randn({4, 3})), c10::Error);
  EXPECT_THROW(SampleGaussianCode(enc, torch::randn({4, 2}).requires_grad_()), c10::Error);
  EXPECT_THROW(GaussianNllMean(torch::rand({4, 3}), torch::rand({4, 2}), torch::zeros({})),
               c10::Error);
}

TEST(VaeTest, BadShapesAndSigmaAreRejected) {
  EXPECT_THAT(BuildVae(SymmetricMlp(6, 2, 8, 1, /*encoder_out=*/3), kDouble).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[2d]")));
  EXPECT_THAT(BuildVae(SymmetricMlp(6, 3, 8, 1, /*encoder_out=*/4), kDouble).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("decoder input")));
  EXPECT_THAT(BuildVae(SymmetricMlp(6, 2, 8, 1, 4), kDouble, {.sigma = 0}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sigma")));
  EXPECT_THAT(BuildVae(SymmetricMlp(6, 2, 8, 1, 4), kDouble, {.sigma = NAN}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sigma")));
}

}  // namespace
}  // namespace isoae
