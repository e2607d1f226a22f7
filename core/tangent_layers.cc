#include "core/tangent_layers.h"

#include <ATen/ATen.h>
#include <glog/logging.h>

#include <cmath>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace isoae {
namespace {

// PyTorch's default initialisation (kaiming_uniform with a = sqrt(5) for the
// weight, which reduces to U(-1/sqrt(fan_in), 1/sqrt(fan_in)), same bound for
// the bias).
at::Tensor UniformInit(at::IntArrayRef shape, int64_t fan_in,
                       const c10::TensorOptions& options) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  at::Tensor t = at::empty(shape, options.requires_grad(false));
  t.uniform_(-bound, bound);
  t.set_requires_grad(true);
  return t;
}

// x / ||x|| (a zero vector stays zero).
at::Tensor UnitVector(const at::Tensor& x) { return x / at::clamp_min(x.norm(), 1e-12); }

// Spectral normalisation of a weight seen as a matrix (Miyato et al. 2018, as
// torch.nn.utils.spectral_norm): `dim` becomes the rows (0 for Linear and
// Conv2d, 1 for ConvTranspose2d), the other dimensions the columns. u, v are
// kept from step to step; each training-mode pass runs `iterations` power
// iterations on the detached weight, and sigma = u^T W v keeps the gradient
// through W. The latest normalised weight is cached for VJPs.
class SpectralNormalizer {
 public:
  SpectralNormalizer() = default;  // off
  // u, v start from constant unit vectors (no draw from the global
  // generator, so a normalised network starts from the same weights as a
  // plain one) and 15 power iterations, so that sigma is a good estimate
  // even before the first training pass (as torch.nn.utils.parametrizations).
  SpectralNormalizer(int iterations, int dim, const at::Tensor& weight)
      : iterations_(iterations), dim_(dim) {
    CHECK_GT(iterations, 0);
    at::NoGradGuard no_grad;
    const at::Tensor m = Matrix(weight.detach());
    const auto o = weight.options().requires_grad(false);
    u_ = UnitVector(at::ones({m.size(0)}, o));
    v_ = UnitVector(at::ones({m.size(1)}, o));
    for (int i = 0; i < 15; ++i) {
      v_.copy_(UnitVector(at::mv(m.t(), u_)));
      u_.copy_(UnitVector(at::mv(m, v_)));
    }
  }
  bool on() const { return iterations_ > 0; }
  at::Tensor Apply(const at::Tensor& w, bool training, bool new_forward) {
    if (!on()) return w;
    if (!new_forward && cached_.defined()) return cached_;
    if (training) {
      at::NoGradGuard no_grad;
      const at::Tensor m = Matrix(w.detach());
      for (int i = 0; i < iterations_; ++i) {
        v_.copy_(UnitVector(at::mv(m.t(), u_)));
        u_.copy_(UnitVector(at::mv(m, v_)));
      }
    }
    // Copies: the next pass updates the buffers in place, and this pass's
    // graph must keep the u, v it used (as PyTorch's spectral_norm does).
    const at::Tensor sigma = at::dot(u_.clone(), at::mv(Matrix(w), v_.clone()));
    cached_ = w / sigma;
    return cached_;
  }
  void AppendBuffers(const std::string& p, std::vector<NamedTensor>* out) {
    if (!on()) return;
    out->push_back({p + "sn_u", u_});
    out->push_back({p + "sn_v", v_});
  }

 private:
  at::Tensor Matrix(const at::Tensor& w) const {
    const at::Tensor front = dim_ == 0 ? w : w.transpose(0, dim_);
    return front.reshape({front.size(0), -1});
  }
  int iterations_ = 0;
  int dim_ = 0;
  at::Tensor u_, v_, cached_;
};

// Broadcasts a per-sample tensor [B, ...] against tangents [B, k, ...].
at::Tensor PerSample(const at::Tensor& t) { return t.unsqueeze(1); }

// Applies a batched op on [B, ...] to tangents [B, k, ...] by folding k into B.
template <typename Op>
at::Tensor FoldTangents(const at::Tensor& tangent, Op op) {
  const int64_t b = tangent.size(0);
  const int64_t k = tangent.size(1);
  std::vector<int64_t> folded = {b * k};
  for (int64_t d = 2; d < tangent.dim(); ++d) folded.push_back(tangent.size(d));
  at::Tensor out = op(tangent.reshape(folded));
  std::vector<int64_t> unfolded = {b, k};
  for (int64_t d = 1; d < out.dim(); ++d) unfolded.push_back(out.size(d));
  return out.reshape(unfolded);
}

