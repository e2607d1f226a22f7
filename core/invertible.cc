#include "core/invertible.h"

#include <ATen/ATen.h>
#include <glog/logging.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace isoae {
namespace {

at::Tensor Pop(std::vector<at::Tensor>* saved, const std::string& who) {
  CHECK(!saved->empty()) << who << ": VjpSaved without a matching ForwardSaving";
  at::Tensor t = std::move(saved->back());
  saved->pop_back();
  return t;
}

// The coupling's conditioner output at c = b*y: log-scale s and shift t, both
// zero on the masked (pass-through) coordinates, and their tangents.
struct Conditioned {
  at::Tensor raw_s;  // s~ (before tanh), for the derivative 1 - tanh^2
  at::Tensor s, t;   // [B, m]
  at::Tensor ds, dt; // [B, k, m] or undefined
};

class AffineCoupling final : public InvertibleLayer {
 public:
  AffineCoupling(const at::Tensor& mask, Sequential conditioner)
      : mask_(mask), keep_(1 - mask), net_(std::move(conditioner)) {
    CHECK_EQ(mask.dim(), 1) << "coupling mask must be [m]";
    dim_ = mask.size(0);
  }

  std::string Describe() const override {
    std::vector<int64_t> passed;
    at::Tensor m = mask_.cpu();
    for (int64_t i = 0; i < dim_; ++i) {
      if (m[i].item<double>() != 0) passed.push_back(i);
    }
    return absl::StrCat("AffineCoupling(m=", dim_, ", pass {", absl::StrJoin(passed, ","),
                        "}, ", net_.Describe(), ")");
  }

  Dual Forward(const Dual& in) override { return ForwardFrom(in, Condition(in, nullptr)); }

  at::Tensor Vjp(const at::Tensor& x, const at::Tensor& c) override {
    Conditioned k = Condition(Dual{x, at::Tensor()}, nullptr);
    return ForwardPullback(x, k, c, nullptr);
  }

  Dual ForwardSaving(const Dual& in, std::vector<at::Tensor>* saved) override {
    Conditioned k = Condition(in, saved);
    saved->push_back(in.value);
    saved->push_back(k.raw_s);
    return ForwardFrom(in, k);
  }

  at::Tensor VjpSaved(std::vector<at::Tensor>* saved, const at::Tensor& c) override {
    Conditioned k;
    k.raw_s = Pop(saved, Describe());
    k.s = at::tanh(k.raw_s) * keep_;
    at::Tensor x = Pop(saved, Describe());
    return ForwardPullback(x, k, c, saved);
  }

  Dual Inverse(const Dual& in) override { return InverseFrom(in, Condition(in, nullptr)); }

  at::Tensor InverseVjp(const at::Tensor& y, const at::Tensor& c) override {
    Conditioned k = Condition(Dual{y, at::Tensor()}, nullptr);
    return InversePullback(y, k, c, nullptr);
  }

  Dual InverseSaving(const Dual& in, std::vector<at::Tensor>* saved) override {
    Conditioned k = Condition(in, saved);
    saved->push_back(in.value);
    saved->push_back(k.raw_s);
    saved->push_back(k.t);
    return InverseFrom(in, k);
  }

  at::Tensor InverseVjpSaved(std::vector<at::Tensor>* saved, const at::Tensor& c) override {
    Conditioned k;
    k.t = Pop(saved, Describe());
    k.raw_s = Pop(saved, Describe());
    k.s = at::tanh(k.raw_s) * keep_;
    at::Tensor y = Pop(saved, Describe());
    return InversePullback(y, k, c, saved);
  }

  at::Tensor LogAbsDetJacobian(const at::Tensor& x) override {
    return Condition(Dual{x, at::Tensor()}, nullptr).s.sum(1);
  }

  void AppendParameters(const std::string& prefix, std::vector<NamedTensor>* out) override {
    net_.AppendParameters(prefix + "net.", out);
  }
  void AppendBuffers(const std::string& prefix, std::vector<NamedTensor>* out) override {
    net_.AppendBuffers(prefix + "net.", out);
  }
  void SetTraining(bool training) override { net_.SetTraining(training); }

