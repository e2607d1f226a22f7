#include "core/fused_mlp.h"

#include <ATen/ATen.h>
#include <ATen/ExpandUtils.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/autograd_node.h"

namespace isoae {
namespace {

using autograd_node::AnyRequiresGrad;
using autograd_node::CheckNotDoubleBackward;
using autograd_node::Edges;
using autograd_node::MakeNode;
using autograd_node::SavedInputs;
using autograd_node::SavedOutput;

using torch::autograd::Node;
using torch::autograd::variable_list;

bool Smooth(MlpActivation a) {
  return a == MlpActivation::kSigmoid || a == MlpActivation::kTanh;
}

// out = g * phi'(a) for y = phi(a); g shaped like y, or [B, k, ...] against
// y [B, ...]. The kernels autograd's derivative formulas use (relu:
// threshold_backward on the result; sigmoid, tanh: *_backward on the result).
void TimesDerivativeInto(MlpActivation a, const at::Tensor& g, const at::Tensor& y,
                         at::Tensor out) {
  const at::Tensor ye = g.dim() == y.dim() ? y : y.unsqueeze(1).expand_as(g);
  switch (a) {
    case MlpActivation::kReLU:
      at::threshold_backward_out(out, g, ye, 0);
      return;
    case MlpActivation::kSigmoid:
      at::sigmoid_backward_out(out, g, ye);
      return;
    case MlpActivation::kTanh:
      at::tanh_backward_out(out, g, ye);
      return;
    case MlpActivation::kNone:
      break;
  }
  out.copy_(g);
}

// The same into a new tensor (g itself without an activation).
at::Tensor TimesDerivative(MlpActivation a, const at::Tensor& g, const at::Tensor& y) {
  if (a == MlpActivation::kNone) return g;
  at::Tensor out = at::empty(g.sizes(), g.options());
  TimesDerivativeInto(a, g, y, out);
  return out;
}

// g * phi''(a) for y = phi(a), smooth activations: sigmoid'' = s'(1 - 2s),
// tanh'' = -2 tanh tanh'.
at::Tensor TimesSecondDerivative(MlpActivation a, const at::Tensor& g, const at::Tensor& y) {
  if (a == MlpActivation::kSigmoid) return at::sigmoid_backward(g, y) * (1 - 2 * y);
  return at::tanh_backward(g, y) * (-2 * y);
}

// [x, (t,) W1, b1, W2, b2, ...]: the node's inputs, in the order of its edges.
std::vector<at::Tensor> NodeInputs(const std::vector<at::Tensor>& leading,
                                   const std::vector<MlpLayerView>& layers) {
  std::vector<at::Tensor> in = leading;
  for (const MlpLayerView& l : layers) {
    in.push_back(l.weight);
    in.push_back(l.bias);
  }
  return in;
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
    inputs_.Check("MlpForward");
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
    // Only when asked for: g is then dL/dx; otherwise it is still layer 1's
    // output gradient, of the wrong shape for x's edge.
    if (task_should_compute_output(0)) out[0] = g;
    return out;
  }
  void release_variables() override {
    h_.clear();
    out_.alias.reset();
    inputs_.Clear();
  }