class Linear final : public Layer {
 public:
  Linear(int64_t in, int64_t out, bool bias, const c10::TensorOptions& o,
         int spectral_norm_iterations = 0)
      : in_(in), out_(out) {
    CHECK_GT(in, 0);
    CHECK_GT(out, 0);
    CHECK_GE(spectral_norm_iterations, 0);
    weight_ = UniformInit({out, in}, in, o);
    if (bias) bias_ = UniformInit({out}, in, o);
    if (spectral_norm_iterations > 0) sn_ = SpectralNormalizer(spectral_norm_iterations, 0, weight_);
  }
  std::string Describe() const override {
    return absl::StrCat(sn_.on() ? "SNLinear(" : "Linear(", in_, " -> ", out_,
                        bias_.defined() ? "" : ", no bias",
                        tied_ ? ", weight = tied layer's transpose" : "", ")");
  }
  Dual Forward(const Dual& in) override {
    const at::Tensor w = EffectiveWeight(/*new_forward=*/true);
    Dual out;
    out.value = at::linear(in.value, w, bias_);
    if (in.tangent.defined()) out.tangent = at::matmul(in.tangent, w.t());
    return out;
  }
  at::Tensor Vjp(const at::Tensor& input, const at::Tensor& c) override {
    return at::matmul(c, EffectiveWeight(/*new_forward=*/false));
  }
  void AppendParameters(const std::string& p,
                        std::vector<NamedTensor>* out) override {
    // A tied layer's weight belongs to the layer it is tied to.
    if (!tied_) out->push_back({p + "weight", weight_});
    if (bias_.defined()) out->push_back({p + "bias", bias_});
  }
  void AppendBuffers(const std::string& p, std::vector<NamedTensor>* out) override {
    sn_.AppendBuffers(p, out);
  }
  void SetTraining(bool training) override { training_ = training; }

  int64_t in() const { return in_; }
  int64_t out() const { return out_; }
  const at::Tensor& weight() const { return weight_; }
  const at::Tensor& bias() const { return bias_; }
  bool spectral_norm() const { return sn_.on(); }
  bool tied() const { return tied_; }
  // This layer's weight becomes `other`'s transpose (the same tensor).
  void TieTransposed(const Linear& other) {
    CHECK_EQ(other.in_, out_);
    CHECK_EQ(other.out_, in_);
    weight_ = other.weight_;
    tied_ = true;
  }

 private:
  // The weight this pass uses: W, W^T when tied, or W / sigma(W) under
  // spectral normalisation (SpectralNormalizer; Vjp reuses the weight of the
  // latest Forward).
  at::Tensor EffectiveWeight(bool new_forward) {
    return sn_.Apply(tied_ ? weight_.t() : weight_, training_, new_forward);
  }
  int64_t in_, out_;
  bool tied_ = false;
  bool training_ = true;
  at::Tensor weight_, bias_;
  SpectralNormalizer sn_;
};

// Elementwise activation y = phi(x): tangent phi'(x) * T, cotangent c * phi'(x).
class Pointwise : public Layer {
 public:
  Dual Forward(const Dual& in) override {
    Dual out;
    out.value = Value(in.value);
    if (in.tangent.defined()) {
      out.tangent = Scale(in.tangent, PerSample(in.value), PerSample(out.value));
    }
    return out;
  }
  at::Tensor Vjp(const at::Tensor& input, const at::Tensor& c) override {
    return Scale(c, input, DerivativeUsesValue() ? Value(input) : at::Tensor());
  }
  // Keeps y as well where phi' reads it, so the VJP does not evaluate phi again.
  Dual ForwardSaving(const Dual& in, std::vector<at::Tensor>* saved) override {
    Dual out = Forward(in);
    saved->push_back(in.value);
    saved->push_back(DerivativeUsesValue() ? out.value : at::Tensor());
    return out;
  }
  at::Tensor VjpSaved(std::vector<at::Tensor>* saved, const at::Tensor& c) override {
    CHECK_GE(saved->size(), 2u) << Describe() << ": VjpSaved without a matching ForwardSaving";
    at::Tensor y = std::move(saved->back());
    saved->pop_back();
    at::Tensor x = std::move(saved->back());
    saved->pop_back();
    return Scale(c, x, y);
  }

