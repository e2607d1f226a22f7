#include "iae/iae_loss.h"

#include <ATen/ATen.h>

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/method.h"
#include "core/status_macros.h"
#include "core/vjp.h"

namespace isoae {

absl::StatusOr<IsoPrior> ParseIsoPrior(const std::string& name) {
  const std::string n = absl::AsciiStrToLower(name);
  if (n == "uniform") return IsoPrior::kUniformBox;
  if (n == "gaussian") return IsoPrior::kGaussian;
  return absl::InvalidArgumentError(absl::StrCat(
      "iso prior \"", name, "\": expected \"uniform\" or \"gaussian\""));
}

absl::Status ValidateIaeConfig(const IaeConfig& c) {
  if (!std::isfinite(c.lambda_iso) || c.lambda_iso < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "lambda_iso must be finite and >= 0, got ", c.lambda_iso));
  }
  if (c.piso_samples < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "piso_samples must be >= 0 (0 = whole batch), got ", c.piso_samples));
  }
  if (c.iso_samples < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "iso_samples must be >= 0 (0 = batch size), got ", c.iso_samples));
  }
  return absl::OkStatus();
}

at::Tensor SampleUnitSphere(int64_t n, int64_t d, const c10::TensorOptions& options) {
  at::Tensor g = at::randn({n, d}, options);
  return g / g.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-12);
}

at::Tensor SampleIsoPrior(const at::Tensor& codes, IsoPrior prior, int64_t n) {
  at::Tensor z = codes.detach();
  const int64_t d = z.size(1);
  if (prior == IsoPrior::kUniformBox) {
    at::Tensor lo = std::get<0>(z.min(0));
    at::Tensor hi = std::get<0>(z.max(0));
    return lo + (hi - lo) * at::rand({n, d}, z.options());
  }
  at::Tensor mean = z.mean(0);
  at::Tensor c = z - mean;
  const int64_t b = std::max<int64_t>(1, z.size(0) - 1);
  at::Tensor cov = c.t().matmul(c) / static_cast<double>(b);
  // Jitter relative to the scale keeps the Cholesky factor defined for
  // degenerate (e.g. collapsed) code clouds.
  // Kept as a tensor: no device-to-host sync on this per-step path.
  at::Tensor jitter = 1e-6 * (cov.diagonal().mean() + 1e-12);
  at::Tensor l = at::linalg_cholesky(cov + jitter * at::eye(d, z.options()));
  return mean + at::randn({n, d}, z.options()).matmul(l.t());
}

at::Tensor IsometryLoss(Layer& decoder, const at::Tensor& z, const at::Tensor& u) {
  Dual out = decoder.Forward(Dual{z, u.unsqueeze(1)});
  at::Tensor norms = out.tangent.flatten(2).norm(2, {2}).squeeze(1);
  return (norms - 1).pow(2).mean();
}

at::Tensor PseudoInverseLoss(Sequential& encoder,
                             const std::vector<at::Tensor>& encoder_inputs,
                             const at::Tensor& u) {
  at::Tensor row = encoder.Vjp(encoder_inputs, u);
  at::Tensor norms = row.flatten(1).norm(2, {1});
  return (norms - 1).pow(2).mean();
}

at::Tensor IsometryLossAutograd(Sequential& decoder, const at::Tensor& z,
                                const at::Tensor& u) {
  BatchFn f = [&](const at::Tensor& v) { return decoder.Forward(v); };
  at::Tensor ju = Jvp(f, z, u).value();  // shapes match by construction
  return (ju.flatten(1).norm(2, {1}) - 1).pow(2).mean();
}

at::Tensor PseudoInverseLossAutograd(Sequential& encoder, const at::Tensor& x,
                                     const at::Tensor& u) {
  BatchFn g = [&](const at::Tensor& v) { return encoder.Forward(v); };
  at::Tensor row = Vjp(g, x, u).value();
  return (row.flatten(1).norm(2, {1}) - 1).pow(2).mean();
}

