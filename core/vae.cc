#include "core/vae.h"

#include <ATen/ATen.h>
#include <ATen/ExpandUtils.h>

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/autograd_node.h"
#include "core/status_macros.h"
#include "core/vae_kernels.h"

namespace isoae {
namespace {

std::string Shape(const std::vector<int64_t>& s) {
  return absl::StrCat("[", absl::StrJoin(s, ","), "]");
}

}  // namespace

std::vector<at::Tensor> Vae::Parameters() const {
  std::vector<at::Tensor> p = EncoderDecoderParameters(encoder, decoder);
  if (learn_sigma) p.push_back(log_sigma);
  return p;
}

std::vector<NamedTensor> Vae::State() const {
  std::vector<NamedTensor> out = EncoderDecoderState(encoder, decoder);
  out.push_back({"vae/log_sigma", log_sigma});
  return out;
}

void Vae::SetTraining(bool training) {
  encoder.SetTraining(training);
  decoder.SetTraining(training);
}

std::string Vae::Fingerprint() const {
  return absl::StrCat("vae (sigma ",
                      learn_sigma ? std::string("learned")
                                  : absl::StrCat("fixed ", std::exp(log_sigma.item<double>())),
                      ") data ",
                      Shape(data_shape), " latent ", latent_dim,
                      "; encoder: ", encoder.Describe(), "; decoder: ", decoder.Describe());
}

at::Tensor Vae::Codes(const at::Tensor& x) {
  return SplitGaussianCode(encoder.Forward(x)).mean;
}

absl::StatusOr<Vae> BuildVae(const AutoencoderConfig& config,
                             const c10::TensorOptions& options,
                             const VaeOptions& vae_options) {
  if (!(vae_options.sigma > 0) || !std::isfinite(vae_options.sigma)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "VAE decoder sigma must be positive and finite, got ", vae_options.sigma));
  }
  ISOAE_ASSIGN_OR_RETURN(BuiltNetwork enc, BuildNetwork(config.encoder, options));
  ISOAE_ASSIGN_OR_RETURN(BuiltNetwork dec, BuildNetwork(config.decoder, options));
  if (config.tied_weights) ISOAE_RETURN_IF_ERROR(TieDecoderToEncoder(enc.net, &dec.net));
  if (enc.output_shape.size() != 1 || enc.output_shape[0] % 2 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "VAE encoder output ", Shape(enc.output_shape),
        " is not [2d] (mean and log std of a d-dimensional code)"));
  }
  const int64_t d = enc.output_shape[0] / 2;
  if (config.decoder.input_shape != std::vector<int64_t>{d}) {
    return absl::InvalidArgumentError(absl::StrCat(
        "VAE decoder input ", Shape(config.decoder.input_shape), " does not match the [",
        d, "] codes of an encoder with ", 2 * d, " outputs (mean and log std)"));
  }
  if (dec.output_shape != config.encoder.input_shape) {
    return absl::InvalidArgumentError(absl::StrCat(
        "decoder output ", Shape(dec.output_shape), " does not match encoder input ",
        Shape(config.encoder.input_shape)));
  }
  Vae vae;
  vae.encoder = std::move(enc.net);
  vae.decoder = std::move(dec.net);
  vae.data_shape = config.encoder.input_shape;
  vae.latent_dim = d;
  vae.learn_sigma = vae_options.learn_sigma;
  vae.log_sigma = at::full({}, std::log(vae_options.sigma), options.requires_grad(false));
  vae.log_sigma.set_requires_grad(vae_options.learn_sigma);
  return vae;
}

GaussianCode SplitGaussianCode(const at::Tensor& encoder_out) {
  const int64_t d = encoder_out.size(1) / 2;
  return {encoder_out.slice(1, 0, d), encoder_out.slice(1, d, 2 * d)};
}

at::Tensor GaussianKl(const GaussianCode& code) {
  return 0.5 * (code.mean.pow(2) + (2 * code.log_std).exp() - 2 * code.log_std - 1).sum(1);
}

at::Tensor GaussianNll(const at::Tensor& x, const at::Tensor& x_hat,
                       const at::Tensor& log_sigma) {
  const double d = static_cast<double>(x[0].numel());
  const at::Tensor sq = (x - x_hat).pow(2).flatten(1).sum(1);
  return 0.5 * d * std::log(2 * M_PI) + d * log_sigma + 0.5 * sq * (-2 * log_sigma).exp();
}

