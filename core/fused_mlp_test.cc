#include "core/fused_mlp.h"

#include "third_party/torch_light.h"

#include <string>
#include <vector>

#include "core/tangent_layers.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

// Every activation the fused nodes take, a layer without one in the middle,
// and a sigmoid output as the IRVAE decoders have.
Sequential MixedMlp(int64_t in, int64_t out, const torch::TensorOptions& o,
                    bool sigmoid_output = true) {
  Sequential net;
  net.Add(MakeLinear(in, 12, true, o));
  net.Add(MakeReLU());
  net.Add(MakeLinear(12, 10, true, o));
  net.Add(MakeTanh());
  net.Add(MakeLinear(10, 9, false, o));
  net.Add(MakeLinear(9, 11, true, o));
  net.Add(MakeReLU());
  net.Add(MakeLinear(11, out, true, o));
  if (sigmoid_output) net.Add(MakeSigmoid());
  return net;
}

std::vector<torch::Tensor> Grads(const std::vector<torch::Tensor>& ts) {
  std::vector<torch::Tensor> g;
  for (const auto& t : ts) g.push_back(t.grad().defined() ? t.grad().clone() : torch::Tensor());
  return g;
}

void ClearGrads(const std::vector<torch::Tensor>& ts) {
  for (auto t : ts) t.mutable_grad() = torch::Tensor();
}

TEST(FusedMlpTest, PlainMlpViewTakesOnlyLinearActivationChains) {
  const auto o = torch::TensorOptions();
  torch::manual_seed(0);
  Sequential mixed = MixedMlp(3, 5, o);
  auto view = PlainMlpView(mixed);
  ASSERT_TRUE(view.has_value());
  ASSERT_EQ(view->size(), 5u);
  EXPECT_EQ((*view)[0].activation, MlpActivation::kReLU);
  EXPECT_EQ((*view)[1].activation, MlpActivation::kTanh);
  EXPECT_EQ((*view)[2].activation, MlpActivation::kNone);
  EXPECT_FALSE((*view)[2].bias.defined());
  EXPECT_EQ((*view)[4].activation, MlpActivation::kSigmoid);
  EXPECT_TRUE((*view)[0].weight.is_same(mixed.Parameters()[0]));

  Sequential softplus;
  softplus.Add(MakeLinear(3, 4, true, o));
  softplus.Add(MakeSoftplus(100));
  EXPECT_FALSE(PlainMlpView(softplus).has_value());
  Sequential twice;
  twice.Add(MakeLinear(3, 4, true, o));
  twice.Add(MakeReLU());
  twice.Add(MakeReLU());
  EXPECT_FALSE(PlainMlpView(twice).has_value());
  Sequential leading;
  leading.Add(MakeReLU());
  leading.Add(MakeLinear(3, 4, true, o));
  EXPECT_FALSE(PlainMlpView(leading).has_value());
  Sequential sn;
  sn.Add(MakeSpectralNormLinear(3, 4, true, o));
  EXPECT_FALSE(PlainMlpView(sn).has_value());
  Sequential bn;
  bn.Add(MakeLinear(3, 4, true, o));
  bn.Add(MakeBatchNorm(4, 0, o));
  EXPECT_FALSE(PlainMlpView(bn).has_value());
  Sequential empty;
  EXPECT_FALSE(PlainMlpView(empty).has_value());
  EXPECT_FALSE(PlainMlpView(*MakeLinear(3, 4, true, o)).has_value());
}

// The value node replaces autograd's chain without changing one bit: the
// training runs in docs/results.md reproduce through it.
TEST(FusedMlpTest, MlpForwardIsBitForBitTheLayerPass) {
  torch::manual_seed(1);
  Sequential net = MixedMlp(3, 7, torch::TensorOptions());
  const auto view = PlainMlpView(net).value();
  std::vector<torch::Tensor> params = net.Parameters();
  const torch::Tensor r = torch::randn({20, 7});
  for (const bool column_major : {false, true}) {
    for (const bool input_grad : {false, true}) {
      SCOPED_TRACE(testing::Message() << "column_major " << column_major << " input_grad "
                                      << input_grad);
      torch::Tensor x = torch::randn({20, 3});
      if (column_major) x = x.t().contiguous().t();
      x.set_requires_grad(input_grad);
      std::vector<torch::Tensor> all = params;
      all.push_back(x);
      ClearGrads(all);
      const torch::Tensor ref = net.Forward(x);
      (ref * r).sum().backward();
      const std::vector<torch::Tensor> ref_grads = Grads(all);
      ClearGrads(all);
      const torch::Tensor y = MlpForward(view, x);
      ASSERT_TRUE(y.requires_grad());
      (y * r).sum().backward();
      const std::vector<torch::Tensor> grads = Grads(all);
      EXPECT_TRUE(torch::equal(y, ref));
      for (size_t i = 0; i < all.size(); ++i) {
        ASSERT_EQ(grads[i].defined(), ref_grads[i].defined()) << i;
        if (grads[i].defined()) {
          EXPECT_TRUE(torch::equal(grads[i], ref_grads[i])) << i;
        }
      }
    }
  }
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({4, 3});
  const torch::Tensor y = MlpForward(view, x);
  EXPECT_FALSE(y.requires_grad());
  EXPECT_TRUE(torch::equal(y, net.Forward(x)));
}

