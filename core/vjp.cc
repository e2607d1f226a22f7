#include "core/vjp.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/torch_boundary.h"

namespace isoae {
namespace {

std::string Shape(const at::Tensor& t) {
  return absl::StrCat("[", absl::StrJoin(t.sizes(), ","), "]");
}

absl::Status CheckInput(const at::Tensor& x, const char* name) {
  if (!x.defined() || x.dim() < 1 || !x.is_floating_point()) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, " must be a defined floating-point [B, ...] tensor"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<at::Tensor> Vjp(const BatchFn& g, const at::Tensor& x, const at::Tensor& u,
                               bool create_graph) {
  if (absl::Status s = CheckInput(x, "Vjp input x"); !s.ok()) return s;
  at::Tensor out;
  absl::Status shape_error;
  absl::Status s = TorchCall("Vjp", [&] {
    at::Tensor xi = x.detach().requires_grad_(true);
    at::Tensor y = g(xi);
    if (!u.defined() || u.sizes() != y.sizes()) {
      shape_error = absl::InvalidArgumentError(absl::StrCat(
          "Vjp cotangent u has shape ", u.defined() ? Shape(u) : "undefined",
          " but g(x) has shape ", Shape(y)));
      return;
    }
    out = torch::autograd::grad({y}, {xi}, {u}, /*retain_graph=*/true, create_graph,
                                /*allow_unused=*/true)[0];
    if (!out.defined()) out = at::zeros_like(xi);
  });
  if (!s.ok()) return s;
  if (!shape_error.ok()) return shape_error;
  return out;
}

absl::StatusOr<at::Tensor> Jvp(const BatchFn& f, const at::Tensor& z, const at::Tensor& t,
                               bool create_graph) {
  if (absl::Status s = CheckInput(z, "Jvp input z"); !s.ok()) return s;
  if (!t.defined() || t.sizes() != z.sizes()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Jvp tangent t has shape ", t.defined() ? Shape(t) : "undefined",
        " but z has shape ", Shape(z)));
  }
  at::Tensor out;
  absl::Status s = TorchCall("Jvp", [&] {
    at::Tensor zi = z.detach().requires_grad_(true);
    at::Tensor y = f(zi);
    at::Tensor v = at::zeros_like(y).requires_grad_(true);
    at::Tensor g = torch::autograd::grad({y}, {zi}, {v}, true, true, true)[0];
    if (!g.defined()) {  // f does not depend on z
      out = at::zeros_like(y);
      return;
    }
    out = torch::autograd::grad({g}, {v}, {t}, true, create_graph, true)[0];
    if (!out.defined()) out = at::zeros_like(y);
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace isoae