 protected:
  // phi'(x) * t for t of x's shape or broadcast against it ([B, k, ...] vs
  // [B, 1, ...]); differentiable in t, x and y. Activations with a fused
  // LibTorch backward kernel use it: one op instead of three to five.
  virtual at::Tensor Scale(const at::Tensor& t, const at::Tensor& x,
                           const at::Tensor& y) const {
    return Derivative(x, y) * t;
  }
  // Whether Derivative() reads y (sigmoid, tanh, ELU) or only x.
  virtual bool DerivativeUsesValue() const { return true; }
  virtual at::Tensor Value(const at::Tensor& x) const = 0;
  // phi'(x), given x and y = phi(x); differentiable in x.
  virtual at::Tensor Derivative(const at::Tensor& x,
                                const at::Tensor& y) const = 0;
};

class Softplus final : public Pointwise {
 public:
  Softplus(double beta, double threshold) : beta_(beta), threshold_(threshold) {
    CHECK_GT(beta, 0.0);
  }
  std::string Describe() const override {
    return absl::StrCat("Softplus(beta=", beta_, ")");
  }

 protected:
  bool DerivativeUsesValue() const override { return false; }
  at::Tensor Value(const at::Tensor& x) const override {
    return at::softplus(x, beta_, threshold_);
  }
  at::Tensor Derivative(const at::Tensor& x, const at::Tensor&) const override {
    at::Tensor bx = x * beta_;
    // Matches the linear branch of Value above the threshold exactly.
    return at::where(bx > threshold_, at::ones_like(x), at::sigmoid(bx));
  }

 private:
  double beta_, threshold_;
};

class ReLU final : public Pointwise {
 public:
  std::string Describe() const override { return "ReLU"; }

 protected:
  bool DerivativeUsesValue() const override { return false; }
  at::Tensor Value(const at::Tensor& x) const override { return at::relu(x); }
  at::Tensor Derivative(const at::Tensor& x, const at::Tensor&) const override {
    return (x > 0).to(x.scalar_type());
  }
  at::Tensor Scale(const at::Tensor& t, const at::Tensor& x, const at::Tensor&) const override {
    return at::threshold_backward(t, x.sizes() == t.sizes() ? x : x.expand_as(t), 0);
  }
};

class Sigmoid final : public Pointwise {
 public:
  std::string Describe() const override { return "Sigmoid"; }

 protected:
  at::Tensor Value(const at::Tensor& x) const override { return at::sigmoid(x); }
  at::Tensor Derivative(const at::Tensor&, const at::Tensor& y) const override {
    return y * (1 - y);
  }
};

class Tanh final : public Pointwise {
 public:
  std::string Describe() const override { return "Tanh"; }

 protected:
  at::Tensor Value(const at::Tensor& x) const override { return at::tanh(x); }
  at::Tensor Derivative(const at::Tensor&, const at::Tensor& y) const override {
    return 1 - y * y;
  }
};

class ELU final : public Pointwise {
 public:
  explicit ELU(double alpha) : alpha_(alpha) {}
  std::string Describe() const override { return absl::StrCat("ELU(alpha=", alpha_, ")"); }

 protected:
  at::Tensor Value(const at::Tensor& x) const override { return at::elu(x, alpha_); }
  at::Tensor Derivative(const at::Tensor& x, const at::Tensor& y) const override {
    return at::where(x > 0, at::ones_like(x), y + alpha_);
  }

 private:
  double alpha_;
};

