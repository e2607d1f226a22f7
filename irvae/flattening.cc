#include "irvae/flattening.h"

#include <ATen/ATen.h>
#include <glog/logging.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/method.h"
#include "core/status_macros.h"

namespace isoae {

absl::StatusOr<std::unique_ptr<FlattenedModel>> FlattenModel(std::unique_ptr<Model> base,
                                                             const RealNvpOptions& flow) {
  if (base == nullptr) return absl::InvalidArgumentError("FlattenModel: no base model");
  if (base->Kind() == ModelKind::kFlattened) {
    return absl::InvalidArgumentError("the model is already flattened");
  }
  const std::vector<at::Tensor> params = base->Parameters();
  if (params.empty()) return absl::InvalidArgumentError("FlattenModel: base has no parameters");
  const c10::TensorOptions options = params.front().options().requires_grad(false);
  ISOAE_ASSIGN_OR_RETURN(Flow h, MakeRealNvp(base->LatentDim(), flow, options));
  return std::make_unique<FlattenedModel>(std::move(base), std::move(h));
}

namespace {

class FlattenObjective final : public BaseObjective {
 public:
  explicit FlattenObjective(double beta) : beta_(beta) {}
  ModelKind Kind() const override { return ModelKind::kFlattened; }
  void Run(Model& model, const at::Tensor& x, ForwardPass* pass, LossTerms* terms) override {
    auto* fm = dynamic_cast<FlattenedModel*>(&model);
    CHECK(fm != nullptr) << "the flatten objective needs a flattened model, got "
                         << ModelKindName(model.Kind());
    pass->x = x;
    pass->encoder_input = x;
    pass->codes = fm->flow().Forward(fm->BaseCodes(x));
    pass->z = pass->codes;
    at::Tensor sq = pass->codes.pow(2).sum(1).mean();
    terms->terms.push_back({"latent_sq", sq.detach()});
    terms->total = beta_ * sq;
  }

 private:
  double beta_;
};

ISOAE_REGISTER_BASE_OBJECTIVE(
    "flatten",
    "flattening module (IRVAE eq. 11): trains only an invertible map h of a frozen model's "
    "latent space; beta E||h(z)||^2 (option fm_beta, default 0)",
    [](MethodOptions& o) -> absl::StatusOr<std::unique_ptr<BaseObjective>> {
      ISOAE_ASSIGN_OR_RETURN(double beta, o.GetDouble("fm_beta", 0.0));
      if (beta < 0) {
        return absl::InvalidArgumentError(absl::StrCat("fm_beta=", beta, " must be >= 0"));
      }
      return std::make_unique<FlattenObjective>(beta);
    });
ISOAE_REGISTER_METHOD_ALIAS("fm", "flatten+relaxed_distortion:1",
                            "IRVAE flattening module: relaxed distortion of f o h^-1, h a "
                            "Real NVP on a trained model");

}  // namespace
}  // namespace isoae