  std::vector<MlpLayerView> layers_;
  std::vector<at::Tensor> h_;  // h_[l]: layer l's input (h_[0] = x)
  SavedOutput out_;
  SavedInputs inputs_;  // x and the weights
};

void ActivateInto(MlpActivation a, const at::Tensor& x, at::Tensor out) {
  switch (a) {
    case MlpActivation::kReLU:
      at::clamp_min_out(out, x, 0);
      return;
    case MlpActivation::kSigmoid:
      at::sigmoid_out(out, x);
      return;
    case MlpActivation::kTanh:
      at::tanh_out(out, x);
      return;
    case MlpActivation::kNone:
      break;
  }
  out.copy_(x);
}

// Per-sample Gram matrix V V^T [B, k, k] of V [B, k, n].
at::Tensor Gram(const at::Tensor& v) {
  const int64_t k = v.size(1);
  if (k == 1) return (v * v).sum(-1).unsqueeze(-1);
  std::vector<at::Tensor> cols;
  for (int64_t j = 0; j < k; ++j) cols.push_back((v * v.narrow(1, j, 1)).sum(-1));
  return at::stack(cols, 2);
}

// dL/dV from dL/d(V V^T) = g [B, k, k]: (g + g^T) V, for small k as k
// broadcast products (a batched matmul would be B tiny BLAS calls).
at::Tensor GramGrad(const at::Tensor& g, const at::Tensor& v) {
  const at::Tensor s = g + g.transpose(1, 2);
  at::Tensor out;
  for (int64_t j = 0; j < v.size(1); ++j) {
    at::Tensor t = s.narrow(2, j, 1) * v.narrow(1, j, 1);
    out = out.defined() ? out + t : t;
  }
  return out;
}

// MlpTangents, per layer l (input side l, output side l + 1):
//   a_l = h_l W^T + b, h_{l+1} = phi(a_l)         value chain
//   s_l = T_l W^T,  T_{l+1} = phi'(a_l) s_l         tangent chain
//   E_l = phi'(a_l) C_{l+1},  C_l = E_l W          cotangent chain, C_L = T_L
// Each layer keeps two stacked matrices whose row blocks pair up:
//   X_l [rows, in]:   h_l (B rows) | T_l (B k rows) | dL/dC_l (B k rows)
//   G_l [rows, out]:  dL/da_l      | dL/ds_l        | E_l
// (the third blocks only with the pullback), so that one product
// X_l[:B(1+k)] W^T gives a_l and s_l, one product G_l^T X_l gives the whole
// gradient of W_l, and one product G_l[:B(1+k)] W gives dL/dh_l and dL/dT_l:
// five products per layer where the layer passes run nine, on taller
// matrices.
class MlpJetNode final : public Node {
 public:
  std::string name() const override { return "isoae::MlpTangentsBackward"; }
  variable_list apply(variable_list&& grads) override {
    CheckNotDoubleBackward("MlpTangents");
    tangent_out_.Check("MlpTangents");
    pullback_out_.Check("MlpTangents");
    inputs_.Check("MlpTangents");
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    const size_t n = layers_.size();
    const int64_t b = b_, bk = b_ * k_, vt = b_ + bk;
    variable_list out(num_outputs());
    const bool has_cbar = pullback_ && grads[1].defined();
    at::Tensor tbar = grads[0];  // dL/dT_L [B, k, out]
    if (!tbar.defined() && !has_cbar) return out;
    at::Tensor cbar0 = has_cbar ? grads[1] : at::Tensor();  // dL/dC_0 [B, k, in]
    if (grams_) {
      if (tbar.defined()) tbar = GramGrad(tbar, tangent_);
      if (has_cbar) cbar0 = GramGrad(cbar0, pullback_vec_);
    }
    std::vector<at::Tensor> dbar(n);  // dL/d phi'(a_l) [B, out], smooth activations
    auto add_dbar = [&](size_t l, const at::Tensor& x) {
      // x [B, k, out], summed over the tangents.
      const at::Tensor xs = k_ == 1 ? x.reshape({b, x.size(2)}) : x.sum(1);
      dbar[l] = dbar[l].defined() ? dbar[l] + xs : xs;
    };
    // Cotangent chain, reversed (input side first): dL/dC_l sits in X_l's
    // third block.
    if (has_cbar) {
      x_[0].narrow(0, vt, bk).copy_(cbar0.reshape({bk, -1}));
      for (size_t l = 0; l < n; ++l) {
        const MlpLayerView& layer = layers_[l];
        const int64_t o = layer.weight.size(0);
        const at::Tensor ebar = x_[l].narrow(0, vt, bk).mm(layer.weight.t()).view({b, k_, o});
        if (Smooth(layer.activation)) add_dbar(l, c_[l] * ebar);
        if (l + 1 < n) {
          TimesDerivativeInto(layer.activation, ebar, y_[l],
                              x_[l + 1].narrow(0, vt, bk).view({b, k_, o}));
        } else {
          const at::Tensor cbar = TimesDerivative(layer.activation, ebar, y_[l]);
          tbar = tbar.defined() ? tbar + cbar : cbar;  // C_L = T_L
        }
      }
    }
    // Tangent and value chains, reversed (output side first). r holds
    // [dL/dh_{l+1}; dL/dT_{l+1}] from the layer above.
    at::Tensor r;
    bool value_grad = false;  // whether dL/dh_{l+1} (r's first block) is nonzero
    const int64_t used = has_cbar ? vt + bk : vt;
    for (size_t l = n; l-- > 0;) {
      const MlpLayerView& layer = layers_[l];
      const int64_t o = layer.weight.size(0);
      const at::Tensor& y = y_[l];
      const at::Tensor abar = g_[l].narrow(0, 0, b);
      const at::Tensor sbar = g_[l].narrow(0, b, bk).view({b, k_, o});
      const at::Tensor tb = l + 1 == n ? tbar : r.narrow(0, b, bk).view({b, k_, o});
      if (Smooth(layer.activation)) add_dbar(l, s_[l] * tb);
      TimesDerivativeInto(layer.activation, tb, y, sbar);
      // dL/da_l is zero (kept as zero rows of the stacked products) until a
      // second derivative feeds the value chain: the value h_L is no output.
      if (value_grad) {
        TimesDerivativeInto(layer.activation, r.narrow(0, 0, b), y, abar);
      } else {
        abar.zero_();
      }
      if (dbar[l].defined()) {
        abar.add_(TimesSecondDerivative(layer.activation, dbar[l], y));
        value_grad = true;
      }
      if (task_should_compute_output(2 + 2 * l)) {
        out[2 + 2 * l] = g_[l].narrow(0, 0, used).t().mm(x_[l].narrow(0, 0, used));
      }
      if (value_grad && layer.bias.defined() && task_should_compute_output(3 + 2 * l)) {
        out[3 + 2 * l] = abar.sum(0);
      }
      if (l > 0 || task_should_compute_output(0) || task_should_compute_output(1)) {
        r = g_[l].narrow(0, 0, vt).mm(layer.weight);
      }
    }
    if (value_grad && task_should_compute_output(0)) out[0] = r.narrow(0, 0, b);
    if (task_should_compute_output(1)) out[1] = r.narrow(0, b, bk).view({b, k_, -1});
    return out;
  }
  // Saved tensors that are the node's own outputs are kept as their aliases
  // (no reference cycle through the outputs' autograd metadata).
  void UseAliasOf(const at::Tensor& output, const at::Tensor& alias) {
    for (at::Tensor& x : c_) {
      if (x.defined() && x.unsafeGetTensorImpl() == output.unsafeGetTensorImpl()) x = alias;
    }
  }
  void release_variables() override {
    x_.clear();
    g_.clear();
    y_.clear();
    s_.clear();
    c_.clear();
    tangent_.reset();
    pullback_vec_.reset();
    tangent_out_.alias.reset();
    pullback_out_.alias.reset();
    inputs_.Clear();
  }