 private:
  // Runs the conditioner on c = b*v (v = x forward, y inverse), with its
  // tangents when in.tangent is defined; `saved` (optional) keeps what the
  // conditioner's VjpSaved needs.
  Conditioned Condition(const Dual& in, std::vector<at::Tensor>* saved) {
    Dual c{in.value * mask_, in.tangent.defined() ? in.tangent * mask_ : at::Tensor()};
    Dual o = saved ? net_.ForwardSaving(c, saved) : net_.Forward(c);
    CHECK_EQ(o.value.size(-1), 2 * dim_) << Describe() << ": conditioner must output 2m";
    Conditioned k;
    k.raw_s = o.value.narrow(-1, 0, dim_);
    const at::Tensor th = at::tanh(k.raw_s);
    k.s = th * keep_;
    k.t = o.value.narrow(-1, dim_, dim_) * keep_;
    if (o.tangent.defined()) {
      k.ds = o.tangent.narrow(-1, 0, dim_) * ((1 - th * th) * keep_).unsqueeze(1);
      k.dt = o.tangent.narrow(-1, dim_, dim_) * keep_;
    }
    return k;
  }

  // y = x*exp(s) + t;  dy = T*exp(s) + x*exp(s)*ds + dt.
  static Dual ForwardFrom(const Dual& in, const Conditioned& k) {
    const at::Tensor es = at::exp(k.s);
    Dual out;
    out.value = in.value * es + k.t;
    if (in.tangent.defined()) {
      out.tangent = in.tangent * es.unsqueeze(1) + (in.value * es).unsqueeze(1) * k.ds + k.dt;
    }
    return out;
  }

  // x = (y - t)*exp(-s);  dx = (T - dt)*exp(-s) - x*ds.
  static Dual InverseFrom(const Dual& in, const Conditioned& k) {
    const at::Tensor ens = at::exp(-k.s);
    Dual out;
    out.value = (in.value - k.t) * ens;
    if (in.tangent.defined()) {
      out.tangent = (in.tangent - k.dt) * ens.unsqueeze(1) - out.value.unsqueeze(1) * k.ds;
    }
    return out;
  }

  // Pulls (g_s~, g_t) back through the conditioner to the masked input.
  at::Tensor ConditionerPullback(const at::Tensor& v, const Conditioned& k,
                                 const at::Tensor& gs, const at::Tensor& gt,
                                 std::vector<at::Tensor>* saved) {
    const at::Tensor th = at::tanh(k.raw_s);
    const at::Tensor g = at::cat({gs * (1 - th * th) * keep_, gt * keep_}, -1);
    const at::Tensor gc = saved ? net_.VjpSaved(saved, g) : net_.Vjp(v * mask_, g);
    return gc * mask_;
  }

  at::Tensor ForwardPullback(const at::Tensor& x, const Conditioned& k, const at::Tensor& c,
                             std::vector<at::Tensor>* saved) {
    const at::Tensor es = at::exp(k.s);
    const at::Tensor ce = c * es;
    return ce + ConditionerPullback(x, k, ce * x, c, saved);
  }

  at::Tensor InversePullback(const at::Tensor& y, const Conditioned& k, const at::Tensor& c,
                             std::vector<at::Tensor>* saved) {
    const at::Tensor ens = at::exp(-k.s);
    const at::Tensor ce = c * ens;
    const at::Tensor x = (y - k.t) * ens;
    return ce + ConditionerPullback(y, k, -c * x, -ce, saved);
  }

  at::Tensor mask_, keep_;
  int64_t dim_;
  Sequential net_;
};

class InverseView final : public Layer {
 public:
  explicit InverseView(InvertibleLayer& h) : h_(h) {}
  std::string Describe() const override { return absl::StrCat("Inverse(", h_.Describe(), ")"); }
  Dual Forward(const Dual& in) override { return h_.Inverse(in); }
  at::Tensor Vjp(const at::Tensor& y, const at::Tensor& c) override {
    return h_.InverseVjp(y, c);
  }
  Dual ForwardSaving(const Dual& in, std::vector<at::Tensor>* saved) override {
    return h_.InverseSaving(in, saved);
  }
  at::Tensor VjpSaved(std::vector<at::Tensor>* saved, const at::Tensor& c) override {
    return h_.InverseVjpSaved(saved, c);
  }
  void AppendParameters(const std::string& prefix, std::vector<NamedTensor>* out) override {
    h_.AppendParameters(prefix, out);
  }
  void AppendBuffers(const std::string& prefix, std::vector<NamedTensor>* out) override {
    h_.AppendBuffers(prefix, out);
  }