// BatchNorm with plain tensor ops (see the header for why).
//   train: mu, var = batch mean and biased variance over the batch (and the
//          spatial positions for 2d); running stats updated with `momentum`
//          and the unbiased variance, as torch.nn.BatchNorm does.
//   eval:  mu, var = running statistics.
//   y = gamma * (x - mu) / s + beta,  s = sqrt(var + eps).
// Per-sample tangent: gamma / s * T. Full-batch tangent (train mode), with
// xc = x - mu and means over the reduced dimensions:
//   dmu = mean(T), dvar = 2 mean(xc (T - dmu)), ds = dvar / (2 s),
//   dy = gamma ((T - dmu) / s - xc ds / s^2).
class BatchNorm final : public Layer {
 public:
  BatchNorm(int64_t features, int spatial_dims, const c10::TensorOptions& o,
            BatchNormTangent mode, double eps, double momentum)
      : features_(features),
        spatial_dims_(spatial_dims),
        mode_(mode),
        eps_(eps),
        momentum_(momentum) {
    CHECK_GT(features, 0);
    CHECK(spatial_dims == 0 || spatial_dims == 2) << spatial_dims;
    weight_ = at::ones({features}, o.requires_grad(false)).set_requires_grad(true);
    bias_ = at::zeros({features}, o.requires_grad(false)).set_requires_grad(true);
    running_mean_ = at::zeros({features}, o.requires_grad(false));
    running_var_ = at::ones({features}, o.requires_grad(false));
    param_shape_ = {features};
    for (int i = 0; i < spatial_dims; ++i) param_shape_.push_back(1);
    reduce_dims_ = {0};
    for (int i = 0; i < spatial_dims; ++i) reduce_dims_.push_back(2 + i);
  }
  std::string Describe() const override {
    return absl::StrCat("BatchNorm", spatial_dims_ == 0 ? "1d" : "2d", "(",
                        features_, mode_ == BatchNormTangent::kFullBatch
                                       ? ", full-batch tangents"
                                       : "",
                        ")");
  }
  void SetTraining(bool training) override { training_ = training; }

  Dual Forward(const Dual& in) override {
    const at::Tensor& x = in.value;
    at::Tensor mean, var;
    if (training_) {
      mean = x.mean(reduce_dims_);
      var = (x - mean.view(param_shape_)).pow(2).mean(reduce_dims_);
      last_var_ = var;
      at::NoGradGuard no_grad;
      const double n = static_cast<double>(x.numel() / features_);
      const double unbias = n > 1 ? n / (n - 1) : 1.0;
      running_mean_.mul_(1 - momentum_).add_(mean.detach(), momentum_);
      running_var_.mul_(1 - momentum_).add_(var.detach() * unbias, momentum_);
    } else {
      mean = running_mean_;
      var = running_var_;
    }
    at::Tensor s = (var + eps_).sqrt().view(param_shape_);
    at::Tensor gamma = weight_.view(param_shape_);
    at::Tensor xc = x - mean.view(param_shape_);
    Dual out;
    out.value = gamma * (xc / s) + bias_.view(param_shape_);
    if (in.tangent.defined()) {
      const at::Tensor& t = in.tangent;
      if (training_ && mode_ == BatchNormTangent::kFullBatch) {
        std::vector<int64_t> dims = {0};  // tangent layout [B, k, C, ...]
        for (int i = 0; i < spatial_dims_; ++i) dims.push_back(3 + i);
        at::Tensor dmu = t.mean(dims, /*keepdim=*/true);
        at::Tensor tc = t - dmu;
        at::Tensor xcu = PerSample(xc);
        at::Tensor dvar = 2 * (xcu * tc).mean(dims, /*keepdim=*/true);
        at::Tensor ds = dvar / (2 * s);
        out.tangent = gamma * (tc / s - xcu * ds / (s * s));
      } else {
        out.tangent = t * (gamma / s);
      }
    }
    return out;
  }
  // Train mode: the statistics of the most recent Forward (the batch that
  // ForwardRecording saw), also when `input` is a slice of that batch.
  at::Tensor Vjp(const at::Tensor& input, const at::Tensor& c) override {
    at::Tensor var = running_var_;
    if (training_) {
      CHECK(last_var_.defined()) << "BatchNorm::Vjp in train mode needs a Forward first";
      var = last_var_;
    }
    at::Tensor s = (var + eps_).sqrt().view(param_shape_);
    return c * (weight_.view(param_shape_) / s);
  }
  void AppendParameters(const std::string& p,
                        std::vector<NamedTensor>* out) override {
    out->push_back({p + "weight", weight_});
    out->push_back({p + "bias", bias_});
  }
  void AppendBuffers(const std::string& p,
                     std::vector<NamedTensor>* out) override {
    out->push_back({p + "running_mean", running_mean_});
    out->push_back({p + "running_var", running_var_});
  }

 private:
  int64_t features_;
  int spatial_dims_;
  BatchNormTangent mode_;
  double eps_, momentum_;
  bool training_ = true;
  at::Tensor weight_, bias_, running_mean_, running_var_;
  at::Tensor last_var_;  // batch variance of the last train-mode Forward
  std::vector<int64_t> param_shape_, reduce_dims_;
};

