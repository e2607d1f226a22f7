#include "baselines/jacobian_penalties.h"

#include <ATen/ATen.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/method.h"
#include "core/status_macros.h"

namespace isoae {

at::Tensor MapJacobianSqNorm(Layer& f, const at::Tensor& z, bool exact) {
  const int64_t b = z.size(0), m = z.size(1);
  const at::Tensor t = exact ? at::eye(m, z.options()).unsqueeze(0).expand({b, m, m})
                             : at::randn({b, 1, m}, z.options());
  return f.Forward(Dual{z, t}).tangent.pow(2).flatten(1).sum(1);
}

at::Tensor EncoderJacobianSqNorm(Sequential& g, const std::vector<at::Tensor>& inputs,
                                 int64_t code_dim, int64_t out_dim, bool exact) {
  const at::Tensor& x = inputs.front();
  const int64_t b = x.size(0);
  auto pull = [&](const at::Tensor& u) {
    at::Tensor c = u;
    if (out_dim > code_dim) c = at::cat({u, at::zeros({b, out_dim - code_dim}, u.options())}, 1);
    return g.Vjp(inputs, c).pow(2).flatten(1).sum(1);
  };
  if (!exact) return pull(at::randn({b, code_dim}, x.options()));
  at::Tensor total = at::zeros({b}, x.options());
  for (int64_t i = 0; i < code_dim; ++i) {
    at::Tensor e = at::zeros({b, code_dim}, x.options());
    e.select(1, i).fill_(1.0);
    total = total + pull(e);
  }
  return total;
}

at::Tensor SquaredNorm(const std::vector<at::Tensor>& tensors) {
  at::Tensor total;
  for (const at::Tensor& t : tensors) {
    at::Tensor s = t.pow(2).sum();
    total = total.defined() ? total + s : s;
  }
  return total;
}

namespace {

constexpr int64_t kExactUpTo = 16;

struct Estimator {
  enum Kind { kAuto, kExact, kHutchinson } kind = kAuto;
  bool Exact(int64_t directions) const {
    return kind == kExact || (kind == kAuto && directions <= kExactUpTo);
  }
};

absl::StatusOr<Estimator> ParseEstimator(MethodOptions& o) {
  const std::string e = o.GetString("jacobian_estimator", "auto");
  if (e == "auto") return Estimator{Estimator::kAuto};
  if (e == "exact") return Estimator{Estimator::kExact};
  if (e == "hutchinson") return Estimator{Estimator::kHutchinson};
  return absl::InvalidArgumentError(
      absl::StrCat("jacobian_estimator \"", e, "\": expected auto, exact or hutchinson"));
}

class Contractive final : public Regularizer {
 public:
  explicit Contractive(Estimator e) : e_(e) {}
  bool NeedsEncoderJacobian() const override { return true; }
  at::Tensor Loss(Model& model, const ForwardPass& pass) override {
    const int64_t d = model.LatentDim();
    return EncoderJacobianSqNorm(model.EncoderNet(), pass.encoder_inputs, d,
                                 model.EncoderOutDim(), e_.Exact(d))
        .mean();
  }

 private:
  Estimator e_;
};

class DecoderGradientPenalty final : public Regularizer {
 public:
  explicit DecoderGradientPenalty(Estimator e) : e_(e) {}
  at::Tensor Loss(Model& model, const ForwardPass& pass) override {
    return MapJacobianSqNorm(model.DecoderMap(), pass.z, e_.Exact(pass.z.size(1))).mean();
  }

 private:
  Estimator e_;
};

class DecoderL2 final : public Regularizer {
 public:
  at::Tensor Loss(Model& model, const ForwardPass&) override {
    std::vector<NamedTensor> params;
    model.DecoderMap().AppendParameters("", &params);
    std::vector<at::Tensor> t;
    for (auto& p : params) t.push_back(p.tensor);
    return SquaredNorm(t);
  }
};

class WeightDecay final : public Regularizer {
 public:
  at::Tensor Loss(Model& model, const ForwardPass&) override {
    return 0.5 * SquaredNorm(model.Parameters());
  }
};

ISOAE_REGISTER_REGULARIZER(
    "contractive", "CAE: E||dg(x)||_F^2, the encoder's Jacobian at the data (VAE: the mean)",
    0.01, [](MethodOptions& o) -> absl::StatusOr<std::unique_ptr<Regularizer>> {
      ISOAE_ASSIGN_OR_RETURN(Estimator e, ParseEstimator(o));
      return std::make_unique<Contractive>(e);
    });
ISOAE_REGISTER_REGULARIZER(
    "decoder_gp", "RAE-GP: E||df(z)||_F^2, the decoder's Jacobian at the codes", 0.01,
    [](MethodOptions& o) -> absl::StatusOr<std::unique_ptr<Regularizer>> {
      ISOAE_ASSIGN_OR_RETURN(Estimator e, ParseEstimator(o));
      return std::make_unique<DecoderGradientPenalty>(e);
    });
ISOAE_REGISTER_REGULARIZER(
    "decoder_l2", "RAE-L2: ||theta_f||^2 over the decoder's parameters", 1e-4,
    [](MethodOptions&) -> absl::StatusOr<std::unique_ptr<Regularizer>> {
      return std::make_unique<DecoderL2>();
    });
ISOAE_REGISTER_REGULARIZER(
    "weight_decay", "AEW: 1/2 ||theta||^2 over all trained parameters (Adam weight_decay)",
    1e-4, [](MethodOptions&) -> absl::StatusOr<std::unique_ptr<Regularizer>> {
      return std::make_unique<WeightDecay>();
    });
ISOAE_REGISTER_METHOD_ALIAS("cae", "ae+contractive:0.01", "Contractive autoencoder (CAE)");
ISOAE_REGISTER_METHOD_ALIAS("tcae", "ae_tied+contractive:0.01",
                            "Contractive AE with the decoder weights tied to the encoder's (TCAE)");
ISOAE_REGISTER_METHOD_ALIAS("rae_sn", "ae_sn",
                            "Regularised AE with a spectrally normalised decoder (RAE-SN)");
ISOAE_REGISTER_METHOD_ALIAS("rae_gp", "ae+decoder_gp:0.01",
                            "Regularised AE with a decoder gradient penalty (RAE-GP)");
ISOAE_REGISTER_METHOD_ALIAS("rae_l2", "ae+decoder_l2:1e-4",
                            "Regularised AE with L2 on the decoder weights (RAE-L2)");
ISOAE_REGISTER_METHOD_ALIAS("aew", "ae+weight_decay:1e-4", "Autoencoder with weight decay (AEW)");

}  // namespace
}  // namespace isoae
