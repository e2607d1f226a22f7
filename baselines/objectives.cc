#include "baselines/objectives.h"

#include <ATen/ATen.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "core/autoencoder.h"
#include "core/method.h"
#include "core/status_macros.h"

namespace isoae {

at::Tensor MedianHeuristicBandwidth(const at::Tensor& x, const at::Tensor& y) {
  at::Tensor all = at::cat({x, y}, 0).detach();
  at::Tensor d2 = at::cdist(all, all).pow(2);
  const int64_t n = all.size(0);
  at::Tensor upper = d2.masked_select(at::ones({n, n}, all.options().dtype(at::kBool)).triu(1));
  return upper.median().clamp_min(1e-12);
}

at::Tensor GaussianMmd(const at::Tensor& x, const at::Tensor& y, const at::Tensor& h) {
  // The U-statistic needs two samples per side; a last batch of one item
  // contributes nothing rather than 0/0.
  if (x.size(0) < 2 || y.size(0) < 2) return (x.sum() + y.sum()) * 0.0;
  const double n = static_cast<double>(x.size(0));
  const double m = static_cast<double>(y.size(0));
  auto k = [&](const at::Tensor& a, const at::Tensor& b) {
    // Squared distances by expansion keep the gradient finite at a = b.
    at::Tensor d2 = (a.pow(2).sum(1, true) + b.pow(2).sum(1).unsqueeze(0) -
                     2 * a.matmul(b.t()))
                        .clamp_min(0);
    return (-d2 / h).exp();
  };
  at::Tensor kxx = k(x, x);
  at::Tensor kyy = k(y, y);
  return (kxx.sum() - kxx.diagonal().sum()) / (n * (n - 1)) +
         (kyy.sum() - kyy.diagonal().sum()) / (m * (m - 1)) - 2 * k(x, y).mean();
}

namespace {

class DaeObjective final : public BaseObjective {
 public:
  explicit DaeObjective(double sigma) : sigma_(sigma) {}
  ModelKind Kind() const override { return ModelKind::kAutoencoder; }
  void Run(Model& model, const at::Tensor& x, ForwardPass* pass, LossTerms* terms) override {
    RunDeterministicPass(model, x, x + sigma_ * at::randn_like(x), pass);
    at::Tensor rec = ReconstructionLoss(x, pass->x_hat);
    terms->terms.push_back({"L_rec", rec.detach()});
    terms->total = rec;
  }

 private:
  double sigma_;
};

class WaeObjective final : public BaseObjective {
 public:
  explicit WaeObjective(double lambda) : lambda_(lambda) {}
  ModelKind Kind() const override { return ModelKind::kAutoencoder; }
  void Run(Model& model, const at::Tensor& x, ForwardPass* pass, LossTerms* terms) override {
    RunDeterministicPass(model, x, x, pass);
    at::Tensor rec = ReconstructionLoss(x, pass->x_hat);
    at::Tensor prior = at::randn_like(pass->codes);
    at::Tensor mmd = GaussianMmd(pass->codes, prior, MedianHeuristicBandwidth(pass->codes, prior));
    terms->terms.push_back({"L_rec", rec.detach()});
    terms->terms.push_back({"mmd", mmd.detach()});
    terms->total = rec + lambda_ * mmd;
  }

 private:
  double lambda_;
};

absl::StatusOr<double> NonNegative(MethodOptions& o, const std::string& key, double def) {
  ISOAE_ASSIGN_OR_RETURN(double v, o.GetDouble(key, def));
  if (v < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("method option ", key, " must be >= 0, got ", v));
  }
  return v;
}

ISOAE_REGISTER_BASE_OBJECTIVE(
    "dae", "denoising AE: reconstruct x from x + sigma eps (option dae_sigma, 0.01)",
    [](MethodOptions& o) -> absl::StatusOr<std::unique_ptr<BaseObjective>> {
      ISOAE_ASSIGN_OR_RETURN(double sigma, NonNegative(o, "dae_sigma", 0.01));
      return std::make_unique<DaeObjective>(sigma);
    });
ISOAE_REGISTER_BASE_OBJECTIVE(
    "wae", "Wasserstein AE: L_rec + lambda MMD^2(codes, N(0,I)) (option wae_lambda, 0.001)",
    [](MethodOptions& o) -> absl::StatusOr<std::unique_ptr<BaseObjective>> {
      ISOAE_ASSIGN_OR_RETURN(double lambda, NonNegative(o, "wae_lambda", 0.001));
      return std::make_unique<WaeObjective>(lambda);
    });

}  // namespace

}  // namespace isoae