class Conv2d final : public Layer {
 public:
  Conv2d(int64_t in, int64_t out, int64_t k, int64_t s, int64_t p, bool bias,
         const c10::TensorOptions& o, int spectral_norm_iterations = 0)
      : in_(in), out_(out), k_(k), s_(s), p_(p) {
    CHECK(in > 0 && out > 0 && k > 0 && s > 0 && p >= 0 && spectral_norm_iterations >= 0);
    weight_ = UniformInit({out, in, k, k}, in * k * k, o);
    if (bias) bias_ = UniformInit({out}, in * k * k, o);
    if (spectral_norm_iterations > 0) sn_ = SpectralNormalizer(spectral_norm_iterations, 0, weight_);
  }
  std::string Describe() const override {
    return absl::StrCat(sn_.on() ? "SNConv2d(" : "Conv2d(", in_, " -> ", out_, ", k=", k_,
                        ", s=", s_, ", p=", p_, ")");
  }
  Dual Forward(const Dual& in) override {
    const at::Tensor w = sn_.Apply(weight_, training_, /*new_forward=*/true);
    Dual out;
    out.value = at::conv2d(in.value, w, bias_, {s_, s_}, {p_, p_});
    if (in.tangent.defined()) {
      out.tangent = FoldTangents(in.tangent, [&](const at::Tensor& t) {
        return at::conv2d(t, w, {}, {s_, s_}, {p_, p_});
      });
    }
    return out;
  }
  // The adjoint of a strided convolution is the transposed convolution with
  // the same weight; output_padding restores the exact input size.
  at::Tensor Vjp(const at::Tensor& input, const at::Tensor& c) override {
    std::vector<int64_t> op(2);
    for (int d = 0; d < 2; ++d) {
      const int64_t in_size = input.size(2 + d);
      const int64_t out_size = c.size(2 + d);
      op[d] = in_size - ((out_size - 1) * s_ - 2 * p_ + k_);
    }
    return at::conv_transpose2d(c, sn_.Apply(weight_, training_, /*new_forward=*/false), {},
                                {s_, s_}, {p_, p_}, op);
  }
  void AppendParameters(const std::string& p,
                        std::vector<NamedTensor>* out) override {
    out->push_back({p + "weight", weight_});
    if (bias_.defined()) out->push_back({p + "bias", bias_});
  }
  void AppendBuffers(const std::string& p, std::vector<NamedTensor>* out) override {
    sn_.AppendBuffers(p, out);
  }
  void SetTraining(bool training) override { training_ = training; }

 private:
  int64_t in_, out_, k_, s_, p_;
  bool training_ = true;
  at::Tensor weight_, bias_;
  SpectralNormalizer sn_;
};

class ConvTranspose2d final : public Layer {
 public:
  ConvTranspose2d(int64_t in, int64_t out, int64_t k, int64_t s, int64_t p,
                  int64_t op, bool bias, const c10::TensorOptions& o,
                  int spectral_norm_iterations = 0)
      : in_(in), out_(out), k_(k), s_(s), p_(p), op_(op) {
    CHECK(in > 0 && out > 0 && k > 0 && s > 0 && p >= 0 && op >= 0 && op < s &&
          spectral_norm_iterations >= 0);
    // PyTorch computes fan_in of a transposed conv from weight dim 1.
    weight_ = UniformInit({in, out, k, k}, out * k * k, o);
    if (bias) bias_ = UniformInit({out}, out * k * k, o);
    // PyTorch normalises a transposed convolution's weight along dim 1.
    if (spectral_norm_iterations > 0) sn_ = SpectralNormalizer(spectral_norm_iterations, 1, weight_);
  }
  std::string Describe() const override {
    return absl::StrCat(sn_.on() ? "SNConvTranspose2d(" : "ConvTranspose2d(", in_, " -> ",
                        out_, ", k=", k_, ", s=", s_, ", p=", p_, ")");
  }
  Dual Forward(const Dual& in) override {
    const at::Tensor w = sn_.Apply(weight_, training_, /*new_forward=*/true);
    Dual out;
    out.value = at::conv_transpose2d(in.value, w, bias_, {s_, s_}, {p_, p_}, {op_, op_});
    if (in.tangent.defined()) {
      out.tangent = FoldTangents(in.tangent, [&](const at::Tensor& t) {
        return at::conv_transpose2d(t, w, {}, {s_, s_}, {p_, p_}, {op_, op_});
      });
    }
    return out;
  }
  // The adjoint of a transposed convolution is the convolution.
  at::Tensor Vjp(const at::Tensor& input, const at::Tensor& c) override {
    return at::conv2d(c, sn_.Apply(weight_, training_, /*new_forward=*/false), {}, {s_, s_},
                      {p_, p_});
  }
  void AppendParameters(const std::string& p,
                        std::vector<NamedTensor>* out) override {
    out->push_back({p + "weight", weight_});
    if (bias_.defined()) out->push_back({p + "bias", bias_});
  }
  void AppendBuffers(const std::string& p, std::vector<NamedTensor>* out) override {
    sn_.AppendBuffers(p, out);
  }
  void SetTraining(bool training) override { training_ = training; }

