#include "core/tangent_layers.h"

#include <torch/nn/modules/batchnorm.h>

#include "third_party/torch_light.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/testing/jacobian.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::FiniteDifferenceGradients;
using ::isoae::testing::ReferenceJvp;
using ::isoae::testing::ReferenceVjp;
using ::isoae::testing::RelativeError;

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);
// Tangent passes and autograd compute the same products in a different order;
// in double the difference is a few ulps of the largest entry.
constexpr double kJvpTol = 1e-10;
// Central differences with h = 1e-6 in double: truncation O(h^2 f''') plus
// round-off O(eps / h) ~ 1e-10 relative; 1e-6 leaves margin for the
// curvature of softplus/tanh at these scales.
constexpr double kFdStep = 1e-6;
constexpr double kFdRelTol = 1e-6;

struct LayerCase {
  std::string name;
  std::function<std::unique_ptr<Layer>()> make;
  std::vector<int64_t> input_shape;  // per sample
  bool train = true;
};

std::vector<LayerCase> Cases() {
  return {
      {"Linear", [] { return MakeLinear(4, 3, true, kDouble); }, {4}},
      {"LinearNoBias", [] { return MakeLinear(4, 3, false, kDouble); }, {4}},
      {"Softplus100", [] { return MakeSoftplus(100.0); }, {5}},
      {"Softplus2", [] { return MakeSoftplus(2.0); }, {5}},
      {"ReLU", [] { return MakeReLU(); }, {5}},
      {"Sigmoid", [] { return MakeSigmoid(); }, {5}},
      {"Tanh", [] { return MakeTanh(); }, {5}},
      {"ELU", [] { return MakeELU(0.7); }, {5}},
      {"BatchNorm1dEval", [] { return MakeBatchNorm(4, 0, kDouble); }, {4}, false},
      {"BatchNorm2dEval", [] { return MakeBatchNorm(2, 2, kDouble); }, {2, 3, 3}, false},
      {"Conv2d", [] { return MakeConv2d(2, 3, 3, 2, 1, true, kDouble); }, {2, 5, 5}},
      {"ConvTranspose2d",
       [] { return MakeConvTranspose2d(2, 3, 4, 2, 1, 1, true, kDouble); },
       {2, 3, 3}},
      {"Flatten", [] { return MakeFlatten(); }, {2, 2, 3}},
      {"Unflatten", [] { return MakeUnflatten({2, 3}); }, {6}},
      {"ZeroPad2d", [] { return MakeZeroPad2d(1); }, {1, 3, 2}},
      {"Crop2d", [] { return MakeCrop2d(1); }, {2, 4, 5}},
  };
}

