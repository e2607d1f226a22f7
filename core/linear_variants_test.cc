// Spectrally normalised and weight-tied Linear layers (RAE-SN, TCAE):
// closed forms, the singular value they normalise, gradients by finite
// differences, and the tying contract.
#include "third_party/torch_light.h"

#include <memory>
#include <vector>

#include "core/tangent_layers.h"
#include "core/testing/jacobian.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::FiniteDifferenceGradients;
using ::isoae::testing::ReferenceJvp;
using ::isoae::testing::ReferenceVjp;
using ::isoae::testing::RelativeError;

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);

std::vector<NamedTensor> Params(Layer& layer) {
  std::vector<NamedTensor> p;
  layer.AppendParameters("", &p);
  return p;
}

std::vector<NamedTensor> Buffers(Layer& layer) {
  std::vector<NamedTensor> b;
  layer.AppendBuffers("", &b);
  return b;
}

// The matrix a layer applies: rows of J for unit tangents (no bias).
torch::Tensor AppliedMatrix(Layer& layer, int64_t in) {
  Dual out = layer.Forward(Dual{torch::zeros({1, in}, kDouble),
                                torch::eye(in, kDouble).unsqueeze(0)});
  return out.tangent[0].t();  // [out, in]
}

TEST(SpectralNormLinearTest, RankOneWeightIsDividedByItsSingularValue) {
  // W = s a b^T: one power-iteration step from any u finds v = b, u = a and
  // sigma = s exactly, so the layer applies a b^T.
  torch::manual_seed(0);
  auto layer = MakeSpectralNormLinear(4, 3, true, kDouble);
  torch::Tensor a = torch::tensor({2.0, -1.0, 2.0}, kDouble) / 3.0;
  torch::Tensor b = torch::tensor({1.0, 1.0, -1.0, 1.0}, kDouble) / 2.0;
  const double s = 7.5;
  std::vector<NamedTensor> p = Params(*layer);
  ASSERT_EQ(p.size(), 2u);
  {
    torch::NoGradGuard g;
    p[0].tensor.copy_(s * torch::outer(a, b));
    p[1].tensor.copy_(torch::tensor({0.5, 0.0, -0.5}, kDouble));
  }
  torch::Tensor x = torch::randn({5, 4}, kDouble);
  torch::Tensor y = layer->Forward(Dual{x, {}}).value;
  torch::Tensor expected = torch::outer(torch::mv(x, b), a) + p[1].tensor.detach();
  EXPECT_LT((y - expected).abs().max().item<double>(), 1e-12);
  EXPECT_NE(layer->Describe().find("SNLinear(4 -> 3"), std::string::npos);
}

TEST(SpectralNormLinearTest, PowerIterationNormalisesTheLargestSingularValue) {
  torch::manual_seed(1);
  auto layer = MakeSpectralNormLinear(6, 5, false, kDouble);
  torch::Tensor w = Params(*layer)[0].tensor.detach().clone();
  const double sigma_max = torch::linalg_svdvals(w)[0].item<double>();
  for (int i = 0; i < 200; ++i) layer->Forward(Dual{torch::zeros({1, 6}, kDouble), {}});
  torch::Tensor applied = AppliedMatrix(*layer, 6);
  EXPECT_NEAR(torch::linalg_svdvals(applied)[0].item<double>(), 1.0, 1e-9);
  EXPECT_LT((applied - w / sigma_max).abs().max().item<double>(), 1e-9);
  // The weight itself is untouched; only the applied map is normalised.
  EXPECT_TRUE(torch::equal(Params(*layer)[0].tensor.detach(), w));
}