namespace {

using autograd_node::AnyRequiresGrad;
using autograd_node::CheckNotDoubleBackward;
using autograd_node::Edges;
using autograd_node::MakeNode;
using autograd_node::SavedInputs;
using autograd_node::SavedOutput;
using torch::autograd::Node;
using torch::autograd::variable_list;

// Each backward below spells out, in the same order and with the same
// kernels, what LibTorch 1.13's derivative formulas compute for the
// composite expressions (MeanBackward0: grad.expand / numel; MulBackward1:
// grad * scalar; ExpBackward0: grad * result; PowBackward0 at exponent 2:
// grad * (2 * x^1); SubBackward0: -grad; SumBackward1: expand; broadcast
// operands reduced with sum_to), and accumulates multiple contributions in
// the order autograd's engine delivers them (later-created nodes first).

// Inputs: the encoder output [B, 2d]. Outputs: z, the batch-mean KL. The
// elementwise steps are core/vae_kernels' loops; exp, sum and mean stay
// LibTorch's kernels.
class SampleGaussianCodeNode final : public Node {
 public:
  std::string name() const override { return "isoae::SampleGaussianCodeBackward"; }
  variable_list apply(variable_list&& grads) override {
    CheckNotDoubleBackward("SampleGaussianCode");
    z_.Check("SampleGaussianCode");
    kl_.Check("SampleGaussianCode");
    inputs_.Check("SampleGaussianCode");
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    const at::Tensor& gz = grads[0];
    const at::Tensor& gkl = grads[1];
    variable_list out(1);
    if (!gz.defined() && !gkl.defined()) return out;
    const int64_t b = sd_.size(0), d = sd_.size(1);
    // MeanBackward0 and MulBackward1 (0.5): dL/ds3 per item.
    const at::Tensor g_item =
        gkl.defined() ? ((gkl.expand({b}) / b) * 0.5).contiguous() : at::Tensor();
    const at::Tensor gzc = gz.defined() ? gz.contiguous() : at::Tensor();
    out[0] = at::empty({b, 2 * d}, sd_.options());
    AT_DISPATCH_FLOATING_TYPES(sd_.scalar_type(), "SampleGaussianCodeBackward", [&] {
      vae_kernels::CodeBackward<scalar_t>(
          b, d, enc_.data_ptr<scalar_t>(), enc_.stride(0), eps_.data_ptr<scalar_t>(),
          sd_.data_ptr<scalar_t>(), e2_.data_ptr<scalar_t>(),
          g_item.defined() ? g_item.data_ptr<scalar_t>() : nullptr,
          gzc.defined() ? gzc.data_ptr<scalar_t>() : nullptr, out[0].data_ptr<scalar_t>());
    });
    return out;
  }
  void release_variables() override {
    enc_.reset();
    sd_.reset();
    eps_.reset();
    e2_.reset();
    inputs_.Clear();
  }

  at::Tensor enc_, sd_, eps_, e2_;  // encoder output (rows unit-stride), exp(s), eps, exp(2 s)
  SavedOutput z_, kl_;
  SavedInputs inputs_;  // enc_ and eps_ where they are the caller's tensors
};

// Inputs: x, x_hat, log_sigma. Output: the batch-mean negative log-likelihood.
class GaussianNllMeanNode final : public Node {
 public:
  std::string name() const override { return "isoae::GaussianNllMeanBackward"; }
  variable_list apply(variable_list&& grads) override {
    CheckNotDoubleBackward("GaussianNllMean");
    out_.Check("GaussianNllMean");
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    variable_list out(3);
    const at::Tensor& g = grads[0];
    if (!g.defined()) return out;
    const int64_t b = diff_.size(0);
    // nll_i = (c0 + d log sigma) + (0.5 sq_i) * exp(-2 log sigma)
    const at::Tensor g_i = g.expand({b}) / b;
    if (task_should_compute_output(2)) {
      const at::Tensor through_d = at::sum_to(g_i, at::IntArrayRef{}) * d_;
      const at::Tensor through_exp = (at::sum_to(g_i * half_sq_, at::IntArrayRef{}) * inv_var_) * -2;
      out[2] = through_d + through_exp;
    }
    if (task_should_compute_output(0) || task_should_compute_output(1)) {
      const at::Tensor g_sq = ((g_i * inv_var_) * 0.5).unsqueeze(1);
      // PowBackward0 is g * (2 * diff^1) and SubBackward0 negates it for
      // x_hat. diff^1 is a copy and the factors +-2 are exact, so the exact
      // product is diff * (g * +-2) and rounds the same: one pass over
      // [B, D] instead of four.
      if (task_should_compute_output(0)) out[0] = (diff_ * (g_sq * 2.0)).view(x_sizes_);
      if (task_should_compute_output(1)) out[1] = (diff_ * (g_sq * -2.0)).view(x_sizes_);
    }
    return out;
  }
  void release_variables() override {
    diff_.reset();
    half_sq_.reset();
    inv_var_.reset();
  }

  double d_ = 0;
  std::vector<int64_t> x_sizes_;
  at::Tensor diff_;     // (x - x_hat) flattened to [B, D]
  at::Tensor half_sq_;  // 0.5 * sum_j diff^2, [B]
  at::Tensor inv_var_;  // exp(-2 log sigma)
  SavedOutput out_;
};

}  // namespace