std::vector<int64_t> WithBatch(int64_t b, const std::vector<int64_t>& s) {
  std::vector<int64_t> out = {b};
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

std::vector<int64_t> WithBatchK(int64_t b, int64_t k, const std::vector<int64_t>& s) {
  std::vector<int64_t> out = {b, k};
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

// Input values kept away from the kinks of ReLU and the flat ends of softplus
// at beta = 100, so that finite differences and derivatives agree.
torch::Tensor TestInput(const std::vector<int64_t>& shape) {
  torch::Tensor x = torch::randn(shape, kDouble);
  return x + 0.1 * torch::sign(x);
}

TEST(TangentLayersTest, JvpMatchesAutogradJacobianForEveryLayer) {
  for (const LayerCase& c : Cases()) {
    SCOPED_TRACE(c.name);
    torch::manual_seed(1);
    auto layer = c.make();
    layer->SetTraining(c.train);
    if (!c.train) {
      // Non-trivial running statistics so eval mode is not the identity.
      std::vector<NamedTensor> buffers;
      layer->AppendBuffers("", &buffers);
      torch::NoGradGuard g;
      for (auto& b : buffers) b.tensor.uniform_(0.5, 1.5);
    }
    const int64_t batch = 3, k = 2;
    torch::Tensor x = TestInput(WithBatch(batch, c.input_shape)) * 0.05;
    if (c.name.rfind("Softplus2", 0) == 0 || c.name == "Tanh" ||
        c.name == "Sigmoid" || c.name == "ELU") {
      x = x * 20;  // exercise the curved part of the activation
    }
    torch::Tensor t = torch::randn(WithBatchK(batch, k, c.input_shape), kDouble);
    Dual out = layer->Forward(Dual{x, t});
    auto fn = [&](const torch::Tensor& in) { return layer->Forward(Dual{in, {}}).value; };
    torch::Tensor ref = ReferenceJvp(fn, x, t, /*per_sample=*/false);
    ASSERT_EQ(out.tangent.sizes(), ref.sizes());
    EXPECT_LT((out.tangent - ref).abs().max().item<double>(),
              kJvpTol * (1 + ref.abs().max().item<double>()));
    // Value pass unchanged by carrying tangents.
    EXPECT_TRUE(torch::allclose(out.value, fn(x)));
  }
}

TEST(TangentLayersTest, VjpMatchesAutogradForEveryLayer) {
  for (const LayerCase& c : Cases()) {
    SCOPED_TRACE(c.name);
    torch::manual_seed(2);
    auto layer = c.make();
    layer->SetTraining(c.train);
    torch::Tensor x = TestInput(WithBatch(3, c.input_shape));
    auto fn = [&](const torch::Tensor& in) { return layer->Forward(Dual{in, {}}).value; };
    torch::Tensor y = fn(x);
    torch::Tensor cot = torch::randn(y.sizes(), kDouble);
    torch::Tensor ref = ReferenceVjp(fn, x, cot);
    torch::Tensor got = layer->Vjp(x, cot);
    ASSERT_EQ(got.sizes(), ref.sizes());
    EXPECT_LT((got - ref).abs().max().item<double>(),
              kJvpTol * (1 + ref.abs().max().item<double>()));
  }
}

// Copies the batch statistics of x into the running buffers and switches to
// eval mode: the per-sample (frozen-statistics) Jacobian of train mode.
void FreezeBatchStats(Layer& bn, const torch::Tensor& x, int spatial_dims) {
  std::vector<int64_t> dims = {0};
  for (int i = 0; i < spatial_dims; ++i) dims.push_back(2 + i);
  torch::Tensor mean = x.mean(dims);
  std::vector<int64_t> shape = {-1};
  for (int i = 0; i < spatial_dims; ++i) shape.push_back(1);
  torch::Tensor var = (x - mean.view(shape)).pow(2).mean(dims);
  std::vector<NamedTensor> buffers;
  bn.AppendBuffers("", &buffers);
  torch::NoGradGuard g;
  buffers[0].tensor.copy_(mean);
  buffers[1].tensor.copy_(var);
  bn.SetTraining(false);
}

TEST(TangentLayersTest, BatchNormTrainModeTangentConventions) {
  for (int spatial : {0, 2}) {
    SCOPED_TRACE(spatial);
    std::vector<int64_t> shape = spatial == 0 ? std::vector<int64_t>{3}
                                              : std::vector<int64_t>{2, 2, 3};
    const int64_t c = shape[0];
    torch::manual_seed(3);
    torch::Tensor x = torch::randn(WithBatch(4, shape), kDouble);
    torch::Tensor t = torch::randn(WithBatchK(4, 2, shape), kDouble);
    // Full batch: J of the batch map, statistics included.
    auto full = MakeBatchNorm(c, spatial, kDouble, BatchNormTangent::kFullBatch);
    {
      std::vector<NamedTensor> p;
      full->AppendParameters("", &p);
      torch::NoGradGuard g;
      p[0].tensor.uniform_(0.5, 2.0);
      p[1].tensor.uniform_(-1, 1);
    }
    Dual out = full->Forward(Dual{x, t});
    auto fn = [&](const torch::Tensor& in) { return full->Forward(Dual{in, {}}).value; };
    torch::Tensor ref = ReferenceJvp(fn, x, t, /*per_sample=*/false);
    EXPECT_LT((out.tangent - ref).abs().max().item<double>(), kJvpTol);

    // Per sample: the Jacobian with the statistics held fixed.
    auto per = MakeBatchNorm(c, spatial, kDouble, BatchNormTangent::kPerSample);
    Dual out2 = per->Forward(Dual{x, t});
    torch::Tensor cot = torch::randn(out2.value.sizes(), kDouble);
    torch::Tensor vjp_train = per->Vjp(x, cot);
    FreezeBatchStats(*per, x, spatial);
    auto frozen = [&](const torch::Tensor& in) { return per->Forward(Dual{in, {}}).value; };
    torch::Tensor ref2 = ReferenceJvp(frozen, x, t, /*per_sample=*/true);
    EXPECT_LT((out2.tangent - ref2).abs().max().item<double>(), kJvpTol);
    EXPECT_LT((vjp_train - ReferenceVjp(frozen, x, cot)).abs().max().item<double>(),
              kJvpTol);
    // The two conventions really differ in train mode.
    EXPECT_GT((out.tangent - out2.tangent).abs().max().item<double>(), 1e-3);
  }
}

TEST(TangentLayersTest, BatchNormTrainUpdatesRunningStatsLikeTorch) {
  torch::manual_seed(4);
  auto bn = MakeBatchNorm(3, 0, kDouble);
  torch::nn::BatchNorm1d ref(torch::nn::BatchNorm1dOptions(3));
  ref->to(torch::kFloat64);
  torch::Tensor x = torch::randn({8, 3}, kDouble) * 2 + 1;
  torch::Tensor y = bn->Forward(Dual{x, {}}).value;
  torch::Tensor y_ref = ref->forward(x);
  EXPECT_TRUE(torch::allclose(y, y_ref, 1e-9, 1e-9));
  std::vector<NamedTensor> buffers;
  bn->AppendBuffers("", &buffers);
  EXPECT_TRUE(torch::allclose(buffers[0].tensor, ref->running_mean));
  EXPECT_TRUE(torch::allclose(buffers[1].tensor, ref->running_var));
}

// Sum of squared J.T plus a small value term: a Jacobian loss as I-AE and
// IRVAE train with. Its parameter gradients must match finite differences.
double JacobianLoss(Sequential& net, const torch::Tensor& x, const torch::Tensor& t) {
  Dual out = net.Forward(Dual{x, t});
  return (out.tangent.pow(2).sum() + 0.1 * out.value.pow(2).sum()).item<double>();
}

void ExpectParameterGradientsMatchFiniteDifferences(
    Sequential& net, const torch::Tensor& x, const torch::Tensor& t) {
  std::vector<torch::Tensor> params = net.Parameters();
  for (auto& p : params) p.mutable_grad() = torch::Tensor();
  Dual out = net.Forward(Dual{x, t});
  torch::Tensor loss = out.tangent.pow(2).sum() + 0.1 * out.value.pow(2).sum();
  std::vector<torch::Tensor> grads = torch::autograd::grad({loss}, params);
  // Running statistics move on every train-mode forward; they do not enter
  // train-mode outputs, so finite differences are unaffected.
  std::vector<torch::Tensor> fd = FiniteDifferenceGradients(
      [&] { return JacobianLoss(net, x, t); }, params, kFdStep);
  EXPECT_LT(RelativeError(grads, fd), kFdRelTol);
}

TEST(TangentLayersTest, JacobianLossGradientsMatchFiniteDifferencesMlp) {
  for (BatchNormTangent mode : {BatchNormTangent::kPerSample, BatchNormTangent::kFullBatch}) {
    for (bool train : {true, false}) {
      SCOPED_TRACE(::testing::Message() << "mode " << static_cast<int>(mode) << " train " << train);
      torch::manual_seed(5);
      Sequential net;
      net.Add(MakeLinear(3, 4, true, kDouble));
      net.Add(MakeBatchNorm(4, 0, kDouble, mode));
      net.Add(MakeSoftplus(2.0));
      net.Add(MakeLinear(4, 4, true, kDouble));
      net.Add(MakeTanh());
      net.Add(MakeLinear(4, 3, true, kDouble));
      net.Add(MakeSigmoid());
      net.SetTraining(train);
      torch::Tensor x = torch::randn({5, 3}, kDouble);
      torch::Tensor t = torch::randn({5, 2, 3}, kDouble);
      ExpectParameterGradientsMatchFiniteDifferences(net, x, t);
    }
  }
}

TEST(TangentLayersTest, JacobianLossGradientsMatchFiniteDifferencesConv) {
  for (bool train : {true, false}) {
    SCOPED_TRACE(train);
    torch::manual_seed(6);
    Sequential net;
    net.Add(MakeZeroPad2d(1));
    net.Add(MakeConv2d(1, 2, 3, 2, 1, true, kDouble));
    net.Add(MakeBatchNorm(2, 2, kDouble));
    net.Add(MakeELU(1.0));
    net.Add(MakeConvTranspose2d(2, 2, 3, 2, 1, 1, true, kDouble));
    net.Add(MakeSoftplus(5.0));
    net.Add(MakeFlatten());
    net.Add(MakeLinear(2 * 6 * 6, 3, true, kDouble));
    net.Add(MakeReLU());
    net.Add(MakeLinear(3, 4, true, kDouble));
    net.Add(MakeUnflatten({1, 2, 2}));
    net.SetTraining(train);
    torch::Tensor x = torch::randn({3, 1, 4, 4}, kDouble);
    torch::Tensor t = torch::randn({3, 1, 1, 4, 4}, kDouble);
    ExpectParameterGradientsMatchFiniteDifferences(net, x, t);
  }
}

TEST(TangentLayersTest, VjpLossGradientsMatchFiniteDifferences) {
  torch::manual_seed(7);
  Sequential net;
  net.Add(MakeLinear(4, 5, true, kDouble));
  net.Add(MakeBatchNorm(5, 0, kDouble));
  net.Add(MakeSoftplus(3.0));
  net.Add(MakeLinear(5, 2, true, kDouble));
  torch::Tensor x = torch::randn({6, 4}, kDouble);
  torch::Tensor u = torch::randn({6, 2}, kDouble);
  auto loss_fn = [&]() {
    std::vector<torch::Tensor> inputs;
    net.ForwardRecording(x, &inputs);
    return net.Vjp(inputs, u).norm(2, {1}).sub(1).pow(2).sum();
  };
  std::vector<torch::Tensor> params = net.Parameters();
  std::vector<torch::Tensor> grads = torch::autograd::grad(
      {loss_fn()}, params, {}, false, false, /*allow_unused=*/true);
  // The last bias does not change u^T dg(x): its gradient is exactly zero.
  ASSERT_FALSE(grads.back().defined());
  grads.back() = torch::zeros_like(params.back());
  std::vector<torch::Tensor> fd = FiniteDifferenceGradients(
      [&] { return loss_fn().item<double>(); }, params, kFdStep);
  EXPECT_LT(RelativeError(grads, fd), kFdRelTol);
}

TEST(TangentLayersTest, SequentialVjpMatchesAutogradInEvalMode) {
  torch::manual_seed(8);
  Sequential net;
  net.Add(MakeConv2d(1, 3, 4, 2, 1, true, kDouble));
  net.Add(MakeBatchNorm(3, 2, kDouble));
  net.Add(MakeSoftplus(100.0));
  net.Add(MakeFlatten());
  net.Add(MakeLinear(3 * 4 * 4, 2, true, kDouble));
  net.SetTraining(false);
  torch::Tensor x = torch::randn({2, 1, 8, 8}, kDouble);
  torch::Tensor u = torch::randn({2, 2}, kDouble);
  std::vector<torch::Tensor> inputs;
  net.ForwardRecording(x, &inputs);
  torch::Tensor got = net.Vjp(inputs, u);
  torch::Tensor ref = ReferenceVjp([&](const torch::Tensor& in) { return net.Forward(in); }, x, u);
  EXPECT_LT((got - ref).abs().max().item<double>(), kJvpTol);
}

TEST(TangentLayersTest, SequentialNamesAndCounts) {
  Sequential net;
  net.Add(MakeLinear(2, 3, true, kDouble));
  net.Add(MakeBatchNorm(3, 0, kDouble));
  net.Add(MakeReLU());
  std::vector<NamedTensor> p = net.NamedParameters();
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].name, "0.weight");
  EXPECT_EQ(p[3].name, "1.bias");
  EXPECT_EQ(net.NamedBuffers()[1].name, "1.running_var");
  EXPECT_EQ(net.NumParameters(), 2 * 3 + 3 + 3 + 3);
  EXPECT_EQ(net.Describe(), "Linear(2 -> 3) -> BatchNorm1d(3) -> ReLU");
}

}  // namespace
}  // namespace isoae
