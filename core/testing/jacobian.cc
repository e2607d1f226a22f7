#include "core/testing/jacobian.h"

#include "third_party/torch_light.h"

#include <cmath>

namespace isoae::testing {

at::Tensor AutogradJacobian(const std::function<at::Tensor(const at::Tensor&)>& fn,
                            const at::Tensor& x) {
  at::Tensor xi = x.detach().clone().set_requires_grad(true);
  at::Tensor y = fn(xi).flatten();
  at::Tensor jac = torch::zeros({y.numel(), x.numel()}, x.options());
  for (int64_t r = 0; r < y.numel(); ++r) {
    auto g = torch::autograd::grad({y[r]}, {xi}, {}, /*retain_graph=*/true,
                                   /*create_graph=*/false, /*allow_unused=*/true);
    if (g[0].defined()) jac[r] = g[0].flatten();
  }
  return jac;
}

at::Tensor ReferenceJvp(const std::function<at::Tensor(const at::Tensor&)>& fn,
                        const at::Tensor& x, const at::Tensor& tangents,
                        bool per_sample) {
  at::Tensor y;
  {
    at::Tensor xi = x.detach();
    y = fn(xi).detach();
  }
  const int64_t b = x.size(0);
  const int64_t k = tangents.size(1);
  const int64_t in = x.numel() / b;
  const int64_t out = y.numel() / b;
  at::Tensor jac = AutogradJacobian(fn, x).view({b, out, b, in});
  at::Tensor t = tangents.reshape({b, k, in});
  at::Tensor result = torch::zeros({b, k, out}, x.options());
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t j = 0; j < b; ++j) {
      if (per_sample && i != j) continue;
      // [out, in] x [in, k] -> [out, k]
      result[i] += jac[i].select(1, j).matmul(t[j].t()).t();
    }
  }
  std::vector<int64_t> shape = {b, k};
  for (int64_t d = 1; d < y.dim(); ++d) shape.push_back(y.size(d));
  return result.view(shape);
}

at::Tensor ReferenceVjp(const std::function<at::Tensor(const at::Tensor&)>& fn,
                        const at::Tensor& x, const at::Tensor& c) {
  at::Tensor xi = x.detach().clone().set_requires_grad(true);
  at::Tensor y = fn(xi);
  return torch::autograd::grad({(y * c).sum()}, {xi})[0];
}

std::vector<at::Tensor> FiniteDifferenceGradients(
    const std::function<double()>& loss, const std::vector<at::Tensor>& params,
    double h) {
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> grads;
  for (const at::Tensor& p : params) {
    at::Tensor g = torch::zeros_like(p);
    at::Tensor flat = p.view(-1);
    at::Tensor gflat = g.view(-1);
    for (int64_t i = 0; i < flat.numel(); ++i) {
      const double orig = flat[i].item<double>();
      flat[i] = orig + h;
      const double up = loss();
      flat[i] = orig - h;
      const double down = loss();
      flat[i] = orig;
      gflat[i] = (up - down) / (2 * h);
    }
    grads.push_back(g);
  }
  return grads;
}

double RelativeError(const std::vector<at::Tensor>& a,
                     const std::vector<at::Tensor>& b) {
  double diff = 0, sum = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff += (a[i] - b[i]).pow(2).sum().item<double>();
    sum += (a[i] + b[i]).pow(2).sum().item<double>();
  }
  return sum == 0 ? 0.0 : std::sqrt(diff) / std::sqrt(sum);
}

Sequential LinearMap(const at::Tensor& a) {
  Sequential net;
  net.Add(MakeLinear(a.size(1), a.size(0), /*bias=*/false, a.options()));
  at::NoGradGuard no_grad;
  net.NamedParameters()[0].tensor.copy_(a);
  return net;
}

}  // namespace isoae::testing