TEST(SpectralNormLinearTest, EvalModeKeepsTheEstimateAndTrainModeUpdatesIt) {
  torch::manual_seed(2);
  auto layer = MakeSpectralNormLinear(4, 4, true, kDouble);
  std::vector<NamedTensor> buffers = Buffers(*layer);
  ASSERT_EQ(buffers.size(), 2u);
  EXPECT_EQ(buffers[0].name, "sn_u");
  EXPECT_EQ(buffers[1].name, "sn_v");
  torch::Tensor u0 = buffers[0].tensor.clone();
  torch::Tensor x = torch::randn({3, 4}, kDouble);
  layer->SetTraining(false);
  torch::Tensor y1 = layer->Forward(Dual{x, {}}).value;
  torch::Tensor y2 = layer->Forward(Dual{x, {}}).value;
  EXPECT_TRUE(torch::equal(buffers[0].tensor, u0));
  EXPECT_TRUE(torch::equal(y1, y2));
  // A training pass on a changed weight moves the estimate.
  {
    torch::NoGradGuard g;
    Params(*layer)[0].tensor.copy_(torch::randn({4, 4}, kDouble));
  }
  layer->SetTraining(true);
  layer->Forward(Dual{x, {}});
  EXPECT_FALSE(torch::equal(buffers[0].tensor, u0));
}

TEST(SpectralNormLinearTest, TangentsAndVjpUseTheNormalisedWeight) {
  torch::manual_seed(3);
  auto layer = MakeSpectralNormLinear(4, 3, true, kDouble);
  layer->SetTraining(false);  // fixed u, v: one deterministic map
  torch::Tensor x = torch::randn({2, 4}, kDouble);
  torch::Tensor t = torch::randn({2, 3, 4}, kDouble);
  auto fn = [&](const torch::Tensor& in) { return layer->Forward(Dual{in, {}}).value; };
  Dual out = layer->Forward(Dual{x, t});
  EXPECT_LT((out.tangent - ReferenceJvp(fn, x, t, /*per_sample=*/false)).abs().max()
                .item<double>(),
            1e-12);
  torch::Tensor c = torch::randn({2, 3}, kDouble);
  EXPECT_LT((layer->Vjp(x, c) - ReferenceVjp(fn, x, c)).abs().max().item<double>(), 1e-12);
  // The map applied is W / (u^T W v) with the layer's own buffers, not W.
  const torch::Tensor w = Params(*layer)[0].tensor.detach();
  std::vector<NamedTensor> b = Buffers(*layer);
  const torch::Tensor expected = w / torch::dot(b[0].tensor, torch::mv(w, b[1].tensor));
  EXPECT_LT((AppliedMatrix(*layer, 4) - expected).abs().max().item<double>(), 1e-12);
  EXPECT_GT((AppliedMatrix(*layer, 4) - w).abs().max().item<double>(), 1e-3);
}

TEST(SpectralNormLinearTest, WeightGradientFlowsThroughSigma) {
  // With u, v fixed (eval mode) the layer is W / (u^T W v); its weight
  // gradient, including the part through sigma, against finite differences.
  torch::manual_seed(4);
  auto layer = MakeSpectralNormLinear(4, 3, true, kDouble);
  for (int i = 0; i < 3; ++i) layer->Forward(Dual{torch::zeros({1, 4}, kDouble), {}});
  layer->SetTraining(false);
  torch::Tensor x = torch::randn({5, 4}, kDouble);
  torch::Tensor c = torch::randn({5, 3}, kDouble);
  std::vector<torch::Tensor> params;
  for (const NamedTensor& p : Params(*layer)) params.push_back(p.tensor);
  torch::Tensor loss = (layer->Forward(Dual{x, {}}).value * c).sum();
  std::vector<torch::Tensor> grads = torch::autograd::grad({loss}, params);
  auto fd_loss = [&] {
    torch::NoGradGuard g;
    return (layer->Forward(Dual{x, {}}).value * c).sum().item<double>();
  };
  EXPECT_LT(RelativeError(grads, FiniteDifferenceGradients(fd_loss, params, 1e-6)), 1e-7);
  // sigma depends on W: dropping it would change the gradient.
  torch::Tensor plain = torch::autograd::grad(
      {(torch::matmul(x, params[0].t()) * c).sum()}, {params[0]})[0];
  EXPECT_GT((grads[0] - plain).abs().max().item<double>(), 1e-3);
}

