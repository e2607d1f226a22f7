#include "metrics/pullback.h"

#include "third_party/torch_light.h"

#include "core/autoencoder.h"
#include "core/networks.h"
#include "core/status_matchers.h"
#include "core/vjp.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

TEST(PullbackTest, LinearDecoderGivesWTransposeW) {
  torch::manual_seed(0);
  NetworkConfig c;
  c.input_shape = {3};
  c.layers = {"LIN 7"};
  ISOAE_ASSERT_OK_AND_ASSIGN(BuiltNetwork net,
                             BuildNetwork(c, torch::TensorOptions().dtype(torch::kFloat64)));
  const at::Tensor w = net.net.Parameters()[0];  // [7, 3]
  const at::Tensor z = torch::randn({5, 3}, torch::kFloat64);
  ISOAE_ASSERT_OK_AND_ASSIGN(MetricField g, PullbackMetrics(net.net, z, 2));
  ISOAE_ASSERT_OK_AND_ASSIGN(Eigen::MatrixXd we, ToEigen(w));
  const Eigen::MatrixXd expected = we.transpose() * we;
  ASSERT_EQ(g.size(), 5u);
  for (const auto& m : g) EXPECT_LT((m - expected).norm(), 1e-12 * expected.norm());
}

// A linear decoder W = U diag(sigma) V^T, end to end through the adapter:
// VoR = 0 and MCN = (sigma_max / sigma_min)^2.
TEST(PullbackTest, LinearDecoderWithKnownSingularValues) {
  torch::manual_seed(2);
  NetworkConfig c;
  c.input_shape = {2};
  c.layers = {"LIN 6"};
  ISOAE_ASSERT_OK_AND_ASSIGN(BuiltNetwork net,
                             BuildNetwork(c, torch::TensorOptions().dtype(torch::kFloat64)));
  const at::Tensor u = std::get<0>(torch::linalg_qr(torch::randn({6, 2}, torch::kFloat64)));
  const at::Tensor v = std::get<0>(torch::linalg_qr(torch::randn({2, 2}, torch::kFloat64)));
  const at::Tensor w = u.mm(torch::diag(torch::tensor({0.5, 2.0}, torch::kFloat64))).mm(v.t());
  {
    torch::NoGradGuard g;
    net.net.Parameters()[0].copy_(w);
  }
  ISOAE_ASSERT_OK_AND_ASSIGN(MetricField g,
                             PullbackMetrics(net.net, torch::randn({50, 2}, torch::kFloat64)));
  ISOAE_ASSERT_OK_AND_ASSIGN(double vor, VarianceOfRiemannianMetric(g));
  ISOAE_ASSERT_OK_AND_ASSIGN(ConditionStats cond, ConditionNumbers(g));
  EXPECT_NEAR(vor, 0.0, 1e-12);  // rounding in the batched products
  EXPECT_NEAR(cond.mean, 16.0, 1e-9);
  EXPECT_NEAR(cond.std, 0.0, 1e-9);
}

TEST(PullbackTest, MatchesAutogradJacobiansOfTheIrvaeDecoder) {
  torch::manual_seed(1);
  ISOAE_ASSERT_OK_AND_ASSIGN(
      Autoencoder ae, BuildAutoencoder(IrvaeFc(784, 2),
                                       torch::TensorOptions().dtype(torch::kFloat64)));
  ae.SetTraining(true);
  const at::Tensor z = torch::randn({6, 2}, torch::kFloat64);
  ISOAE_ASSERT_OK_AND_ASSIGN(MetricField g, PullbackMetrics(ae.decoder, z, 4));
  EXPECT_TRUE(ae.decoder.training());  // mode restored
  for (int i = 0; i < 6; ++i) {
    // J^T J from two autograd JVPs.
    const at::Tensor zi = z.slice(0, i, i + 1);
    std::vector<at::Tensor> cols;
    for (int k = 0; k < 2; ++k) {
      at::Tensor e = torch::zeros({1, 2}, torch::kFloat64);
      e[0][k] = 1;
      ISOAE_ASSERT_OK_AND_ASSIGN(
          at::Tensor col,
          Jvp([&](const at::Tensor& x) { return ae.decoder.Forward(x); }, zi, e, false));
      cols.push_back(col.reshape({-1}));
    }
    const at::Tensor j = torch::stack(cols, 1);  // [784, 2]
    ISOAE_ASSERT_OK_AND_ASSIGN(Eigen::MatrixXd expected, ToEigen(j.t().mm(j)));
    EXPECT_LT((g[i] - expected).norm(), 1e-10 * expected.norm()) << i;
  }
}

TEST(PullbackTest, Errors) {
  NetworkConfig c;
  c.input_shape = {2};
  c.layers = {"LIN 4"};
  ISOAE_ASSERT_OK_AND_ASSIGN(BuiltNetwork net, BuildNetwork(c, torch::TensorOptions()));
  EXPECT_THAT(PullbackMetrics(net.net, torch::zeros({3})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[N, m]")));
  at::Tensor nan = torch::zeros({3, 2});
  nan[1][0] = std::nan("");
  EXPECT_THAT(PullbackMetrics(net.net, nan),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NaN")));
  EXPECT_THAT(PullbackMetrics(net.net, torch::zeros({3, 5})),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("pullback metrics")));
  EXPECT_THAT(PullbackMetrics(net.net, torch::zeros({3, 2}), 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batch")));
  EXPECT_THAT(ToMetricField(torch::zeros({2, 2, 3})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[N, m, m]")));
}

}  // namespace
}  // namespace isoae
