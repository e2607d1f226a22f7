#include "core/fused_mlp.h"

#include <ATen/ATen.h>
#include <ATen/ExpandUtils.h>
#include <ATen/core/LegacyTypeDispatch.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/utils.h>
#include <torch/csrc/autograd/variable.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace isoae {
namespace {

using torch::autograd::Edge;
using torch::autograd::edge_list;
using torch::autograd::Node;
using torch::autograd::variable_list;

bool Smooth(MlpActivation a) {
  return a == MlpActivation::kSigmoid || a == MlpActivation::kTanh;
}

at::Tensor Activate(MlpActivation a, const at::Tensor& x) {
  switch (a) {
    case MlpActivation::kReLU:
      return at::relu(x);
    case MlpActivation::kSigmoid:
      return at::sigmoid(x);
    case MlpActivation::kTanh:
      return at::tanh(x);
    case MlpActivation::kNone:
      break;
  }
  return x;
}

// g * phi'(a) for y = phi(a); g shaped like y, or [B, k, ...] against y [B, ...].
// The kernels autograd's derivative formulas use (relu: threshold_backward on
// the result; sigmoid, tanh: *_backward on the result).
at::Tensor TimesDerivative(MlpActivation a, const at::Tensor& g, const at::Tensor& y) {
  if (a == MlpActivation::kNone) return g;
  const at::Tensor ye = g.dim() == y.dim() ? y : y.unsqueeze(1).expand_as(g);
  switch (a) {
    case MlpActivation::kReLU:
      return at::threshold_backward(g, ye, 0);
    case MlpActivation::kSigmoid:
      return at::sigmoid_backward(g, ye);
    case MlpActivation::kTanh:
      return at::tanh_backward(g, ye);
    case MlpActivation::kNone:
      break;
  }
  return g;
}

// g * phi''(a) for y = phi(a), smooth activations: sigmoid'' = s'(1 - 2s),
// tanh'' = -2 tanh tanh'.
at::Tensor TimesSecondDerivative(MlpActivation a, const at::Tensor& g, const at::Tensor& y) {
  if (a == MlpActivation::kSigmoid) return at::sigmoid_backward(g, y) * (1 - 2 * y);
  return at::tanh_backward(g, y) * (-2 * y);
}

Edge EdgeOf(const at::Tensor& t) {
  return t.defined() && t.requires_grad() ? torch::autograd::impl::gradient_edge(t) : Edge();
}

// [x, (t,) W1, b1, W2, b2, ...]: the node's inputs, in the order of its edges.
edge_list Edges(const std::vector<at::Tensor>& leading, const std::vector<MlpLayerView>& layers) {
  edge_list e;
  e.reserve(leading.size() + 2 * layers.size());
  for (const at::Tensor& t : leading) e.push_back(EdgeOf(t));
  for (const MlpLayerView& l : layers) {
    e.push_back(EdgeOf(l.weight));
    e.push_back(EdgeOf(l.bias));
  }
  return e;
}

bool AnyRequiresGrad(const std::vector<at::Tensor>& leading,
                     const std::vector<MlpLayerView>& layers) {
  if (!at::GradMode::is_enabled()) return false;
  for (const at::Tensor& t : leading) {
    if (t.defined() && t.requires_grad()) return true;
  }
  for (const MlpLayerView& l : layers) {
    if (l.weight.requires_grad() || (l.bias.defined() && l.bias.requires_grad())) return true;
  }
  return false;
}

// The node keeps aliases of its outputs (no autograd metadata, so no
// reference cycle) and refuses to run if they were modified in place.
struct SavedOutput {
  at::Tensor alias;
  uint32_t version = 0;
  void Save(const at::Tensor& t) {
    alias = t.detach();
    version = alias._version();
  }
  void Check(const char* what) const {
    TORCH_CHECK(!alias.defined() || alias._version() == version, what,
                ": an output of the fused MLP node was modified in place before the backward");
  }
};

void CheckNotDoubleBackward(const char* what) {
  TORCH_CHECK(!at::GradMode::is_enabled(), what,
              ": the fused MLP backward is not differentiable (create_graph / double "
              "backward); use the layer-by-layer passes (Layer::Forward, VjpSaved)");
}

// dL/d input of y = input W^T (+ b), as AddmmBackward0 / MmBackward0 compute
// it (mm_mat1_backward with mat2 = W^T: a column-major input gets a
// column-major gradient).
at::Tensor InputGrad(const at::Tensor& g, const at::Tensor& w, const at::Tensor& input) {
  if (input.stride(0) == 1 && input.stride(1) == input.size(0)) return w.t().mm(g.t()).t();
  return g.mm(w);
}

class MlpForwardNode final : public Node {
 public:
  std::string name() const override { return "isoae::MlpForwardBackward"; }
  variable_list apply(variable_list&& grads) override {
    CheckNotDoubleBackward("MlpForward");
    out_.Check("MlpForward");
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    variable_list out(num_outputs());
    at::Tensor g = grads[0];
    if (!g.defined()) return out;
    for (size_t l = layers_.size(); l-- > 0;) {
      const MlpLayerView& layer = layers_[l];
      const at::Tensor& y = l + 1 == layers_.size() ? out_.alias : h_[l + 1];
      g = TimesDerivative(layer.activation, g, y);
      if (task_should_compute_output(1 + 2 * l)) out[1 + 2 * l] = g.t().mm(h_[l]);
      if (layer.bias.defined() && task_should_compute_output(2 + 2 * l)) {
        out[2 + 2 * l] = at::sum_to(g, layer.bias.sizes());
      }
      if (l > 0 || task_should_compute_output(0)) {
        g = InputGrad(g, layer.weight, h_[l]);
      }
    }
    out[0] = g;
    return out;
  }
  void release_variables() override {
    h_.clear();
    out_.alias.reset();
  }