// Reference: Layer::ForwardSaving / VjpSaved, one tangent at a time.
struct JetRef {
  torch::Tensor tangent, pullback;
};
JetRef LayerPassJet(Sequential& net, const torch::Tensor& z, const torch::Tensor& t) {
  std::vector<torch::Tensor> tangents, pullbacks;
  for (int64_t j = 0; j < t.size(1); ++j) {
    std::vector<at::Tensor> saved;
    Dual out = net.ForwardSaving(Dual{z, t.slice(1, j, j + 1)}, &saved);
    tangents.push_back(out.tangent);
    pullbacks.push_back(net.VjpSaved(&saved, out.tangent.squeeze(1)).unsqueeze(1));
  }
  return {torch::cat(tangents, 1), torch::cat(pullbacks, 1)};
}

// Values and every gradient (parameters, z, the tangents) of a loss of J T and
// J^T J T against the layer passes and autograd, in float64: the hand-written
// adjoints of the three chains, second derivatives of tanh and sigmoid
// included. A dropped term of any chain shows as an O(1) relative error.
TEST(FusedMlpTest, MlpTangentsMatchesTheLayerPassesAndAutograd) {
  const auto o = torch::TensorOptions().dtype(torch::kFloat64);
  for (const bool sigmoid_output : {true, false}) {
  torch::manual_seed(2);
  Sequential net = MixedMlp(3, 6, o, sigmoid_output);
  const auto view = PlainMlpView(net).value();
  std::vector<torch::Tensor> params = net.Parameters();
  for (const int64_t k : {1, 2}) {
    // use: 0 both outputs, 1 the tangent only, 2 the pullback only.
    for (const int use : {0, 1, 2}) {
      const bool pullback = use != 1;
      SCOPED_TRACE(testing::Message() << "sigmoid output " << sigmoid_output << " k " << k
                                      << " use " << use);
      const torch::Tensor z = torch::randn({9, 3}, o).requires_grad_();
      const torch::Tensor t = torch::randn({9, k, 3}, o).requires_grad_();
      const torch::Tensor r1 = torch::randn({9, k, 6}, o);
      const torch::Tensor r2 = torch::randn({9, k, 3}, o);
      std::vector<torch::Tensor> all = params;
      all.push_back(z);
      all.push_back(t);
      auto loss = [&](const torch::Tensor& tan, const torch::Tensor& pb) {
        // Nonlinear in J T, so the pullback's cotangent and the direct
        // gradient of J T both matter.
        torch::Tensor l = torch::zeros({}, o);
        if (use != 2) l = l + (tan * r1).sum() + tan.pow(2).sum().sqrt();
        if (use != 1) l = l + (pb * r2).sum() + 0.1 * pb.pow(2).sum();
        return l;
      };
      ClearGrads(all);
      const JetRef ref = LayerPassJet(net, z, t);
      loss(ref.tangent, ref.pullback).backward();
      const std::vector<torch::Tensor> ref_grads = Grads(all);
      ClearGrads(all);
      const MlpJet jet = MlpTangents(view, z, t, pullback);
      ASSERT_EQ(jet.pullback.defined(), pullback);
      loss(jet.tangent, jet.pullback).backward();
      const std::vector<torch::Tensor> grads = Grads(all);
      EXPECT_TRUE(torch::allclose(jet.tangent, ref.tangent, 1e-12, 1e-12));
      if (pullback) {
        EXPECT_TRUE(torch::allclose(jet.pullback, ref.pullback, 1e-12, 1e-12));
      }
      for (size_t i = 0; i < all.size(); ++i) {
        // An undefined gradient is a zero one (a bias that only moves the
        // value, or through ReLU masks only).
        const torch::Tensor want =
            ref_grads[i].defined() ? ref_grads[i] : torch::zeros_like(all[i]);
        const torch::Tensor got = grads[i].defined() ? grads[i] : torch::zeros_like(all[i]);
        const double scale = want.abs().max().item<double>();
        const double err = (got - want).abs().max().item<double>();
        EXPECT_LE(err, 1e-11 * scale) << "input " << i;
      }
      torch::NoGradGuard no_grad;
      const MlpJet plain = MlpTangents(view, z, t, pullback);
      EXPECT_FALSE(plain.tangent.requires_grad());
      EXPECT_TRUE(torch::equal(plain.tangent, jet.tangent));
    }
  }
  }
}

