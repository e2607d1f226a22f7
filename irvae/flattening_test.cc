#include "irvae/flattening.h"

#include <ATen/ATen.h>

#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/flattened_model.h"
#include "core/invertible.h"
#include "core/method.h"
#include "core/model_builder.h"
#include "core/networks.h"
#include "core/testing/jacobian.h"
#include "core/trainer.h"
#include "gtest/gtest.h"
#include "metrics/pullback.h"
#include "metrics/riemannian.h"

namespace isoae {
namespace {

// A decoder with a known non-isometric chart: f(z) = A phi(z) with A [4, 2]
// orthonormal columns (an isometric embedding) and phi a fixed, clearly
// nonlinear Real NVP. The codes of data x = f(z) are phi^-1(A^T x). The
// flattening h = phi (up to a rotation and scale) makes f o h^-1 = A exactly
// isometric, so a good flattening drives the condition number of the
// pullback metric to 1.
class ChartModel final : public Model {
 public:
  explicit ChartModel(const at::TensorOptions& o) {
    at::manual_seed(11);
    RealNvpOptions opt;
    opt.depth = 2;
    opt.hidden = 16;
    opt.activation = "tanh";
    phi_ = MakeRealNvp(2, opt, o).value();
    {
      at::NoGradGuard no_grad;
      for (at::Tensor& p : phi_.Parameters()) p.normal_(0, 0.4);
    }
    a_ = std::get<0>(at::linalg_qr(at::randn({4, 2}, o)));
    linear_ = ::isoae::testing::LinearMap(a_);
    decoder_ = Compose(phi_, linear_);
    shape_ = {4};
  }
  ModelKind Kind() const override { return ModelKind::kAutoencoder; }
  std::vector<at::Tensor> Parameters() const override { return phi_.Parameters(); }
  std::vector<NamedTensor> State() const override { return phi_.NamedParameters(); }
  void SetTraining(bool) override {}
  std::string Fingerprint() const override { return "chart"; }
  const std::vector<int64_t>& DataShape() const override { return shape_; }
  int64_t LatentDim() const override { return 2; }
  at::Tensor Codes(const at::Tensor& x) override {
    return phi_.Inverse(at::matmul(x, a_));
  }
  Layer& DecoderMap() override { return *decoder_; }
  Sequential& EncoderNet() override { return linear_; }

  Flow phi_;