  std::vector<MlpLayerView> layers_;
  std::vector<at::Tensor> h_;  // h_[l]: layer l's input (h_[0] = x)
  SavedOutput out_;
};

// Forward quantities of MlpTangents, per layer l (input side l, output l+1):
//   a_l = h_l W^T + b, h_{l+1} = phi(a_l)         value chain
//   s_l = T_l W^T,  T_{l+1} = phi'(a_l) s_l         tangent chain
//   E_l = phi'(a_l) C_{l+1},  C_l = E_l W          cotangent chain, C_L = T_L
class MlpJetNode final : public Node {
 public:
  std::string name() const override { return "isoae::MlpTangentsBackward"; }
  variable_list apply(variable_list&& grads) override {
    CheckNotDoubleBackward("MlpTangents");
    tangent_out_.Check("MlpTangents");
    pullback_out_.Check("MlpTangents");
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    const size_t n = layers_.size();
    variable_list out(num_outputs());
    std::vector<at::Tensor> wbar(n), dbar(n);  // dL/dW_l; dL/d phi'(a_l) [B, out]
    auto add_wbar = [&](size_t l, const at::Tensor& g, const at::Tensor& in) {
      // g [rows, out], in [rows, in]: W_l's gradient g^T in, summed in place.
      if (wbar[l].defined()) {
        wbar[l].addmm_(g.t(), in);
      } else {
        wbar[l] = g.t().mm(in);
      }
    };
    auto add_dbar = [&](size_t l, const at::Tensor& x) {
      if (dbar[l].defined()) {
        dbar[l].add_(x);
      } else {
        dbar[l] = x;
      }
    };
    auto rows = [](const at::Tensor& t) { return t.reshape({-1, t.size(-1)}); };

    // Cotangent chain, reversed (input side first): C_l = E_l W_l.
    at::Tensor tbar = grads[0];  // dL/dT_L
    if (pullback_ && grads[1].defined()) {
      at::Tensor cbar = grads[1];  // dL/dC_0
      for (size_t l = 0; l < n; ++l) {
        const MlpLayerView& layer = layers_[l];
        add_wbar(l, rows(e_[l]), rows(cbar));
        const at::Tensor ebar = at::matmul(cbar, layer.weight.t());
        // E_l = phi'(a_l) C_{l+1}.
        if (Smooth(layer.activation)) add_dbar(l, (c_[l + 1] * ebar).sum(1));
        cbar = TimesDerivative(layer.activation, ebar, h_[l + 1]);
      }
      tbar = tbar.defined() ? tbar + cbar : cbar;  // C_L = T_L
    }
    // Tangent and value chains, reversed (output side first).
    at::Tensor hbar;  // dL/dh_{l+1}; the value h_L is not an output
    for (size_t l = n; l-- > 0;) {
      const MlpLayerView& layer = layers_[l];
      const at::Tensor& y = h_[l + 1];
      at::Tensor sbar;
      if (tbar.defined()) {
        if (Smooth(layer.activation)) add_dbar(l, (s_[l] * tbar).sum(1));
        sbar = TimesDerivative(layer.activation, tbar, y);
        add_wbar(l, rows(sbar), rows(t_[l]));
      }
      at::Tensor abar;
      if (hbar.defined()) abar = TimesDerivative(layer.activation, hbar, y);
      if (dbar[l].defined()) {
        at::Tensor d2 = TimesSecondDerivative(layer.activation, dbar[l], y);
        abar = abar.defined() ? abar + d2 : d2;
      }
      if (abar.defined()) {
        add_wbar(l, abar, h_[l]);
        if (layer.bias.defined() && task_should_compute_output(3 + 2 * l)) {
          out[3 + 2 * l] = abar.sum(0);
        }
      }
      if (task_should_compute_output(2 + 2 * l)) out[2 + 2 * l] = wbar[l];
      if (l > 0 || task_should_compute_output(1)) {
        tbar = sbar.defined() ? at::matmul(sbar, layer.weight) : at::Tensor();
      }
      if (l > 0 || task_should_compute_output(0)) {
        hbar = abar.defined() ? abar.mm(layer.weight) : at::Tensor();
      }
    }
    out[0] = hbar;
    out[1] = tbar;
    return out;
  }
  // Saved tensors that are the node's own outputs are kept as their aliases
  // (no reference cycle through the outputs' autograd metadata).
  void UseAliasOf(const at::Tensor& output, const at::Tensor& alias) {
    for (std::vector<at::Tensor>* v : {&h_, &t_, &s_, &c_, &e_}) {
      for (at::Tensor& x : *v) {
        if (x.defined() && x.unsafeGetTensorImpl() == output.unsafeGetTensorImpl()) x = alias;
      }
    }
  }
  void release_variables() override {
    h_.clear();
    t_.clear();
    s_.clear();
    c_.clear();
    e_.clear();
    tangent_out_.alias.reset();
    pullback_out_.alias.reset();
  }

