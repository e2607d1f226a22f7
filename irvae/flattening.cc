#include "irvae/flattening.h"

#include <ATen/ATen.h>
#include <glog/logging.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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

absl::StatusOr<std::optional<FlattenedFingerprint>> ParseFlattenedFingerprint(
    const std::string& fp) {
  constexpr absl::string_view kPrefix = "flattened[";
  if (!absl::StartsWith(fp, kPrefix)) return std::nullopt;
  const size_t flow_at = fp.find("] Flow[");
  const absl::string_view base = absl::string_view(fp).substr(kPrefix.size());
  if (flow_at == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("flattened model fingerprint without a flow: '", fp, "'"));
  }
  FlattenedFingerprint out;
  out.base_kind = absl::StartsWith(base, "vae") ? ModelKind::kVae : ModelKind::kAutoencoder;
  const absl::string_view flow = absl::string_view(fp).substr(flow_at);
  // Each coupling describes its conditioner: "AffineCoupling(m=.., pass {..},
  // Linear(m -> H), Act, [Linear(H -> H), Act,]* Linear(H -> 2m))".
  const std::vector<absl::string_view> couplings =
      absl::StrSplit(flow, "AffineCoupling(", absl::SkipEmpty());
  out.flow.depth = static_cast<int64_t>(couplings.size()) - 1;
  if (out.flow.depth < 1) {
    return absl::InvalidArgumentError(absl::StrCat("no coupling layers in '", fp, "'"));
  }
  const absl::string_view first = couplings[1];
  const size_t arrow = first.find(" -> ");
  const size_t close = first.find(')', arrow);
  if (arrow == absl::string_view::npos || close == absl::string_view::npos ||
      !absl::SimpleAtoi(first.substr(arrow + 4, close - arrow - 4), &out.flow.hidden)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the conditioner width from '", fp, "'"));
  }
  int64_t linears = 0;
  for (size_t at = first.find("Linear("); at != absl::string_view::npos;
       at = first.find("Linear(", at + 1)) {
    ++linears;
  }
  out.flow.hidden_layers = linears - 1;
  // A checkpoint is input: sizes it could not have been written with are
  // refused before anything is allocated.
  if (out.flow.depth > 1000 || out.flow.hidden < 1 || out.flow.hidden > (1 << 16) ||
      out.flow.hidden_layers < 1 || out.flow.hidden_layers > 100) {
    return absl::InvalidArgumentError(absl::StrCat(
        "implausible flow in '", fp.substr(0, 200), "': depth ", out.flow.depth, ", width ",
        out.flow.hidden, ", hidden layers ", out.flow.hidden_layers));
  }
  out.flow.activation = absl::StrContains(first, "Tanh")  ? "tanh"
                        : absl::StrContains(first, "ELU") ? "elu"
                                                          : "relu";
  return out;
}

absl::StatusOr<std::string> FlatteningOptions(const FlatteningPlan& plan,
                                              const std::string& shared) {
  ISOAE_ASSIGN_OR_RETURN(std::string merged, MethodOptions::Merge(shared, plan.options));
  if (plan.enabled) {
    ISOAE_ASSIGN_OR_RETURN(MethodOptions o, MethodOptions::Parse(merged));
    ISOAE_RETURN_IF_ERROR(BuildMethod("fm", o).status());
  }
  return merged;
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