 private:
  int64_t in_, out_, k_, s_, p_, op_;
  bool training_ = true;
  at::Tensor weight_, bias_;
  SpectralNormalizer sn_;
};

class Flatten final : public Layer {
 public:
  std::string Describe() const override { return "Flatten"; }
  Dual Forward(const Dual& in) override {
    Dual out;
    out.value = in.value.flatten(1);
    if (in.tangent.defined()) out.tangent = in.tangent.flatten(2);
    return out;
  }
  at::Tensor Vjp(const at::Tensor& input, const at::Tensor& c) override {
    return c.reshape(input.sizes());
  }
};

class Unflatten final : public Layer {
 public:
  explicit Unflatten(std::vector<int64_t> shape) : shape_(std::move(shape)) {}
  std::string Describe() const override {
    return absl::StrCat("Unflatten(", absl::StrJoin(shape_, "x"), ")");
  }
  Dual Forward(const Dual& in) override {
    Dual out;
    std::vector<int64_t> s = {in.value.size(0)};
    s.insert(s.end(), shape_.begin(), shape_.end());
    out.value = in.value.reshape(s);
    if (in.tangent.defined()) {
      std::vector<int64_t> ts = {in.tangent.size(0), in.tangent.size(1)};
      ts.insert(ts.end(), shape_.begin(), shape_.end());
      out.tangent = in.tangent.reshape(ts);
    }
    return out;
  }
  at::Tensor Vjp(const at::Tensor& input, const at::Tensor& c) override {
    return c.reshape(input.sizes());
  }

 private:
  std::vector<int64_t> shape_;
};

class ZeroPad2d final : public Layer {
 public:
  explicit ZeroPad2d(int64_t pad) : pad_(pad) { CHECK_GE(pad, 0); }
  std::string Describe() const override { return absl::StrCat("ZeroPad2d(", pad_, ")"); }
  Dual Forward(const Dual& in) override {
    Dual out;
    out.value = at::constant_pad_nd(in.value, {pad_, pad_, pad_, pad_}, 0);
    if (in.tangent.defined()) {
      out.tangent = at::constant_pad_nd(in.tangent, {pad_, pad_, pad_, pad_}, 0);
    }
    return out;
  }
  at::Tensor Vjp(const at::Tensor& input, const at::Tensor& c) override {
    const int64_t h = c.size(-2), w = c.size(-1);
    return c.slice(-2, pad_, h - pad_).slice(-1, pad_, w - pad_);
  }

 private:
  int64_t pad_;
};

class Crop2d final : public Layer {
 public:
  explicit Crop2d(int64_t crop) : crop_(crop) { CHECK_GE(crop, 0); }
  std::string Describe() const override { return absl::StrCat("Crop2d(", crop_, ")"); }
  Dual Forward(const Dual& in) override {
    Dual out;
    out.value = Crop(in.value);
    if (in.tangent.defined()) out.tangent = Crop(in.tangent);
    return out;
  }
  at::Tensor Vjp(const at::Tensor& input, const at::Tensor& c) override {
    return at::constant_pad_nd(c, {crop_, crop_, crop_, crop_}, 0);
  }

 private:
  at::Tensor Crop(const at::Tensor& t) const {
    const int64_t h = t.size(-2), w = t.size(-1);
    return t.slice(-2, crop_, h - crop_).slice(-1, crop_, w - crop_);
  }
  int64_t crop_;
};

}  // namespace