  std::vector<MlpLayerView> layers_;
  bool pullback_ = false;
  std::vector<at::Tensor> h_;  // [n + 1] values: h_[0] = z, h_[l + 1] = phi(a_l)
  std::vector<at::Tensor> t_;  // [n] tangents into layer l [B, k, in]
  std::vector<at::Tensor> s_;  // [n] W_l T_l [B, k, out] (smooth activations only)
  std::vector<at::Tensor> c_;  // [n + 1] cotangents C_l (c_[n] = T_L); pullback only
  std::vector<at::Tensor> e_;  // [n] E_l; pullback only
  SavedOutput tangent_out_, pullback_out_;
};

at::Tensor Linear(const MlpLayerView& l, const at::Tensor& x) {
  return l.bias.defined() ? at::linear(x, l.weight, l.bias) : at::linear(x, l.weight);
}

}  // namespace

at::Tensor MlpForward(const std::vector<MlpLayerView>& layers, const at::Tensor& x) {
  TORCH_CHECK(!layers.empty(), "MlpForward: no layers");
  TORCH_CHECK(x.dim() == 2, "MlpForward: input must be [B, in], got ", x.sizes());
  const bool grad = AnyRequiresGrad({x}, layers);
  std::vector<at::Tensor> h = {x};
  {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    for (const MlpLayerView& l : layers) h.push_back(Activate(l.activation, Linear(l, h.back())));
  }
  at::Tensor y = h.back();
  if (!grad) return y;
  auto node = std::shared_ptr<MlpForwardNode>(new MlpForwardNode(), torch::autograd::deleteNode);
  node->set_next_edges(Edges({x}, layers));
  node->layers_ = layers;
  node->out_.Save(y);
  h.pop_back();
  node->h_ = std::move(h);
  torch::autograd::set_history(y, node);
  return y;
}

