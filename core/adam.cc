#include "core/adam.h"

#include <ATen/ATen.h>

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/adam_kernel.h"
#include "glog/logging.h"

namespace isoae {
namespace {

bool FastPath(const at::Tensor& p, const at::Tensor& g, const at::Tensor& m,
              const at::Tensor& v) {
  for (const at::Tensor* t : {&p, &g, &m, &v}) {
    if (!t->device().is_cpu() || t->scalar_type() != at::kFloat || !t->is_contiguous()) {
      return false;
    }
  }
  return true;
}

}  // namespace

Adam::Adam(std::vector<at::Tensor> parameters, AdamOptions options)
    : params_(std::move(parameters)), slots_(params_.size()), options_(options) {
  CHECK_GT(options_.learning_rate, 0.0);
  CHECK(options_.beta1 >= 0 && options_.beta1 < 1);
  CHECK(options_.beta2 >= 0 && options_.beta2 < 1);
  // eps > 0: a parameter with state and no gradient divides 0 by it.
  CHECK_GT(options_.eps, 0.0);
}

void Adam::ZeroGrad() {
  for (at::Tensor& p : params_) p.mutable_grad().reset();
}

void Adam::CreateState(size_t i) {
  if (slots_[i].exp_avg.defined()) return;
  at::NoGradGuard no_grad;
  slots_[i].exp_avg = at::zeros_like(params_[i], at::MemoryFormat::Contiguous);
  slots_[i].exp_avg_sq = at::zeros_like(params_[i], at::MemoryFormat::Contiguous);
  slots_[i].step = 0;
}

void Adam::Step() {
  at::NoGradGuard no_grad;
  const double b1 = options_.beta1, b2 = options_.beta2;
  for (size_t i = 0; i < params_.size(); ++i) {
    at::Tensor& p = params_[i];
    Slot& s = slots_[i];
    at::Tensor g = p.grad();
    if (!g.defined()) {
      // No gradient this step. A parameter that has state is updated as
      // with a zero gradient: torch::optim::Adam behind zero_grad() zeroes
      // gradients instead of dropping them, so that is what it did.
      if (!s.exp_avg.defined()) continue;
      g = at::zeros_like(p);
    }
    CreateState(i);
    ++s.step;
    const double bc1 = 1 - std::pow(b1, static_cast<double>(s.step));
    const double bc2 = 1 - std::pow(b2, static_cast<double>(s.step));
    const double step_size = options_.learning_rate / bc1;
    if (FastPath(p, g, s.exp_avg, s.exp_avg_sq)) {
      // The scalars as LibTorch converts them: computed in double, then
      // rounded to float.
      AdamKernel(p.data_ptr<float>(), g.data_ptr<float>(), s.exp_avg.data_ptr<float>(),
                 s.exp_avg_sq.data_ptr<float>(), p.numel(), static_cast<float>(b1),
                 static_cast<float>(b2), static_cast<float>(1 - b1), static_cast<float>(1 - b2),
                 static_cast<float>(std::sqrt(bc2)), static_cast<float>(-step_size),
                 static_cast<float>(options_.eps));
      // Written through its pointer: tell autograd p changed, as addcdiv_ did.
      p.unsafeGetTensorImpl()->bump_version();
      continue;
    }
    s.exp_avg.mul_(b1).add_(g, 1 - b1);
    s.exp_avg_sq.mul_(b2).addcmul_(g, g, 1 - b2);
    at::Tensor denom = (s.exp_avg_sq.sqrt() / std::sqrt(bc2)).add_(options_.eps);
    p.addcdiv_(s.exp_avg, denom, -step_size);
  }
}

std::vector<NamedTensor> Adam::State(bool create) {
  std::vector<NamedTensor> out;
  for (size_t i = 0; i < params_.size(); ++i) {
    if (create) CreateState(i);
    if (!slots_[i].exp_avg.defined()) continue;
    out.push_back({absl::StrCat("optim/", i, "/exp_avg"), slots_[i].exp_avg});
    out.push_back({absl::StrCat("optim/", i, "/exp_avg_sq"), slots_[i].exp_avg_sq});
  }
  return out;
}

void Adam::SetSteps(int64_t step) {
  for (Slot& s : slots_) {
    if (s.exp_avg.defined()) s.step = step;
  }
}

}  // namespace isoae
