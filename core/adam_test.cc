#include "core/adam.h"

#include <gtest/gtest.h>
#include <torch/optim/adam.h>

#include <cmath>
#include <vector>

#include "third_party/torch_light.h"

namespace isoae {
namespace {

// Parameters of several shapes (one long enough for the vector loop's body
// and tail) and a transposed view (the non-contiguous path), with identical
// copies for torch::optim::Adam.
std::vector<at::Tensor> MakeParams(torch::Dtype dtype) {
  torch::manual_seed(3);
  const auto o = torch::TensorOptions().dtype(dtype);
  std::vector<at::Tensor> out;
  for (auto shape : std::vector<std::vector<int64_t>>{{37, 29}, {5}, {1}, {1000}}) {
    out.push_back(torch::randn(shape, o));
  }
  out.push_back(torch::randn({6, 4}, o).t());
  return out;
}

std::vector<at::Tensor> Leaves(const std::vector<at::Tensor>& ps) {
  std::vector<at::Tensor> out;
  for (const at::Tensor& p : ps) {
    at::Tensor c = p.is_contiguous() ? p.clone() : p.t().clone().t();
    out.push_back(c.requires_grad_(true));
  }
  return out;
}

// Gradients of widely varying scale, as real ones; none for `skip`.
void SetGrads(std::vector<at::Tensor>& a, std::vector<at::Tensor>& b, int step,
              int skip = -1) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (static_cast<int>(i) == skip) continue;
    at::Tensor g = torch::randn_like(a[i]) * std::pow(10.0, (step % 5) - 2);
    a[i].mutable_grad() = g.clone();
    b[i].mutable_grad() = g.clone();
  }
}

double MaxAbs(const at::Tensor& t) { return t.abs().max().item<double>(); }

TEST(AdamTest, MatchesLibTorchAdamBitForBitOnBothPaths) {
  for (torch::Dtype dtype : {torch::kFloat32, torch::kFloat64}) {
    const std::vector<at::Tensor> init = MakeParams(dtype);
    std::vector<at::Tensor> ours = Leaves(init), theirs = Leaves(init);
    ASSERT_FALSE(ours.back().is_contiguous());
    AdamOptions o;
    o.learning_rate = 0.01;
    Adam adam(ours, o);
    torch::optim::Adam reference(theirs, torch::optim::AdamOptions(0.01));
    for (int step = 0; step < 30; ++step) {
      SetGrads(ours, theirs, step);
      adam.Step();
      reference.step();
    }
    for (size_t i = 0; i < ours.size(); ++i) {
      // 30 steps of about lr each: every parameter moved, and moved bit for
      // bit as LibTorch's Adam moved it (same roundings, so training
      // reproduces the numbers it gave with torch::optim::Adam).
      EXPECT_GT(MaxAbs(ours[i].detach() - init[i]), 0.02) << "parameter " << i;
      EXPECT_TRUE(torch::equal(ours[i].detach(), theirs[i].detach()))
          << "parameter " << i << ", " << dtype << ": max difference "
          << MaxAbs(ours[i].detach() - theirs[i].detach());
    }
  }
}

TEST(AdamTest, FirstStepIsTheClosedForm) {
  // Step 1: m_hat = g, v_hat = g^2, so p1 = p0 - lr * g / (|g| + eps).
  at::Tensor p = torch::randn({300}).requires_grad_(true);
  const at::Tensor p0 = p.detach().clone();
  const at::Tensor g = torch::randn({300}) * 1e-3;
  p.mutable_grad() = g.clone();
  AdamOptions o;
  o.learning_rate = 0.1;
  o.eps = 1e-4;  // large enough to matter at |g| ~ 1e-3
  Adam adam({p}, o);
  adam.Step();
  const at::Tensor expected = p0 - 0.1 * g / (g.abs() + 1e-4);
  EXPECT_LT(MaxAbs(p.detach() - expected), 1e-6);
}

TEST(AdamTest, AMissingGradientIsAZeroGradientOnceThereIsState) {
  const std::vector<at::Tensor> init = MakeParams(torch::kFloat32);
  std::vector<at::Tensor> ours = Leaves(init), theirs = Leaves(init);
  Adam adam(ours, AdamOptions{});
  torch::optim::Adam reference(theirs, torch::optim::AdamOptions(1e-3));
  // Parameter 0 never gets a gradient: untouched, no state.
  for (int step = 0; step < 3; ++step) {
    SetGrads(ours, theirs, step, /*skip=*/0);
    adam.Step();
    reference.step();
  }
  EXPECT_TRUE(torch::equal(ours[0].detach(), init[0]));
  EXPECT_EQ(adam.State(false).size(), 2 * (ours.size() - 1));
  // Parameter 1 loses its gradient (as after our ZeroGrad); the reference's
  // zero_grad() leaves a zero gradient: the same update (momentum only).
  adam.ZeroGrad();
  reference.zero_grad();
  for (const at::Tensor& p : ours) EXPECT_FALSE(p.grad().defined());
  SetGrads(ours, theirs, 3, /*skip=*/1);
  ours[0].mutable_grad().reset();  // still never gets one
  theirs[0].mutable_grad().reset();
  const at::Tensor before = ours[1].detach().clone();
  adam.Step();
  reference.step();
  EXPECT_GT(MaxAbs(ours[1].detach() - before), 1e-5);
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_LT(MaxAbs(ours[i].detach() - theirs[i].detach()), 1e-6) << "parameter " << i;
  }
}

TEST(AdamTest, StateRoundTripResumesExactly) {
  const std::vector<at::Tensor> init = MakeParams(torch::kFloat32);
  std::vector<at::Tensor> a = Leaves(init), scratch = Leaves(init);
  Adam first(a, AdamOptions{});
  for (int step = 0; step < 10; ++step) {
    SetGrads(a, scratch, step);
    first.Step();
  }
  // A second optimiser on copies of the parameters, its state created and
  // overwritten through State(true) as a checkpoint load does.
  std::vector<at::Tensor> b = Leaves({});
  for (const at::Tensor& p : a) b.push_back(Leaves({p.detach()})[0]);
  Adam second(b, AdamOptions{});
  std::vector<NamedTensor> from = first.State(false), into = second.State(true);
  ASSERT_EQ(from.size(), into.size());
  for (size_t i = 0; i < from.size(); ++i) {
    EXPECT_EQ(from[i].name, into[i].name);
    EXPECT_EQ(MaxAbs(into[i].tensor), 0.0);
    into[i].tensor.copy_(from[i].tensor);
  }
  EXPECT_EQ(from[0].name, "optim/0/exp_avg");
  EXPECT_EQ(from[1].name, "optim/0/exp_avg_sq");
  second.SetSteps(10);
  for (int step = 10; step < 15; ++step) {
    SetGrads(a, b, step);
    first.Step();
    second.Step();
  }
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::equal(a[i].detach(), b[i].detach())) << "parameter " << i;
  }
}

}  // namespace
}  // namespace isoae