MlpJet MlpTangents(const std::vector<MlpLayerView>& layers, const at::Tensor& z,
                   const at::Tensor& t, bool pullback) {
  TORCH_CHECK(!layers.empty(), "MlpTangents: no layers");
  TORCH_CHECK(z.dim() == 2, "MlpTangents: z must be [B, in], got ", z.sizes());
  TORCH_CHECK(t.dim() == 3 && t.size(0) == z.size(0) && t.size(2) == z.size(1),
              "MlpTangents: tangents must be [B, k, in] for z ", z.sizes(), ", got ", t.sizes());
  const bool grad = AnyRequiresGrad({z, t}, layers);
  const size_t n = layers.size();
  auto node = std::shared_ptr<MlpJetNode>(new MlpJetNode(), torch::autograd::deleteNode);
  MlpJetNode& s = *node;
  MlpJet jet;
  {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    s.h_.push_back(z);
    at::Tensor tan = t;
    for (const MlpLayerView& l : layers) {
      s.t_.push_back(tan);
      const at::Tensor a = Linear(l, s.h_.back());
      const at::Tensor y = Activate(l.activation, a);
      at::Tensor pre = at::matmul(tan, l.weight.t());
      tan = TimesDerivative(l.activation, pre, y);
      s.s_.push_back(Smooth(l.activation) ? pre : at::Tensor());
      s.h_.push_back(y);
    }
    jet.tangent = tan;
    if (pullback) {
      s.c_.assign(n + 1, at::Tensor());
      s.e_.assign(n, at::Tensor());
      at::Tensor c = tan;
      for (size_t l = n; l-- > 0;) {
        s.c_[l + 1] = c;
        s.e_[l] = TimesDerivative(layers[l].activation, c, s.h_[l + 1]);
        c = at::matmul(s.e_[l], layers[l].weight);
      }
      jet.pullback = c;  // C_0; the backward does not read it
    }
  }
  if (!grad) return jet;
  s.pullback_ = pullback;
  s.layers_ = layers;
  s.set_next_edges(Edges({z, t}, layers));
  s.tangent_out_.Save(jet.tangent);
  s.UseAliasOf(jet.tangent, s.tangent_out_.alias);
  torch::autograd::set_history(jet.tangent, node);
  if (pullback) {
    s.pullback_out_.Save(jet.pullback);
    s.UseAliasOf(jet.pullback, s.pullback_out_.alias);
    torch::autograd::set_history(jet.pullback, node);
  }
  return jet;
}

at::Tensor ForwardFusedIfPlain(Layer& net, const at::Tensor& x) {
  if (x.dim() == 2) {
    if (std::optional<std::vector<MlpLayerView>> view = PlainMlpView(net)) {
      return MlpForward(*view, x);
    }
  }
  return net.Forward(Dual{x, at::Tensor()}).value;
}

}  // namespace isoae
