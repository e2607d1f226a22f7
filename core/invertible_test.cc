#include "core/invertible.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "core/testing/jacobian.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::AutogradJacobian;
using ::isoae::testing::FiniteDifferenceGradients;
using ::isoae::testing::LinearMap;
using ::isoae::testing::ReferenceJvp;
using ::isoae::testing::ReferenceVjp;
using ::isoae::testing::RelativeError;

const auto kDouble = at::TensorOptions().dtype(at::kDouble);
constexpr double kTol = 1e-10;

// A Real NVP in double whose conditioners are far from the zero (identity)
// initialisation: every parameter redrawn from N(0, 0.3^2).
Flow RandomFlow(int64_t dim, const std::string& activation, int64_t depth = 4) {
  RealNvpOptions o;
  o.depth = depth;
  o.hidden = 16;
  o.hidden_layers = 2;
  o.activation = activation;
  absl::StatusOr<Flow> flow = MakeRealNvp(dim, o, kDouble);
  EXPECT_TRUE(flow.ok()) << flow.status();
  at::NoGradGuard no_grad;
  for (at::Tensor& p : flow->Parameters()) p.normal_(0, 0.3);
  return std::move(*flow);
}

struct Case {
  int64_t dim;
  const char* activation;
};
const Case kCases[] = {{2, "tanh"}, {3, "elu"}, {3, "relu"}, {1, "tanh"}};

TEST(InvertibleTest, InverseUndoesForwardAndTheMapIsNotTrivial) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.activation);
    at::manual_seed(1);
    Flow flow = RandomFlow(c.dim, c.activation);
    const at::Tensor x = at::randn({6, c.dim}, kDouble);
    const at::Tensor y = flow.Forward(x);
    EXPECT_GT((y - x).abs().max().item<double>(), 0.1);
    EXPECT_LT((flow.Inverse(y) - x).abs().max().item<double>(), 1e-12);
    EXPECT_LT((flow.Forward(flow.Inverse(x)) - x).abs().max().item<double>(), 1e-12);
  }
}

TEST(InvertibleTest, RealNvpStartsAsTheIdentity) {
  at::manual_seed(2);
  absl::StatusOr<Flow> flow = MakeRealNvp(2, RealNvpOptions{}, kDouble);
  ASSERT_TRUE(flow.ok());
  EXPECT_EQ(flow->size(), 8u);
  const at::Tensor x = at::randn({5, 2}, kDouble);
  EXPECT_TRUE(at::equal(flow->Forward(x), x));
  EXPECT_TRUE(at::equal(flow->LogAbsDetJacobian(x), at::zeros({5}, kDouble)));
  // 8 couplings of Linear(2,512) ReLU Linear(512,512) ReLU Linear(512,4).
  const int64_t per_layer = (2 * 512 + 512) + (512 * 512 + 512) + (512 * 4 + 4);
  int64_t n = 0;
  for (const at::Tensor& p : flow->Parameters()) n += p.numel();
  EXPECT_EQ(n, 8 * per_layer);
}

TEST(InvertibleTest, TangentsMatchAutogradJacobiansBothWays) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.activation);
    at::manual_seed(3);
    Flow flow = RandomFlow(c.dim, c.activation);
    const at::Tensor x = at::randn({4, c.dim}, kDouble);
    const at::Tensor t = at::randn({4, 3, c.dim}, kDouble);
    const Dual fwd = flow.Forward(Dual{x, t});
    const at::Tensor ref = ReferenceJvp([&](const at::Tensor& v) { return flow.Forward(v); }, x,
                                        t, /*per_sample=*/true);
    EXPECT_LT(RelativeError({fwd.tangent}, {ref}), kTol);
    const Dual inv = flow.Inverse(Dual{x, t});
    const at::Tensor ref_inv = ReferenceJvp(
        [&](const at::Tensor& v) { return flow.Inverse(v); }, x, t, /*per_sample=*/true);
    EXPECT_LT(RelativeError({inv.tangent}, {ref_inv}), kTol);
    // The two Jacobians are inverse matrices: J_{h^-1}(h(x)) J_h(x) T = T.
    const Dual back = flow.Inverse(fwd);
    EXPECT_LT(RelativeError({back.tangent}, {t}), kTol);
  }
}