  std::vector<MlpLayerView> layers_;
  SavedInputs inputs_;  // z, t and the weights
  bool pullback_ = false;
  bool grams_ = false;            // outputs are the Gram matrices of these:
  at::Tensor tangent_, pullback_vec_;  // J T and J^T J T (grams_ only)
  int64_t b_ = 0, k_ = 0;
  std::vector<at::Tensor> x_, g_;  // the stacked matrices above
  std::vector<at::Tensor> y_;      // h_{l+1} = phi(a_l) [B, out]
  std::vector<at::Tensor> s_;      // s_l [B, k, out] (smooth activations only)
  std::vector<at::Tensor> c_;      // C_{l+1} [B, k, out] (smooth activations, pullback)
  SavedOutput tangent_out_, pullback_out_;
};

at::Tensor Linear(const MlpLayerView& l, const at::Tensor& x) {
  return l.bias.defined() ? at::linear(x, l.weight, l.bias) : at::linear(x, l.weight);
}

}  // namespace

at::Tensor MlpForward(const std::vector<MlpLayerView>& layers, const at::Tensor& x) {
  TORCH_CHECK(!layers.empty(), "MlpForward: no layers");
  TORCH_CHECK(x.dim() == 2, "MlpForward: input must be [B, in], got ", x.sizes());
  const bool grad = AnyRequiresGrad(NodeInputs({x}, layers));
  std::vector<at::Tensor> h = {x};
  {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    // The activation in place on the product (the backward reads only its
    // output): the same values, one buffer fewer per layer.
    for (const MlpLayerView& l : layers) {
      at::Tensor a = Linear(l, h.back());
      if (l.activation != MlpActivation::kNone) ActivateInto(l.activation, a, a);
      h.push_back(a);
    }
  }
  at::Tensor y = h.back();
  if (!grad) return y;
  auto node = MakeNode<MlpForwardNode>();
  node->set_next_edges(Edges(NodeInputs({x}, layers)));
  for (const at::Tensor& t : NodeInputs({x}, layers)) node->inputs_.Add(t);
  node->layers_ = layers;
  node->out_.Save(y);
  h.pop_back();
  node->h_ = std::move(h);
  torch::autograd::set_history(y, node);
  return y;
}

