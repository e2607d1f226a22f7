#include "baselines/fmvae.h"

#include <ATen/ATen.h>

#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/decoder_geometry.h"
#include "core/fused_mlp.h"
#include "core/method.h"
#include "core/status_macros.h"

namespace isoae {

at::Tensor FmvaeFlatnessJvp(Layer& decoder, const at::Tensor& z, const at::Tensor& u,
                            const at::Tensor& v, bool fused) {
  const double m = static_cast<double>(z.size(1));
  const at::Tensor probes = at::stack({u, v}, 1);
  std::optional<std::vector<MlpLayerView>> mlp;
  if (fused && z.dim() == 2) mlp = PlainMlpView(decoder);
  if (mlp) {
    // The same terms from the per-sample Gram matrix of [J u, J v].
    const at::Tensor g = MlpTangentGrams(*mlp, z, probes, /*pullback=*/false).tangent;
    const at::Tensor c = (g.select(1, 0).select(1, 0) + g.select(1, 1).select(1, 1)).mean() / (2 * m);
    return (g.select(1, 0).select(1, 1) - c * (u * v).sum(1)).pow(2).mean();
  }
  at::Tensor t = decoder.Forward(Dual{z, probes}).tangent.flatten(2);  // [B, 2, D]
  at::Tensor ju = t.select(1, 0);
  at::Tensor jv = t.select(1, 1);
  at::Tensor c = (ju.pow(2).sum(1) + jv.pow(2).sum(1)).mean() / (2 * m);
  return ((ju * jv).sum(1) - c * (u * v).sum(1)).pow(2).mean();
}

at::Tensor FmvaeFlatnessExact(Layer& decoder, const at::Tensor& z) {
  const int64_t m = z.size(1);
  at::Tensor g = DifferentiablePullbackMetric(decoder, z);
  at::Tensor c = g.diagonal(0, 1, 2).sum(1).mean() / static_cast<double>(m);
  return (g - c * at::eye(m, z.options())).pow(2).flatten(1).sum(1).mean();
}

namespace {

class FmvaeRegularizer final : public Regularizer {
 public:
  FmvaeRegularizer(double eta, bool exact, bool fused)
      : eta_(eta), exact_(exact), fused_(fused) {}
  at::Tensor Loss(Model& model, const ForwardPass& pass) override {
    at::Tensor z = eta_ >= 0 ? MixupLatents(pass.z, eta_) : pass.z;
    if (exact_) return FmvaeFlatnessExact(model.DecoderMap(), z);
    return FmvaeFlatnessJvp(model.DecoderMap(), z, at::randn_like(z), at::randn_like(z), fused_);
  }

 private:
  double eta_;
  bool exact_;
  bool fused_;
};

ISOAE_REGISTER_REGULARIZER(
    "fmvae_flatness", "FMVAE flatness E||G - cI||_F^2, c = E[Tr G]/m, on mixup codes", 1.0,
    [](MethodOptions& o) -> absl::StatusOr<std::unique_ptr<Regularizer>> {
      ISOAE_ASSIGN_OR_RETURN(double eta, o.GetDouble("eta", 0.2));
      const std::string e = o.GetString("fmvae_estimator", "jvp");
      if (e != "jvp" && e != "exact") {
        return absl::InvalidArgumentError(
            absl::StrCat("fmvae_estimator \"", e, "\": expected jvp or exact"));
      }
      ISOAE_ASSIGN_OR_RETURN(bool fused, o.GetBool("fused", true));
      return std::make_unique<FmvaeRegularizer>(eta, e == "exact", fused);
    });
ISOAE_REGISTER_METHOD_ALIAS("fmvae", "vae+fmvae_flatness:1",
                            "Flat-manifold VAE (Chen et al. 2020)");

}  // namespace

}  // namespace isoae