 private:
  at::Tensor a_;
  Sequential linear_;
  std::unique_ptr<Layer> decoder_;
  std::vector<int64_t> shape_;
};

double Mcn(Model& model, const at::Tensor& x) {
  at::Tensor z;
  {
    at::NoGradGuard no_grad;
    z = model.Codes(x);
  }
  MetricField g = PullbackMetrics(model.DecoderMap(), z).value();
  return ConditionNumbers(g).value().mean;
}

TEST(FlatteningTest, FlatteningAKnownChartDrivesTheConditionNumberToOne) {
  const auto o = at::TensorOptions().dtype(at::kFloat);
  auto chart = std::make_unique<ChartModel>(o);
  at::manual_seed(12);
  const at::Tensor z = at::rand({600, 2}, o) * 3 - 1.5;
  at::Tensor x;
  {
    at::NoGradGuard no_grad;
    x = chart->DecoderMap().Forward(Dual{z, at::Tensor()}).value;
  }
  const at::Tensor train = x.narrow(0, 0, 500);
  const at::Tensor test = x.narrow(0, 500, 100);
  const double before = Mcn(*chart, test);
  EXPECT_GT(before, 2.0);  // the chart is far from a scaled isometry

  RealNvpOptions flow;
  flow.depth = 4;
  flow.hidden = 64;
  std::unique_ptr<FlattenedModel> fm = FlattenModel(std::move(chart), flow).value();
  // At the start h is the identity: the same geometry.
  EXPECT_NEAR(Mcn(*fm, test), before, 1e-4 * before);

  Method method = BuildMethod("fm").value();
  TrainConfig tc;
  tc.epochs = 60;
  tc.batch_size = 100;
  tc.learning_rate = 1e-3;
  tc.seed = 1;
  tc.quiet = true;
  ASSERT_TRUE(Train(tc, fm->Parameters(), fm->State(), train,
                    [&](const at::Tensor& b) { return method.Loss(*fm, b); })
                  .ok());
  fm->SetTraining(false);
  const double after = Mcn(*fm, test);
  EXPECT_LT(after, 1.15) << "before " << before;
  std::cout << "MCN before " << before << " after " << after << std::endl;
}

TEST(FlatteningTest, TrainsOnlyTheFlowAndKeepsReconstructions) {
  const auto o = at::TensorOptions().dtype(at::kFloat);
  at::manual_seed(3);
  std::unique_ptr<Model> vae =
      BuildModel(ModelKind::kVae, SymmetricMlp(6, 2, 16, 2, 4), o).value();
  std::vector<at::Tensor> base_before;
  for (const at::Tensor& p : vae->Parameters()) base_before.push_back(p.detach().clone());
  Model* base = vae.get();
  RealNvpOptions flow;
  flow.depth = 4;
  flow.hidden = 32;
  std::unique_ptr<FlattenedModel> fm = FlattenModel(std::move(vae), flow).value();
  EXPECT_EQ(fm->Kind(), ModelKind::kFlattened);
  EXPECT_EQ(fm->Parameters().size(), 4u * 6u);  // 4 couplings x 3 Linear x (W, b)
  EXPECT_NE(fm->Fingerprint().find("flattened[vae"), std::string::npos);
  bool has_base = false, has_flow = false;
  for (const NamedTensor& t : fm->State()) {
    has_base |= t.name.rfind("base/encoder/", 0) == 0;
    has_flow |= t.name.rfind("flow/0.net.", 0) == 0;
  }
  EXPECT_TRUE(has_base);
  EXPECT_TRUE(has_flow);

  at::manual_seed(4);
  const at::Tensor data = at::rand({60, 6}, o);
  std::vector<at::Tensor> flow_before;
  for (const at::Tensor& p : fm->Parameters()) flow_before.push_back(p.detach().clone());
  Method method = BuildMethod("fm").value();
  TrainConfig tc;
  tc.epochs = 5;
  tc.batch_size = 20;
  tc.learning_rate = 1e-3;
  tc.quiet = true;
  ASSERT_TRUE(Train(tc, fm->Parameters(), fm->State(), data,
                    [&](const at::Tensor& b) { return method.Loss(*fm, b); })
                  .ok());
  fm->SetTraining(false);
  const std::vector<at::Tensor> base_after = base->Parameters();
  for (size_t i = 0; i < base_before.size(); ++i) {
    EXPECT_TRUE(base_before[i].equal(base_after[i])) << "base parameter " << i;
  }
  double moved = 0;
  const std::vector<at::Tensor> flow_after = fm->Parameters();
  for (size_t i = 0; i < flow_before.size(); ++i) {
    moved += (flow_after[i] - flow_before[i]).abs().sum().item<double>();
  }
  EXPECT_GT(moved, 0.0);

  // f(h^-1(h(g(x)))) = f(g(x)), to float tolerance, while the codes moved.
  at::NoGradGuard no_grad;
  const at::Tensor g = base->Codes(data);
  const at::Tensor codes = fm->Codes(data);
  EXPECT_GT((codes - g).abs().max().item<double>(), 1e-3);
  const at::Tensor rec = fm->DecoderMap().Forward(Dual{codes, at::Tensor()}).value;
  const at::Tensor ref = base->DecoderMap().Forward(Dual{g, at::Tensor()}).value;
  EXPECT_LT((rec - ref).abs().max().item<double>(), 1e-5);
}

// Eq. 11's second term: beta E||h(z)||^2 at the (un-mixed) codes, added to the
// relaxed distortion with weight beta.
TEST(FlatteningTest, BetaTermIsTheMeanSquaredCodeNorm) {
  const auto o = at::TensorOptions().dtype(at::kDouble);
  at::manual_seed(7);
  std::unique_ptr<Model> ae =
      BuildModel(ModelKind::kAutoencoder, SymmetricMlp(6, 2, 16, 2), o).value();
  RealNvpOptions flow;
  flow.depth = 2;
  flow.hidden = 8;
  std::unique_ptr<FlattenedModel> fm = FlattenModel(std::move(ae), flow).value();
  {
    at::NoGradGuard no_grad;
    for (at::Tensor& p : fm->Parameters()) p.normal_(0, 0.3);
  }
  const at::Tensor x = at::rand({10, 6}, o);
  Method m = BuildMethod("fm", MethodOptions(std::map<std::string, std::string>{
                                   {"fm_beta", "3"}, {"estimator", "exact"}}))
                 .value();
  ForwardPass pass;
  const LossTerms t = m.Loss(*fm, x, &pass);
  at::NoGradGuard no_grad;
  const double sq = fm->Codes(x).pow(2).sum(1).mean().item<double>();
  std::map<std::string, double> v;
  for (const auto& [name, value] : t.terms) v[name] = value.item<double>();
  EXPECT_NEAR(v["latent_sq"], sq, 1e-12 * sq);
  EXPECT_NEAR(t.total.item<double>(), 3 * sq + v["relaxed_distortion"], 1e-10);
}

TEST(FlatteningTest, RegistryRejectsEncoderRegularisersAndBadOptions) {
  absl::StatusOr<Method> m = BuildMethod("fm+piso");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("piso differentiates the encoder"), std::string::npos);
  EXPECT_TRUE(BuildMethod("fm+iso").ok());
  absl::StatusOr<Method> b = BuildMethod("fm", MethodOptions(std::map<std::string, std::string>{{"fm_beta", "-1"}}));
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("fm_beta=-1"), std::string::npos);
  const auto o = at::TensorOptions().dtype(at::kFloat);
  std::unique_ptr<Model> ae =
      BuildModel(ModelKind::kAutoencoder, SymmetricMlp(6, 2, 16, 2, 2), o).value();
  std::unique_ptr<FlattenedModel> fm = FlattenModel(std::move(ae), RealNvpOptions{}).value();
  EXPECT_EQ(FlattenModel(std::move(fm), RealNvpOptions{}).status().message(),
            "the model is already flattened");
}

}  // namespace
}  // namespace isoae