TEST(InvertibleTest, VjpsMatchAutogradAndSavingVariantsAgree) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.activation);
    at::manual_seed(4);
    Flow flow = RandomFlow(c.dim, c.activation);
    const at::Tensor x = at::randn({5, c.dim}, kDouble);
    const at::Tensor g = at::randn({5, c.dim}, kDouble);
    const at::Tensor ref =
        ReferenceVjp([&](const at::Tensor& v) { return flow.Forward(v); }, x, g);
    EXPECT_LT(RelativeError({flow.Vjp(x, g)}, {ref}), kTol);
    const at::Tensor ref_inv =
        ReferenceVjp([&](const at::Tensor& v) { return flow.Inverse(v); }, x, g);
    EXPECT_LT(RelativeError({flow.InverseVjp(x, g)}, {ref_inv}), kTol);

    std::vector<at::Tensor> saved;
    flow.ForwardSaving(Dual{x, at::Tensor()}, &saved);
    EXPECT_LT(RelativeError({flow.VjpSaved(&saved, g)}, {ref}), kTol);
    EXPECT_TRUE(saved.empty());
    flow.InverseSaving(Dual{x, at::Tensor()}, &saved);
    EXPECT_LT(RelativeError({flow.InverseVjpSaved(&saved, g)}, {ref_inv}), kTol);
    EXPECT_TRUE(saved.empty());
  }
}

TEST(InvertibleTest, LogDetMatchesBruteForceDeterminant) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.activation);
    at::manual_seed(5);
    Flow flow = RandomFlow(c.dim, c.activation);
    const at::Tensor x = at::randn({3, c.dim}, kDouble);
    const at::Tensor logdet = flow.LogAbsDetJacobian(x);
    for (int64_t b = 0; b < 3; ++b) {
      const at::Tensor jac =
          AutogradJacobian([&](const at::Tensor& v) { return flow.Forward(v); },
                           x.narrow(0, b, 1));
      const double ref = std::get<1>(at::linalg_slogdet(jac)).item<double>();
      EXPECT_NEAR(logdet[b].item<double>(), ref, 1e-10);
      EXPECT_GT(std::abs(ref), 1e-3);  // a non-volume-preserving map
    }
    // log|det J_{h^-1}(h(x))| = -log|det J_h(x)|.
    const at::Tensor y = flow.Forward(x);
    const at::Tensor jinv = AutogradJacobian(
        [&](const at::Tensor& v) { return flow.Inverse(v); }, y.narrow(0, 0, 1));
    EXPECT_NEAR(std::get<1>(at::linalg_slogdet(jinv)).item<double>(), -logdet[0].item<double>(),
                1e-10);
  }
}

// A loss of the tangents and of the pull-back of f o h^-1 (what flattening
// trains: ||J v||^2 and ||J^T J v||^2) has parameter gradients equal to
// central finite differences.
TEST(InvertibleTest, JacobianLossParameterGradientsMatchFiniteDifferences) {
  at::manual_seed(6);
  Flow flow = RandomFlow(2, "tanh", /*depth=*/3);
  Sequential decoder = LinearMap(at::randn({5, 2}, kDouble));
  std::unique_ptr<Layer> inverse = InverseOf(flow);
  std::unique_ptr<Layer> fh = Compose(*inverse, decoder);
  const at::Tensor z = at::randn({4, 2}, kDouble);
  const at::Tensor v = at::randn({4, 2}, kDouble);
  auto loss = [&] {
    std::vector<at::Tensor> saved;
    const Dual out = fh->ForwardSaving(Dual{z, v.unsqueeze(1)}, &saved);
    const at::Tensor jv = out.tangent.squeeze(1);
    const at::Tensor jtjv = fh->VjpSaved(&saved, jv);
    return jv.pow(2).sum() / jtjv.pow(2).sum().sqrt() + out.value.pow(2).sum();
  };
  const std::vector<at::Tensor> params = flow.Parameters();
  const at::Tensor l = loss();
  const std::vector<at::Tensor> grads = torch::autograd::grad({l}, params);
  const std::vector<at::Tensor> fd =
      FiniteDifferenceGradients([&] { return loss().item<double>(); }, params, 1e-6);
  EXPECT_LT(RelativeError(grads, fd), 1e-6);
}