TEST(SpectralNormLinearTest, BackwardAfterALaterForwardStillWorks) {
  // Two passes per step (I-AE runs the decoder twice): the first pass's graph
  // must survive the second pass's in-place update of u and v.
  torch::manual_seed(5);
  auto layer = MakeSpectralNormLinear(3, 3, true, kDouble);
  torch::Tensor x = torch::randn({2, 3}, kDouble);
  torch::Tensor first = layer->Forward(Dual{x, {}}).value.sum();
  torch::Tensor second = layer->Forward(Dual{x, {}}).value.pow(2).sum();
  std::vector<torch::Tensor> params;
  for (const NamedTensor& p : Params(*layer)) params.push_back(p.tensor);
  EXPECT_NO_THROW(torch::autograd::grad({first + second}, params));
}

TEST(SpectralNormConvTest, ConvolutionsDivideByTheLargestSingularValueOfTheirMatrix) {
  // After the power iteration converges, SNConv2d applies W / sigma_max of W
  // as a matrix [out, in*k*k], and SNConvTranspose2d the same with W's dim 1
  // (out channels) as rows, as torch.nn.utils.spectral_norm.
  torch::manual_seed(8);
  auto conv = MakeConv2d(2, 3, 3, 2, 1, true, kDouble, 1);
  auto convt = MakeConvTranspose2d(3, 2, 4, 2, 1, 0, true, kDouble, 1);
  EXPECT_NE(conv->Describe().find("SNConv2d(2 -> 3"), std::string::npos);
  EXPECT_NE(convt->Describe().find("SNConvTranspose2d(3 -> 2"), std::string::npos);
  torch::Tensor x = torch::randn({2, 2, 5, 5}, kDouble);
  torch::Tensor h = torch::randn({2, 3, 3, 3}, kDouble);
  for (int i = 0; i < 300; ++i) {
    conv->Forward(Dual{x, {}});
    convt->Forward(Dual{h, {}});
  }
  std::vector<NamedTensor> cp = Params(*conv), tp = Params(*convt);
  const torch::Tensor wc = cp[0].tensor.detach(), wt = tp[0].tensor.detach();
  const double sc = torch::linalg_svdvals(wc.reshape({3, -1}))[0].item<double>();
  const double st =
      torch::linalg_svdvals(wt.transpose(0, 1).reshape({2, -1}))[0].item<double>();
  torch::Tensor y = conv->Forward(Dual{x, {}}).value;
  torch::Tensor y_ref = torch::conv2d(x, wc / sc, cp[1].tensor.detach(), 2, 1);
  EXPECT_LT((y - y_ref).abs().max().item<double>(), 1e-9);
  torch::Tensor yt = convt->Forward(Dual{h, {}}).value;
  torch::Tensor yt_ref = torch::conv_transpose2d(h, wt / st, tp[1].tensor.detach(), 2, 1);
  EXPECT_LT((yt - yt_ref).abs().max().item<double>(), 1e-9);
  // Tangents and VJPs agree with autograd (eval mode: fixed u, v).
  for (Layer* layer : {conv.get(), convt.get()}) {
    layer->SetTraining(false);
    const torch::Tensor in = layer == conv.get() ? x : h;
    auto fn = [&](const torch::Tensor& v) { return layer->Forward(Dual{v, {}}).value; };
    std::vector<int64_t> ts = {in.size(0), 2};
    for (int64_t d = 1; d < in.dim(); ++d) ts.push_back(in.size(d));
    torch::Tensor t = torch::randn(ts, kDouble);
    Dual out = layer->Forward(Dual{in, t});
    EXPECT_LT((out.tangent - ReferenceJvp(fn, in, t, /*per_sample=*/false)).abs().max()
                  .item<double>(),
              1e-10);
    torch::Tensor c = torch::randn(out.value.sizes(), kDouble);
    EXPECT_LT((layer->Vjp(in, c) - ReferenceVjp(fn, in, c)).abs().max().item<double>(), 1e-10);
    EXPECT_EQ(Buffers(*layer).size(), 2u);
  }
}