 private:
  InvertibleLayer& h_;
};

class Composition final : public Layer {
 public:
  Composition(Layer& first, Layer& second) : first_(first), second_(second) {}
  std::string Describe() const override {
    return absl::StrCat(second_.Describe(), " o ", first_.Describe());
  }
  Dual Forward(const Dual& in) override { return second_.Forward(first_.Forward(in)); }
  at::Tensor Vjp(const at::Tensor& x, const at::Tensor& c) override {
    const at::Tensor mid = first_.Forward(Dual{x, at::Tensor()}).value;
    return first_.Vjp(x, second_.Vjp(mid, c));
  }
  Dual ForwardSaving(const Dual& in, std::vector<at::Tensor>* saved) override {
    return second_.ForwardSaving(first_.ForwardSaving(in, saved), saved);
  }
  at::Tensor VjpSaved(std::vector<at::Tensor>* saved, const at::Tensor& c) override {
    return first_.VjpSaved(saved, second_.VjpSaved(saved, c));
  }
  void AppendParameters(const std::string& prefix, std::vector<NamedTensor>* out) override {
    first_.AppendParameters(prefix + "first.", out);
    second_.AppendParameters(prefix + "second.", out);
  }
  void AppendBuffers(const std::string& prefix, std::vector<NamedTensor>* out) override {
    first_.AppendBuffers(prefix + "first.", out);
    second_.AppendBuffers(prefix + "second.", out);
  }

 private:
  Layer& first_;
  Layer& second_;
};

std::unique_ptr<Layer> MakeActivation(const std::string& name) {
  if (name == "relu") return MakeReLU();
  if (name == "tanh") return MakeTanh();
  return MakeELU();
}

}  // namespace

Dual InvertibleLayer::InverseSaving(const Dual& in, std::vector<at::Tensor>* saved) {
  saved->push_back(in.value);
  return Inverse(in);
}

at::Tensor InvertibleLayer::InverseVjpSaved(std::vector<at::Tensor>* saved,
                                            const at::Tensor& c) {
  at::Tensor y = Pop(saved, Describe());
  return InverseVjp(y, c);
}

std::unique_ptr<InvertibleLayer> MakeAffineCoupling(const at::Tensor& mask,
                                                    Sequential conditioner) {
  return std::make_unique<AffineCoupling>(mask, std::move(conditioner));
}

Flow::Flow() = default;
Flow::~Flow() = default;
Flow::Flow(Flow&&) noexcept = default;
Flow& Flow::operator=(Flow&&) noexcept = default;

void Flow::Add(std::unique_ptr<InvertibleLayer> layer) { layers_.push_back(std::move(layer)); }

std::string Flow::Describe() const {
  std::vector<std::string> parts;
  for (const auto& l : layers_) parts.push_back(l->Describe());
  return absl::StrCat("Flow[", absl::StrJoin(parts, ", "), "]");
}

Dual Flow::Forward(const Dual& in) {
  Dual cur = in;
  for (auto& l : layers_) cur = l->Forward(cur);
  return cur;
}

at::Tensor Flow::Vjp(const at::Tensor& x, const at::Tensor& c) {
  std::vector<at::Tensor> inputs;
  at::Tensor cur = x;
  for (auto& l : layers_) {
    inputs.push_back(cur);
    cur = l->Forward(Dual{cur, at::Tensor()}).value;
  }
  at::Tensor g = c;
  for (size_t i = layers_.size(); i-- > 0;) g = layers_[i]->Vjp(inputs[i], g);
  return g;
}

Dual Flow::ForwardSaving(const Dual& in, std::vector<at::Tensor>* saved) {
  Dual cur = in;
  for (auto& l : layers_) cur = l->ForwardSaving(cur, saved);
  return cur;
}

at::Tensor Flow::VjpSaved(std::vector<at::Tensor>* saved, const at::Tensor& c) {
  at::Tensor g = c;
  for (size_t i = layers_.size(); i-- > 0;) g = layers_[i]->VjpSaved(saved, g);
  return g;
}

// h^-1 = h_1^-1 o ... o h_L^-1: the last layer is inverted first.
Dual Flow::Inverse(const Dual& in) {
  Dual cur = in;
  for (size_t i = layers_.size(); i-- > 0;) cur = layers_[i]->Inverse(cur);
  return cur;
}