// The Gram outputs against Gram matrices formed from the layer passes'
// vectors, values and gradients, float64.
TEST(FusedMlpTest, MlpTangentGramsMatchGramsOfTheLayerPasses) {
  const auto o = torch::TensorOptions().dtype(torch::kFloat64);
  torch::manual_seed(5);
  Sequential net = MixedMlp(3, 6, o);
  const auto view = PlainMlpView(net).value();
  std::vector<torch::Tensor> params = net.Parameters();
  for (const int64_t k : {1, 2, 3}) {
    SCOPED_TRACE(testing::Message() << "k " << k);
    const torch::Tensor z = torch::randn({9, 3}, o).requires_grad_();
    const torch::Tensor t = torch::randn({9, k, 3}, o);
    const torch::Tensor r1 = torch::randn({9, k, k}, o);
    const torch::Tensor r2 = torch::randn({9, k, k}, o);
    std::vector<torch::Tensor> all = params;
    all.push_back(z);
    auto loss = [&](const torch::Tensor& gt, const torch::Tensor& gp) {
      return (gt * r1).sum() + gt.pow(2).sum().sqrt() + (gp * r2).sum();
    };
    ClearGrads(all);
    const JetRef ref = LayerPassJet(net, z, t);
    const torch::Tensor ref_gt = torch::matmul(ref.tangent, ref.tangent.transpose(1, 2));
    const torch::Tensor ref_gp = torch::matmul(ref.pullback, ref.pullback.transpose(1, 2));
    loss(ref_gt, ref_gp).backward();
    const std::vector<torch::Tensor> ref_grads = Grads(all);
    ClearGrads(all);
    const MlpJet grams = MlpTangentGrams(view, z, t, /*pullback=*/true);
    loss(grams.tangent, grams.pullback).backward();
    const std::vector<torch::Tensor> grads = Grads(all);
    EXPECT_TRUE(torch::allclose(grams.tangent, ref_gt, 1e-12, 1e-12));
    EXPECT_TRUE(torch::allclose(grams.pullback, ref_gp, 1e-12, 1e-12));
    for (size_t i = 0; i < all.size(); ++i) {
      ASSERT_TRUE(grads[i].defined()) << i;
      const double err = (grads[i] - ref_grads[i]).abs().max().item<double>() /
                         ref_grads[i].abs().max().item<double>();
      EXPECT_LT(err, 1e-11) << "input " << i;
    }
  }
}

// autograd::grad for a subset of the inputs (here one weight, while x also
// requires a gradient): the node must not hand the engine a gradient for an
// edge it was not asked about.
TEST(FusedMlpTest, GradientsOfSomeInputsOnly) {
  torch::manual_seed(6);
  Sequential net = MixedMlp(3, 4, torch::TensorOptions());
  const auto view = PlainMlpView(net).value();
  const torch::Tensor x = torch::randn({5, 3}).requires_grad_();
  const torch::Tensor ref = torch::autograd::grad({net.Forward(x).sum()}, {view[1].weight})[0];
  const torch::Tensor got =
      torch::autograd::grad({MlpForward(view, x).sum()}, {view[1].weight})[0];
  EXPECT_TRUE(torch::equal(got, ref));
  const MlpJet jet = MlpTangents(view, x, torch::randn({5, 1, 3}), true);
  EXPECT_TRUE(
      torch::autograd::grad({jet.pullback.sum()}, {view[0].weight})[0].defined());
}

TEST(FusedMlpTest, RefusesDoubleBackwardAndModifiedOutputs) {
  torch::manual_seed(3);
  Sequential net = MixedMlp(3, 4, torch::TensorOptions());
  const auto view = PlainMlpView(net).value();
  const torch::Tensor x = torch::randn({5, 3}).requires_grad_();
  const torch::Tensor y = MlpForward(view, x);
  try {
    torch::autograd::grad({y.sum()}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true);
    ADD_FAILURE() << "double backward through the fused node did not throw";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("not differentiable"), std::string::npos) << e.what();
  }
  const MlpJet jet = MlpTangents(view, x, torch::randn({5, 1, 3}), true);
  jet.tangent.mul_(2);
  try {
    jet.pullback.sum().backward();
    ADD_FAILURE() << "a modified output went unnoticed";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("modified in place"), std::string::npos) << e.what();
  }
  // An input or weight modified in place between forward and backward.
  for (const bool weight : {false, true}) {
    const torch::Tensor xi = torch::randn({5, 3}).requires_grad_();
    const torch::Tensor out = MlpForward(view, xi);
    {
      torch::NoGradGuard no_grad;
      if (weight) {
        view[1].weight.add_(1);
      } else {
        xi.add_(1);
      }
    }
    try {
      out.sum().backward();
      ADD_FAILURE() << "an in-place change of a saved tensor went unnoticed";
    } catch (const c10::Error& e) {
      EXPECT_NE(std::string(e.what()).find("modified in place after the forward"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_THROW(MlpTangents(view, x, torch::randn({5, 3}), false), c10::Error);
  EXPECT_THROW(MlpForward(view, torch::randn({5, 1, 3})), c10::Error);
}

}  // namespace
}  // namespace isoae