SampledCode SampleGaussianCode(const at::Tensor& encoder_out, const at::Tensor& eps) {
  TORCH_CHECK(encoder_out.dim() == 2 && encoder_out.size(1) % 2 == 0 && eps.dim() == 2 &&
                  eps.size(0) == encoder_out.size(0) && 2 * eps.size(1) == encoder_out.size(1),
              "SampleGaussianCode: encoder output [B, 2d] and eps [B, d] expected, got ",
              encoder_out.sizes(), " and ", eps.sizes());
  TORCH_CHECK(!eps.requires_grad(), "SampleGaussianCode: eps must not require a gradient");
  SampledCode out;
  const at::ScalarType type = encoder_out.scalar_type();
  if (!encoder_out.is_cpu() || (type != at::kFloat && type != at::kDouble)) {
    // The loops below are CPU float / double code; elsewhere the expressions
    // themselves (autograd's graph, the same values).
    const GaussianCode code = SplitGaussianCode(encoder_out);
    out.z = code.mean + code.log_std.exp() * eps;
    out.kl_mean = GaussianKl(code).mean();
    return out;
  }
  auto node = MakeNode<SampleGaussianCodeNode>();
  {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    const int64_t b = eps.size(0), d = eps.size(1);
    const at::Tensor enc = encoder_out.stride(1) == 1 ? encoder_out : encoder_out.contiguous();
    const GaussianCode code = SplitGaussianCode(enc);
    // The LibTorch steps of z = mu + exp(s) eps and GaussianKl(code).mean()
    // (exp of the same strided slice, 2 s, exp(2 s), the sum and the mean);
    // the rest in vae_kernels::CodeForward.
    const at::Tensor sd = code.log_std.exp().contiguous();
    const at::Tensor two_s = (2 * code.log_std).contiguous();
    const at::Tensor e2 = two_s.exp().contiguous();
    const at::Tensor epsc = eps.contiguous();
    out.z = at::empty({b, d}, enc.options());
    at::Tensor s3 = at::empty({b, d}, enc.options());
    AT_DISPATCH_FLOATING_TYPES(enc.scalar_type(), "SampleGaussianCode", [&] {
      vae_kernels::CodeForward<scalar_t>(b, d, enc.data_ptr<scalar_t>(), enc.stride(0),
                                         epsc.data_ptr<scalar_t>(), sd.data_ptr<scalar_t>(),
                                         e2.data_ptr<scalar_t>(), two_s.data_ptr<scalar_t>(),
                                         out.z.data_ptr<scalar_t>(), s3.data_ptr<scalar_t>());
    });
    out.kl_mean = (0.5 * s3.sum(1)).mean();
    node->enc_ = enc;
    node->sd_ = sd;
    node->eps_ = epsc;
    node->e2_ = e2;
  }
  if (!AnyRequiresGrad({encoder_out})) return out;
  node->set_next_edges(Edges({encoder_out}));
  node->inputs_.Add(node->enc_);
  node->inputs_.Add(node->eps_);
  node->z_.Save(out.z);
  node->kl_.Save(out.kl_mean);
  torch::autograd::set_history(out.z, node);
  torch::autograd::set_history(out.kl_mean, node);
  return out;
}

at::Tensor GaussianNllMean(const at::Tensor& x, const at::Tensor& x_hat,
                           const at::Tensor& log_sigma) {
  TORCH_CHECK(x.sizes() == x_hat.sizes() && x.dim() >= 2 && log_sigma.dim() == 0,
              "GaussianNllMean: x and x_hat of one shape [B, ...] and a scalar log sigma "
              "expected, got ", x.sizes(), ", ", x_hat.sizes(), " and ", log_sigma.sizes());
  auto node = MakeNode<GaussianNllMeanNode>();
  at::Tensor nll;
  {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    // GaussianNll(x, x_hat, log_sigma).mean(), with its pieces kept.
    const double d = static_cast<double>(x[0].numel());
    const at::Tensor diff = (x - x_hat).flatten(1);
    const at::Tensor half_sq = 0.5 * diff.pow(2).sum(1);
    const at::Tensor inv_var = (-2 * log_sigma).exp();
    nll = (0.5 * d * std::log(2 * M_PI) + d * log_sigma + half_sq * inv_var).mean();
    node->d_ = d;
    node->x_sizes_ = x.sizes().vec();
    node->diff_ = diff;
    node->half_sq_ = half_sq;
    node->inv_var_ = inv_var;
  }
  if (!AnyRequiresGrad({x, x_hat, log_sigma})) return nll;
  node->set_next_edges(Edges({x, x_hat, log_sigma}));
  node->out_.Save(nll);
  torch::autograd::set_history(nll, node);
  return nll;
}

}  // namespace isoae