TEST(TiedLinearTest, DecoderAppliesTheEncoderWeightTransposed) {
  torch::manual_seed(6);
  auto enc = MakeLinear(3, 5, true, kDouble);
  auto dec = MakeLinear(5, 3, true, kDouble);
  ASSERT_TRUE(TieLinearTransposed(*enc, dec.get()));
  torch::Tensor w = Params(*enc)[0].tensor;
  std::vector<NamedTensor> dec_params = Params(*dec);
  ASSERT_EQ(dec_params.size(), 1u);  // only the bias
  EXPECT_EQ(dec_params[0].name, "bias");
  torch::Tensor h = torch::randn({4, 5}, kDouble);
  torch::Tensor y = dec->Forward(Dual{h, {}}).value;
  EXPECT_LT((y - (torch::matmul(h, w) + dec_params[0].tensor)).abs().max().item<double>(),
            1e-12);
  EXPECT_LT((AppliedMatrix(*dec, 5) - w.t()).abs().max().item<double>(), 1e-12);
  // One tensor: a change of the encoder's weight changes the decoder.
  {
    torch::NoGradGuard g;
    w.mul_(2.0);
  }
  torch::Tensor y2 = dec->Forward(Dual{h, {}}).value;
  EXPECT_LT((y2 - (torch::matmul(h, w) + dec_params[0].tensor)).abs().max().item<double>(),
            1e-12);
  EXPECT_NE(dec->Describe().find("tied"), std::string::npos);
}

TEST(TiedLinearTest, BothUsesOfTheSharedWeightReachItsGradient) {
  torch::manual_seed(7);
  auto enc = MakeLinear(3, 4, true, kDouble);
  auto dec = MakeLinear(4, 3, true, kDouble);
  ASSERT_TRUE(TieLinearTransposed(*enc, dec.get()));
  torch::Tensor x = torch::randn({6, 3}, kDouble);
  auto forward = [&] {
    return (dec->Forward(Dual{enc->Forward(Dual{x, {}}).value, {}}).value - x).pow(2).sum();
  };
  std::vector<torch::Tensor> params;
  for (const NamedTensor& p : Params(*enc)) params.push_back(p.tensor);
  for (const NamedTensor& p : Params(*dec)) params.push_back(p.tensor);
  ASSERT_EQ(params.size(), 3u);  // W, encoder bias, decoder bias
  std::vector<torch::Tensor> grads = torch::autograd::grad({forward()}, params);
  auto fd_loss = [&] {
    torch::NoGradGuard g;
    return forward().item<double>();
  };
  EXPECT_LT(RelativeError(grads, FiniteDifferenceGradients(fd_loss, params, 1e-6)), 1e-7);
}

TEST(TiedLinearTest, RefusesLayersThatDoNotMirror) {
  auto enc = MakeLinear(3, 5, true, kDouble);
  auto wrong = MakeLinear(5, 4, true, kDouble);
  EXPECT_FALSE(TieLinearTransposed(*enc, wrong.get()));
  EXPECT_EQ(Params(*wrong).size(), 2u);  // unchanged
  auto sn = MakeSpectralNormLinear(5, 3, true, kDouble);
  EXPECT_FALSE(TieLinearTransposed(*enc, sn.get()));
  auto relu = MakeReLU();
  EXPECT_FALSE(TieLinearTransposed(*enc, relu.get()));
  EXPECT_FALSE(TieLinearTransposed(*relu, wrong.get()));
  auto dec = MakeLinear(5, 3, true, kDouble);
  ASSERT_TRUE(TieLinearTransposed(*enc, dec.get()));
  EXPECT_FALSE(TieLinearTransposed(*enc, dec.get()));  // already tied
  ASSERT_TRUE(LinearShapeOf(*dec).has_value());
  EXPECT_TRUE(LinearShapeOf(*dec)->tied);
  EXPECT_FALSE(LinearShapeOf(*relu).has_value());
}

}  // namespace
}  // namespace isoae