std::unique_ptr<Layer> MakeLinear(int64_t in, int64_t out, bool bias,
                                  const c10::TensorOptions& options) {
  return std::make_unique<Linear>(in, out, bias, options);
}
std::unique_ptr<Layer> MakeSpectralNormLinear(int64_t in, int64_t out, bool bias,
                                              const c10::TensorOptions& options,
                                              int power_iterations) {
  CHECK_GT(power_iterations, 0);
  return std::make_unique<Linear>(in, out, bias, options, power_iterations);
}
std::optional<LinearShape> LinearShapeOf(const Layer& layer) {
  const auto* linear = dynamic_cast<const Linear*>(&layer);
  if (linear == nullptr) return std::nullopt;
  return LinearShape{linear->in(), linear->out(), linear->spectral_norm(), linear->tied()};
}
bool IsConvolution(const Layer& layer) {
  return dynamic_cast<const Conv2d*>(&layer) != nullptr ||
         dynamic_cast<const ConvTranspose2d*>(&layer) != nullptr;
}
std::optional<std::vector<MlpLayerView>> PlainMlpView(Layer& net) {
  auto* seq = dynamic_cast<Sequential*>(&net);
  if (seq == nullptr || seq->size() == 0) return std::nullopt;
  std::vector<MlpLayerView> out;
  for (size_t i = 0; i < seq->size(); ++i) {
    Layer& layer = seq->layer(i);
    if (const auto* linear = dynamic_cast<const Linear*>(&layer)) {
      if (linear->spectral_norm() || linear->tied()) return std::nullopt;
      out.push_back({linear->weight(), linear->bias(), MlpActivation::kNone});
      continue;
    }
    MlpActivation a;
    if (dynamic_cast<const ReLU*>(&layer) != nullptr) {
      a = MlpActivation::kReLU;
    } else if (dynamic_cast<const Sigmoid*>(&layer) != nullptr) {
      a = MlpActivation::kSigmoid;
    } else if (dynamic_cast<const Tanh*>(&layer) != nullptr) {
      a = MlpActivation::kTanh;
    } else {
      return std::nullopt;
    }
    if (out.empty() || out.back().activation != MlpActivation::kNone) return std::nullopt;
    out.back().activation = a;
  }
  return out;
}
bool TieLinearTransposed(const Layer& source, Layer* target) {
  const auto* from = dynamic_cast<const Linear*>(&source);
  auto* to = dynamic_cast<Linear*>(target);
  if (from == nullptr || to == nullptr || from->tied() || to->tied() ||
      to->spectral_norm() || from->in() != to->out() || from->out() != to->in()) {
    return false;
  }
  to->TieTransposed(*from);
  return true;
}
std::unique_ptr<Layer> MakeSoftplus(double beta, double threshold) {
  return std::make_unique<Softplus>(beta, threshold);
}
std::unique_ptr<Layer> MakeReLU() { return std::make_unique<ReLU>(); }
std::unique_ptr<Layer> MakeSigmoid() { return std::make_unique<Sigmoid>(); }
std::unique_ptr<Layer> MakeTanh() { return std::make_unique<Tanh>(); }
std::unique_ptr<Layer> MakeELU(double alpha) { return std::make_unique<ELU>(alpha); }
std::unique_ptr<Layer> MakeBatchNorm(int64_t features, int spatial_dims,
                                     const c10::TensorOptions& options,
                                     BatchNormTangent mode, double eps,
                                     double momentum) {
  return std::make_unique<BatchNorm>(features, spatial_dims, options, mode, eps,
                                     momentum);
}
std::unique_ptr<Layer> MakeConv2d(int64_t in_channels, int64_t out_channels,
                                  int64_t kernel, int64_t stride,
                                  int64_t padding, bool bias,
                                  const c10::TensorOptions& options,
                                  int spectral_norm_iterations) {
  return std::make_unique<Conv2d>(in_channels, out_channels, kernel, stride,
                                  padding, bias, options, spectral_norm_iterations);
}
std::unique_ptr<Layer> MakeConvTranspose2d(int64_t in_channels,
                                           int64_t out_channels,
                                           int64_t kernel, int64_t stride,
                                           int64_t padding,
                                           int64_t output_padding, bool bias,
                                           const c10::TensorOptions& options,
                                           int spectral_norm_iterations) {
  return std::make_unique<ConvTranspose2d>(in_channels, out_channels, kernel,
                                           stride, padding, output_padding,
                                           bias, options, spectral_norm_iterations);
}
std::unique_ptr<Layer> MakeFlatten() { return std::make_unique<Flatten>(); }
std::unique_ptr<Layer> MakeUnflatten(std::vector<int64_t> shape) {
  return std::make_unique<Unflatten>(std::move(shape));
}
std::unique_ptr<Layer> MakeZeroPad2d(int64_t pad) {
  return std::make_unique<ZeroPad2d>(pad);
}
std::unique_ptr<Layer> MakeCrop2d(int64_t crop) { return std::make_unique<Crop2d>(crop); }