at::Tensor Flow::InverseVjp(const at::Tensor& y, const at::Tensor& c) {
  std::vector<at::Tensor> inputs(layers_.size());
  at::Tensor cur = y;
  for (size_t i = layers_.size(); i-- > 0;) {
    inputs[i] = cur;
    cur = layers_[i]->Inverse(Dual{cur, at::Tensor()}).value;
  }
  at::Tensor g = c;
  for (size_t i = 0; i < layers_.size(); ++i) g = layers_[i]->InverseVjp(inputs[i], g);
  return g;
}

Dual Flow::InverseSaving(const Dual& in, std::vector<at::Tensor>* saved) {
  Dual cur = in;
  for (size_t i = layers_.size(); i-- > 0;) cur = layers_[i]->InverseSaving(cur, saved);
  return cur;
}

at::Tensor Flow::InverseVjpSaved(std::vector<at::Tensor>* saved, const at::Tensor& c) {
  at::Tensor g = c;
  for (auto& l : layers_) g = l->InverseVjpSaved(saved, g);
  return g;
}

at::Tensor Flow::LogAbsDetJacobian(const at::Tensor& x) {
  at::Tensor total = at::zeros({x.size(0)}, x.options());
  at::Tensor cur = x;
  for (auto& l : layers_) {
    total = total + l->LogAbsDetJacobian(cur);
    cur = l->Forward(Dual{cur, at::Tensor()}).value;
  }
  return total;
}

void Flow::AppendParameters(const std::string& prefix, std::vector<NamedTensor>* out) {
  for (size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->AppendParameters(absl::StrCat(prefix, i, "."), out);
  }
}

void Flow::AppendBuffers(const std::string& prefix, std::vector<NamedTensor>* out) {
  for (size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->AppendBuffers(absl::StrCat(prefix, i, "."), out);
  }
}

void Flow::SetTraining(bool training) {
  for (auto& l : layers_) l->SetTraining(training);
}

// Listing hands out the tensors (shared storage); it changes nothing.
std::vector<NamedTensor> Flow::NamedParameters() const {
  std::vector<NamedTensor> out;
  const_cast<Flow*>(this)->AppendParameters("", &out);
  return out;
}

std::vector<at::Tensor> Flow::Parameters() const {
  std::vector<at::Tensor> out;
  for (auto& p : NamedParameters()) out.push_back(p.tensor);
  return out;
}

absl::StatusOr<Flow> MakeRealNvp(int64_t dim, const RealNvpOptions& o,
                                 const c10::TensorOptions& options) {
  if (dim < 1) return absl::InvalidArgumentError(absl::StrCat("Real NVP dim ", dim, " < 1"));
  if (o.depth < 1) {
    return absl::InvalidArgumentError(absl::StrCat("Real NVP depth ", o.depth, " < 1"));
  }
  if (o.hidden < 1 || o.hidden_layers < 1) {
    return absl::InvalidArgumentError(absl::StrCat("Real NVP conditioner width ", o.hidden,
                                                   " and hidden layers ", o.hidden_layers,
                                                   " must be >= 1"));
  }
  if (o.activation != "relu" && o.activation != "tanh" && o.activation != "elu") {
    return absl::InvalidArgumentError(absl::StrCat(
        "Real NVP activation \"", o.activation, "\": expected relu, tanh or elu"));
  }
  Flow flow;
  for (int64_t l = 0; l < o.depth; ++l) {
    at::Tensor mask = at::zeros({dim}, options.requires_grad(false));
    for (int64_t i = 0; i < dim; ++i) {
      if ((i + l) % 2 == 0) mask[i] = 1.0;
    }
    Sequential net;
    net.Add(MakeLinear(dim, o.hidden, true, options));
    net.Add(MakeActivation(o.activation));
    for (int64_t h = 1; h < o.hidden_layers; ++h) {
      net.Add(MakeLinear(o.hidden, o.hidden, true, options));
      net.Add(MakeActivation(o.activation));
    }
    auto last = MakeLinear(o.hidden, 2 * dim, true, options);
    {
      std::vector<NamedTensor> params;
      last->AppendParameters("", &params);
      at::NoGradGuard no_grad;
      for (auto& p : params) p.tensor.zero_();
    }
    net.Add(std::move(last));
    flow.Add(MakeAffineCoupling(mask, std::move(net)));
  }
  return flow;
}

std::unique_ptr<Layer> InverseOf(InvertibleLayer& h) { return std::make_unique<InverseView>(h); }

std::unique_ptr<Layer> Compose(Layer& first, Layer& second) {
  return std::make_unique<Composition>(first, second);
}

}  // namespace isoae