// What the relaxed distortion of f o h^-1 computes (IRVAE eq. 10): J v from
// the saving tangent pass and J^T (J v) from the saved pull-back, against
// autograd references of the composed map.
TEST(InvertibleTest, SavedTangentAndPullbackOfTheComposedMapMatchAutograd) {
  at::manual_seed(9);
  Flow flow = RandomFlow(3, "tanh");
  Sequential decoder = LinearMap(at::randn({5, 3}, kDouble));
  std::unique_ptr<Layer> inverse = InverseOf(flow);
  std::unique_ptr<Layer> fh = Compose(*inverse, decoder);
  const at::Tensor z = at::randn({4, 3}, kDouble);
  const at::Tensor v = at::randn({4, 3}, kDouble);
  std::vector<at::Tensor> saved;
  const Dual out = fh->ForwardSaving(Dual{z, v.unsqueeze(1)}, &saved);
  const at::Tensor jv = out.tangent.squeeze(1);
  const at::Tensor jtjv = fh->VjpSaved(&saved, jv);
  EXPECT_TRUE(saved.empty());
  auto value = [&](const at::Tensor& x) { return fh->Forward(Dual{x, at::Tensor()}).value; };
  const at::Tensor ref_jv = ReferenceJvp(value, z, v.unsqueeze(1), /*per_sample=*/true).squeeze(1);
  EXPECT_LT(RelativeError({jv}, {ref_jv}), kTol);
  EXPECT_LT(RelativeError({jtjv}, {ReferenceVjp(value, z, ref_jv)}), kTol);
  // The flow's own saving pass with tangents agrees with its plain pass.
  std::vector<at::Tensor> s2;
  const Dual a = flow.InverseSaving(Dual{z, v.unsqueeze(1)}, &s2);
  const Dual b = flow.Inverse(Dual{z, v.unsqueeze(1)});
  EXPECT_LT(RelativeError({a.value, a.tangent}, {b.value, b.tangent}), kTol);
}

TEST(InvertibleTest, ComposeChainsTangentsAndVjps) {
  at::manual_seed(7);
  Flow flow = RandomFlow(3, "elu");
  const at::Tensor a = at::randn({4, 3}, kDouble);
  Sequential decoder = LinearMap(a);
  std::unique_ptr<Layer> inverse = InverseOf(flow);
  std::unique_ptr<Layer> fh = Compose(*inverse, decoder);
  const at::Tensor z = at::randn({2, 3}, kDouble);
  const at::Tensor t = at::randn({2, 2, 3}, kDouble);
  const Dual out = fh->Forward(Dual{z, t});
  EXPECT_LT(RelativeError({out.value}, {at::matmul(flow.Inverse(z), a.t())}), kTol);
  EXPECT_LT(RelativeError({out.tangent},
                          {at::matmul(flow.Inverse(Dual{z, t}).tangent, a.t())}),
            kTol);
  const at::Tensor c = at::randn({2, 4}, kDouble);
  EXPECT_LT(RelativeError({fh->Vjp(z, c)}, {flow.InverseVjp(z, at::matmul(c, a))}), kTol);
  EXPECT_NE(fh->Describe().find("Inverse(Flow["), std::string::npos);
}

TEST(InvertibleTest, RealNvpRejectsNonsenseOptions) {
  RealNvpOptions o;
  o.depth = 0;
  EXPECT_NE(MakeRealNvp(2, o, kDouble).status().message().find("depth 0"), std::string::npos);
  o = RealNvpOptions{};
  o.hidden = 0;
  EXPECT_NE(MakeRealNvp(2, o, kDouble).status().message().find("width 0"), std::string::npos);
  o = RealNvpOptions{};
  o.activation = "sigmoid";
  EXPECT_NE(MakeRealNvp(2, o, kDouble).status().message().find("\"sigmoid\""),
            std::string::npos);
  EXPECT_EQ(MakeRealNvp(0, RealNvpOptions{}, kDouble).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace isoae
