#include "irvae/relaxed_distortion.h"

#include <ATen/ATen.h>

#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/decoder_geometry.h"
#include "core/fused_mlp.h"
#include "core/method.h"
#include "core/status_macros.h"

namespace isoae {

absl::StatusOr<DistortionEstimator> ParseDistortionEstimator(const std::string& name) {
  const std::string n = absl::AsciiStrToLower(name);
  if (n == "hutchinson") return DistortionEstimator::kHutchinson;
  if (n == "exact") return DistortionEstimator::kExact;
  if (n == "log") return DistortionEstimator::kLog;
  return absl::InvalidArgumentError(absl::StrCat(
      "estimator \"", name, "\": expected hutchinson, exact or log"));
}

TraceMoments HutchinsonTraceMoments(Layer& decoder, const at::Tensor& z, const at::Tensor& v,
                                    bool fused) {
  if (fused && z.dim() == 2) {
    if (std::optional<std::vector<MlpLayerView>> mlp = PlainMlpView(decoder)) {
      // Squared norms as the 1 x 1 Gram matrices of J v and J^T J v.
      MlpJet grams = MlpTangentGrams(*mlp, z, v.unsqueeze(1), /*pullback=*/true);
      return {grams.tangent.view({-1}), grams.pullback.view({-1})};
    }
  }
  std::vector<at::Tensor> saved;
  Dual out = decoder.ForwardSaving(Dual{z, v.unsqueeze(1)}, &saved);
  at::Tensor jv = out.tangent.squeeze(1);           // [B, ...out]
  at::Tensor jtjv = decoder.VjpSaved(&saved, jv);   // [B, m]
  return {jv.pow(2).flatten(1).sum(1), jtjv.pow(2).sum(1)};
}

at::Tensor RelaxedDistortionRatio(const TraceMoments& moments) {
  return moments.trace_g2.mean() / moments.trace_g.mean().pow(2);
}

at::Tensor RelaxedDistortion(Layer& decoder, const at::Tensor& z, DistortionEstimator estimator,
                             bool fused) {
  if (estimator == DistortionEstimator::kHutchinson) {
    return RelaxedDistortionRatio(
        HutchinsonTraceMoments(decoder, z, at::randn_like(z), fused));
  }
  at::Tensor g = DifferentiablePullbackMetric(decoder, z);
  if (estimator == DistortionEstimator::kExact) {
    return RelaxedDistortionRatio(
        {g.diagonal(0, 1, 2).sum(1), g.pow(2).flatten(1).sum(1)});
  }
  const double m = static_cast<double>(z.size(1));
  at::Tensor lambda = at::linalg_eigvalsh(g);  // [B, m], ascending
  at::Tensor trace = g.diagonal(0, 1, 2).sum(1);
  at::Tensor log_scale = (trace.mean() / m).log();
  // Round-off can leave a (numerically) zero eigenvalue slightly negative:
  // floor it relative to the point's own scale, not at an absolute 1e-30.
  at::Tensor floor = (1e-6 / m) * trace.detach().unsqueeze(1);
  return (at::max(lambda, floor).log() - log_scale).pow(2).sum(1).mean();
}

namespace {

class RelaxedDistortionRegularizer final : public Regularizer {
 public:
  RelaxedDistortionRegularizer(double eta, DistortionEstimator estimator, bool eq10, bool fused)
      : eta_(eta), estimator_(estimator), eq10_(eq10), fused_(fused) {}
  at::Tensor Loss(Model& model, const ForwardPass& pass) override {
    at::Tensor z = eta_ >= 0 ? MixupLatents(pass.z, eta_) : pass.z;
    at::Tensor r = RelaxedDistortion(model.DecoderMap(), z, estimator_, fused_);
    if (!eq10_) return r;
    const double m = static_cast<double>(z.size(1));
    return m * m * r - m;
  }

 private:
  double eta_;
  DistortionEstimator estimator_;
  bool eq10_;
  bool fused_;
};

ISOAE_REGISTER_REGULARIZER(
    "relaxed_distortion",
    "IRVAE relaxed distortion E[Tr G^2]/E[Tr G]^2 of the decoder on mixup-augmented codes "
    "(eq. 10)",
    1.0, [](MethodOptions& o) -> absl::StatusOr<std::unique_ptr<Regularizer>> {
      ISOAE_ASSIGN_OR_RETURN(double eta, o.GetDouble("eta", 0.2));
      ISOAE_ASSIGN_OR_RETURN(DistortionEstimator e,
                             ParseDistortionEstimator(o.GetString("estimator", "hutchinson")));
      const std::string form = o.GetString("form", "ratio");
      if (form != "ratio" && form != "eq10") {
        return absl::InvalidArgumentError(
            absl::StrCat("form \"", form, "\": expected ratio or eq10"));
      }
      if (form == "eq10" && e == DistortionEstimator::kLog) {
        return absl::InvalidArgumentError("form=eq10 applies to the hutchinson and exact "
                                          "estimators, not to estimator=log");
      }
      ISOAE_ASSIGN_OR_RETURN(bool fused, o.GetBool("fused", true));
      return std::make_unique<RelaxedDistortionRegularizer>(eta, e, form == "eq10", fused);
    });
ISOAE_REGISTER_METHOD_ALIAS("irvae", "vae+relaxed_distortion:1",
                            "Isometrically regularised VAE (IRVAE)");

}  // namespace

}  // namespace isoae