namespace {

// MlpTangents (grams false) and MlpTangentGrams (true).
MlpJet Jet(const std::vector<MlpLayerView>& layers, const at::Tensor& z, const at::Tensor& t,
           bool pullback, bool grams) {
  TORCH_CHECK(!layers.empty(), "MlpTangents: no layers");
  TORCH_CHECK(z.dim() == 2, "MlpTangents: z must be [B, in], got ", z.sizes());
  TORCH_CHECK(t.dim() == 3 && t.size(0) == z.size(0) && t.size(2) == z.size(1),
              "MlpTangents: tangents must be [B, k, in] for z ", z.sizes(), ", got ", t.sizes());
  const bool grad = AnyRequiresGrad(NodeInputs({z, t}, layers));
  const size_t n = layers.size();
  const int64_t b = z.size(0), k = t.size(1), bk = b * k, vt = b + bk;
  const int64_t rows = pullback ? vt + bk : vt;
  auto node = MakeNode<MlpJetNode>();
  MlpJetNode& s = *node;
  s.b_ = b;
  s.k_ = k;
  s.x_.resize(n);
  s.g_.resize(n);
  s.y_.resize(n);
  s.s_.resize(n);
  s.c_.resize(n);
  MlpJet jet;
  {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    s.x_[0] = at::empty({rows, z.size(1)}, z.options());
    s.x_[0].narrow(0, 0, b).copy_(z);
    s.x_[0].narrow(0, b, bk).copy_(t.reshape({bk, z.size(1)}));
    for (size_t l = 0; l < n; ++l) {
      const MlpLayerView& layer = layers[l];
      const int64_t o = layer.weight.size(0);
      const at::Tensor as = s.x_[l].narrow(0, 0, vt).mm(layer.weight.t());  // [a; s]
      const at::Tensor a = as.narrow(0, 0, b);
      if (layer.bias.defined()) a.add_(layer.bias);
      const at::Tensor pre = as.narrow(0, b, bk).view({b, k, o});
      at::Tensor tan;
      if (l + 1 < n) {
        s.x_[l + 1] = at::empty({rows, o}, z.options());
        s.y_[l] = s.x_[l + 1].narrow(0, 0, b);
        tan = s.x_[l + 1].narrow(0, b, bk).view({b, k, o});
      } else {
        s.y_[l] = at::empty({b, o}, z.options());
        tan = at::empty({b, k, o}, z.options());
        jet.tangent = tan;
      }
      ActivateInto(layer.activation, a, s.y_[l]);
      TimesDerivativeInto(layer.activation, pre, s.y_[l], tan);
      if (Smooth(layer.activation)) s.s_[l] = pre;
      s.g_[l] = at::empty({rows, o}, z.options());
    }
    if (pullback) {
      at::Tensor c = jet.tangent;  // C_L
      for (size_t l = n; l-- > 0;) {
        const MlpLayerView& layer = layers[l];
        const int64_t o = layer.weight.size(0);
        if (Smooth(layer.activation)) s.c_[l] = c;
        const at::Tensor e = s.g_[l].narrow(0, vt, bk);
        TimesDerivativeInto(layer.activation, c, s.y_[l], e.view({b, k, o}));
        c = e.mm(layer.weight).view({b, k, -1});
      }
      jet.pullback = c;
    }
  }
  if (grams) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    s.tangent_ = jet.tangent;
    s.pullback_vec_ = jet.pullback;
    jet.tangent = Gram(jet.tangent);
    if (pullback) jet.pullback = Gram(jet.pullback);
  }
  if (!grad) return jet;
  s.pullback_ = pullback;
  s.grams_ = grams;
  s.layers_ = layers;
  s.set_next_edges(Edges(NodeInputs({z, t}, layers)));
  for (const at::Tensor& in : NodeInputs({z, t}, layers)) s.inputs_.Add(in);
  s.tangent_out_.Save(jet.tangent);
  s.UseAliasOf(jet.tangent, s.tangent_out_.alias);
  torch::autograd::set_history(jet.tangent, node);
  if (pullback) {
    s.pullback_out_.Save(jet.pullback);
    torch::autograd::set_history(jet.pullback, node);
  }
  return jet;
}

}  // namespace

MlpJet MlpTangents(const std::vector<MlpLayerView>& layers, const at::Tensor& z,
                   const at::Tensor& t, bool pullback) {
  return Jet(layers, z, t, pullback, /*grams=*/false);
}

MlpJet MlpTangentGrams(const std::vector<MlpLayerView>& layers, const at::Tensor& z,
                       const at::Tensor& t, bool pullback) {
  return Jet(layers, z, t, pullback, /*grams=*/true);
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
