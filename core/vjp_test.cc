#include "core/vjp.h"

#include "third_party/torch_light.h"

#include "core/status_matchers.h"
#include "core/tangent_layers.h"
#include "core/testing/jacobian.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::ReferenceJvp;
using ::isoae::testing::ReferenceVjp;
using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);
constexpr double kTol = 1e-12;  // same products, different summation order

Sequential Net() {
  torch::manual_seed(41);
  Sequential net;
  net.Add(MakeLinear(4, 6, true, kDouble));
  net.Add(MakeTanh());
  net.Add(MakeLinear(6, 3, true, kDouble));
  return net;
}

TEST(VjpTest, MatchesExplicitJacobianAndTangentLayers) {
  Sequential net = Net();
  BatchFn f = [&](const at::Tensor& x) { return net.Forward(x); };
  torch::Tensor x = torch::randn({5, 4}, kDouble);
  torch::Tensor u = torch::randn({5, 3}, kDouble);
  ISOAE_ASSERT_OK_AND_ASSIGN(torch::Tensor vjp, Vjp(f, x, u));
  EXPECT_LT((vjp - ReferenceVjp(f, x, u)).abs().max().item<double>(), kTol);
  std::vector<torch::Tensor> inputs;
  net.ForwardRecording(x, &inputs);
  EXPECT_LT((vjp - net.Vjp(inputs, u)).abs().max().item<double>(), kTol);

  torch::Tensor t = torch::randn({5, 4}, kDouble);
  ISOAE_ASSERT_OK_AND_ASSIGN(torch::Tensor jvp, Jvp(f, x, t));
  torch::Tensor ref = ReferenceJvp(f, x, t.unsqueeze(1), /*per_sample=*/true).squeeze(1);
  EXPECT_LT((jvp - ref).abs().max().item<double>(), kTol);
  // Differentiable: a loss on the product reaches the parameters.
  torch::Tensor w = net.Parameters()[0];
  auto g = torch::autograd::grad({jvp.pow(2).sum()}, {w});
  EXPECT_GT(g[0].abs().sum().item<double>(), 0);
}

TEST(VjpTest, ShapeMismatchesAreInvalidArgument) {
  Sequential net = Net();
  BatchFn f = [&](const at::Tensor& x) { return net.Forward(x); };
  torch::Tensor x = torch::randn({5, 4}, kDouble);
  EXPECT_THAT(Vjp(f, x, torch::randn({5, 4}, kDouble)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("u has shape [5,4] but g(x) has shape [5,3]")));
  EXPECT_THAT(Jvp(f, x, torch::randn({5, 3}, kDouble)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("t has shape [5,3]")));
  EXPECT_THAT(Vjp(f, torch::ones({5, 4}, torch::kInt64), torch::randn({5, 3}, kDouble)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("floating-point")));
  // A LibTorch failure inside the function becomes kInternal.
  EXPECT_THAT(Vjp(f, torch::randn({5, 7}, kDouble), torch::randn({5, 3}, kDouble)),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("Vjp")));
}

}  // namespace
}  // namespace isoae