Dual Layer::ForwardSaving(const Dual& in, std::vector<at::Tensor>* saved) {
  saved->push_back(in.value);
  return Forward(in);
}

at::Tensor Layer::VjpSaved(std::vector<at::Tensor>* saved, const at::Tensor& c) {
  CHECK(!saved->empty()) << Describe() << ": VjpSaved without a matching ForwardSaving";
  at::Tensor x = std::move(saved->back());
  saved->pop_back();
  return Vjp(x, c);
}

Sequential::Sequential() = default;
Sequential::~Sequential() = default;
Sequential::Sequential(Sequential&&) noexcept = default;
Sequential& Sequential::operator=(Sequential&&) noexcept = default;

void Sequential::Add(std::unique_ptr<Layer> layer) {
  layer->SetTraining(training_);
  layers_.push_back(std::move(layer));
}

Dual Sequential::Forward(const Dual& in) {
  Dual cur = in;
  for (auto& layer : layers_) cur = layer->Forward(cur);
  return cur;
}

at::Tensor Sequential::Forward(const at::Tensor& x) {
  return Forward(Dual{x, at::Tensor()}).value;
}

at::Tensor Sequential::ForwardRecording(const at::Tensor& x,
                                        std::vector<at::Tensor>* inputs) {
  inputs->clear();
  inputs->reserve(layers_.size());
  at::Tensor cur = x;
  for (auto& layer : layers_) {
    inputs->push_back(cur);
    cur = layer->Forward(Dual{cur, at::Tensor()}).value;
  }
  return cur;
}

at::Tensor Sequential::Vjp(const std::vector<at::Tensor>& inputs,
                           const at::Tensor& c) {
  CHECK_EQ(inputs.size(), layers_.size())
      << "Vjp needs the layer inputs recorded by ForwardRecording";
  at::Tensor cur = c;
  for (size_t i = layers_.size(); i-- > 0;) cur = layers_[i]->Vjp(inputs[i], cur);
  return cur;
}

at::Tensor Sequential::Vjp(const at::Tensor& input, const at::Tensor& c) {
  std::vector<at::Tensor> inputs;
  ForwardRecording(input, &inputs);
  return Vjp(inputs, c);
}

Dual Sequential::ForwardSaving(const Dual& in, std::vector<at::Tensor>* saved) {
  Dual cur = in;
  for (auto& layer : layers_) cur = layer->ForwardSaving(cur, saved);
  return cur;
}

at::Tensor Sequential::VjpSaved(std::vector<at::Tensor>* saved, const at::Tensor& c) {
  at::Tensor cur = c;
  for (size_t i = layers_.size(); i-- > 0;) cur = layers_[i]->VjpSaved(saved, cur);
  return cur;
}

void Sequential::AppendParameters(const std::string& prefix,
                                  std::vector<NamedTensor>* out) {
  for (size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->AppendParameters(absl::StrCat(prefix, i, "."), out);
  }
}

void Sequential::AppendBuffers(const std::string& prefix, std::vector<NamedTensor>* out) {
  for (size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->AppendBuffers(absl::StrCat(prefix, i, "."), out);
  }
}

// Layer's Append* are non-const (layers hand out their tensors); listing them
// changes nothing.
std::vector<NamedTensor> Sequential::NamedParameters() const {
  std::vector<NamedTensor> out;
  const_cast<Sequential*>(this)->AppendParameters("", &out);
  return out;
}

std::vector<NamedTensor> Sequential::NamedBuffers() const {
  std::vector<NamedTensor> out;
  const_cast<Sequential*>(this)->AppendBuffers("", &out);
  return out;
}

std::vector<at::Tensor> Sequential::Parameters() const {
  std::vector<at::Tensor> out;
  for (const NamedTensor& p : NamedParameters()) out.push_back(p.tensor);
  return out;
}

int64_t Sequential::NumParameters() const {
  int64_t n = 0;
  for (const NamedTensor& p : NamedParameters()) n += p.tensor.numel();
  return n;
}

void Sequential::SetTraining(bool training) {
  training_ = training;
  for (auto& layer : layers_) layer->SetTraining(training);
}

std::string Sequential::Describe() const {
  std::vector<std::string> parts;
  for (const auto& layer : layers_) parts.push_back(layer->Describe());
  return absl::StrJoin(parts, " -> ");
}

}  // namespace isoae