LossTerms IaeLoss(Autoencoder& ae, const at::Tensor& x, const IaeConfig& config) {
  LossTerms out;
  AeForward fwd = RunAutoencoder(ae, x);
  at::Tensor rec = ReconstructionLoss(x, fwd.x_hat);
  out.terms.push_back({"L_rec", rec.detach()});
  out.total = rec;
  if (config.lambda_iso <= 0) return out;
  const int64_t b = x.size(0);
  const int64_t d = ae.latent_dim;
  if (config.use_iso) {
    const int64_t n = config.iso_samples > 0 ? config.iso_samples : b;
    at::Tensor z = SampleIsoPrior(fwd.z, config.prior, n);
    at::Tensor iso = IsometryLoss(ae.decoder, z, SampleUnitSphere(n, d, z.options()));
    out.terms.push_back({"L_iso", iso.detach()});
    out.total = out.total + config.lambda_iso * iso;
  }
  if (config.use_piso) {
    const int64_t m = config.piso_samples > 0 ? std::min(config.piso_samples, b) : b;
    std::vector<at::Tensor> inputs = fwd.encoder_inputs;
    if (m < b) {
      // Rows of a shuffled batch are already random: the first m suffice.
      // BatchNorm's VJP keeps the statistics of the whole batch's forward.
      for (auto& t : inputs) t = t.slice(0, 0, m);
    }
    at::Tensor piso = PseudoInverseLoss(ae.encoder, inputs,
                                        SampleUnitSphere(m, d, x.options()));
    out.terms.push_back({"L_piso", piso.detach()});
    out.total = out.total + config.lambda_iso * piso;
  }
  return out;
}

namespace {

absl::StatusOr<int64_t> SampleCount(MethodOptions& o, const std::string& key) {
  ISOAE_ASSIGN_OR_RETURN(int64_t n, o.GetInt(key, 0));
  if (n < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("method option ", key, " must be >= 0 (0: the batch size), got ", n));
  }
  return n;
}

class IsoRegularizer final : public Regularizer {
 public:
  IsoRegularizer(IsoPrior prior, int64_t samples) : prior_(prior), samples_(samples) {}
  at::Tensor Loss(Model& model, const ForwardPass& pass) override {
    const int64_t n = samples_ > 0 ? samples_ : pass.codes.size(0);
    at::Tensor z = SampleIsoPrior(pass.codes, prior_, n);
    return IsometryLoss(model.DecoderMap(), z,
                        SampleUnitSphere(n, model.LatentDim(), z.options()));
  }

 private:
  IsoPrior prior_;
  int64_t samples_;
};

class PisoRegularizer final : public Regularizer {
 public:
  explicit PisoRegularizer(int64_t samples) : samples_(samples) {}
  bool NeedsEncoderJacobian() const override { return true; }
  at::Tensor Loss(Model& model, const ForwardPass& pass) override {
    const int64_t b = pass.codes.size(0);
    const int64_t m = samples_ > 0 ? std::min(samples_, b) : b;
    std::vector<at::Tensor> inputs = pass.encoder_inputs;
    if (m < b) {
      // Rows of a shuffled batch are already random: the first m suffice.
      for (auto& t : inputs) t = t.slice(0, 0, m);
    }
    at::Tensor u = SampleUnitSphere(m, model.LatentDim(), pass.codes.options());
    if (model.EncoderOutDim() > model.LatentDim()) {
      // VAE: the code is the mean half of the encoder output.
      u = at::cat({u, at::zeros({m, model.EncoderOutDim() - model.LatentDim()}, u.options())},
                  1);
    }
    return PseudoInverseLoss(model.EncoderNet(), inputs, u);
  }

 private:
  int64_t samples_;
};

ISOAE_REGISTER_REGULARIZER(
    "iso", "I-AE L_iso = E (||df(z)u|| - 1)^2, z ~ P_iso (eq. 6)", 0.01,
    [](MethodOptions& o) -> absl::StatusOr<std::unique_ptr<Regularizer>> {
      ISOAE_ASSIGN_OR_RETURN(IsoPrior prior, ParseIsoPrior(o.GetString("iso_prior", "uniform")));
      ISOAE_ASSIGN_OR_RETURN(int64_t n, SampleCount(o, "iso_samples"));
      return std::make_unique<IsoRegularizer>(prior, n);
    });
ISOAE_REGISTER_REGULARIZER(
    "piso", "I-AE L_piso = E (||u^T dg(x)|| - 1)^2 at data points (eq. 7)", 0.01,
    [](MethodOptions& o) -> absl::StatusOr<std::unique_ptr<Regularizer>> {
      ISOAE_ASSIGN_OR_RETURN(int64_t n, SampleCount(o, "piso_samples"));
      return std::make_unique<PisoRegularizer>(n);
    });
ISOAE_REGISTER_METHOD_ALIAS("iae", "ae+iso:0.01+piso:0.01",
                            "Isometric Autoencoder, L_rec + lambda (L_iso + L_piso)");

}  // namespace

}  // namespace isoae
