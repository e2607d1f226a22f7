#include "metrics/pullback.h"

#include "third_party/torch_light.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/torch_boundary.h"

namespace isoae {

absl::StatusOr<at::Tensor> PullbackMetricTensor(Layer& decoder,
                                                const at::Tensor& z,
                                                int64_t batch) {
  if (batch < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("pullback batch must be >= 1, got ", batch));
  }
  if (!z.defined() || z.dim() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "latent points must be [N, m], got ",
        z.defined() ? c10::str(z.sizes()) : std::string("undefined")));
  }
  std::vector<NamedTensor> params;
  decoder.AppendParameters("", &params);
  if (params.empty()) {
    return absl::InvalidArgumentError("the decoder has no parameters");
  }
  const auto opts = params.front().tensor.options().requires_grad(false);
  at::Tensor zz;
  bool finite = false;
  const absl::Status moved = TorchCall("pullback metrics: moving z", [&] {
    zz = z.detach().to(opts.device(), opts.dtype());
    finite = torch::isfinite(zz).all().item<bool>();
  });
  if (!moved.ok()) return moved;
  if (!finite) {
    return absl::InvalidArgumentError("latent points have NaN/Inf entries");
  }
  // Eval mode for the call, restored however it ends.
  auto* seq = dynamic_cast<Sequential*>(&decoder);
  struct ModeGuard {
    Layer& net;
    bool was;
    ~ModeGuard() { net.SetTraining(was); }
  } guard{decoder, seq == nullptr || seq->training()};
  decoder.SetTraining(false);
  return TorchCallOr<at::Tensor>("pullback metrics", [&] {
    torch::NoGradGuard no_grad;
    const int64_t n = zz.size(0), m = zz.size(1);
    at::Tensor out = torch::empty({n, m, m}, opts.dtype(torch::kFloat64));
    const at::Tensor eye = torch::eye(m, opts);
    // Each point costs m + 1 decoder evaluations (value and m tangents).
    const int64_t points = std::max<int64_t>(1, batch / (m + 1));
    for (int64_t s = 0; s < n; s += points) {
      const int64_t e = std::min(n, s + points);
      Dual in{zz.slice(0, s, e), eye.unsqueeze(0).expand({e - s, m, m})};
      const Dual o = decoder.Forward(in);
      // J^T in double: the product keeps ill-conditioned metrics (condition
      // numbers of 1e6 appear for VAEs at latent 16) positive definite.
      const at::Tensor jt = o.tangent.reshape({e - s, m, -1}).to(torch::kFloat64);
      out.slice(0, s, e).copy_(torch::bmm(jt, jt.transpose(1, 2)));
    }
    return out;
  });
}

absl::StatusOr<MetricField> ToMetricField(const at::Tensor& g) {
  if (!g.defined() || g.dim() != 3 || g.size(1) != g.size(2)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metrics must be [N, m, m], got ",
        g.defined() ? c10::str(g.sizes()) : std::string("undefined")));
  }
  const at::Tensor c = g.to(torch::kCPU, torch::kFloat64).contiguous();
  const int64_t n = c.size(0), m = c.size(1);
  const double* p = c.data_ptr<double>();
  MetricField out;
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    // Row-major [m, m] block; G is symmetric up to rounding: symmetrise.
    Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic,
                                   Eigen::RowMajor>>
        block(p + i * m * m, m, m);
    out.emplace_back(0.5 * (block + block.transpose()));
  }
  return out;
}

absl::StatusOr<MetricField> PullbackMetrics(Layer& decoder,
                                            const at::Tensor& z, int64_t batch) {
  absl::StatusOr<at::Tensor> g = PullbackMetricTensor(decoder, z, batch);
  if (!g.ok()) return g.status();
  return ToMetricField(*g);
}

absl::StatusOr<Eigen::MatrixXd> ToEigen(const at::Tensor& t) {
  if (!t.defined() || t.dim() < 1) {
    return absl::InvalidArgumentError("cannot convert an undefined or 0-d tensor");
  }
  const at::Tensor c =
      (t.dim() == 1 ? t.unsqueeze(1) : t.reshape({t.size(0), -1}))
          .to(torch::kCPU, torch::kFloat64)
          .contiguous();
  const int64_t rows = c.size(0), cols = c.size(1);
  Eigen::MatrixXd out(rows, cols);
  out = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic,
                                       Eigen::RowMajor>>(c.data_ptr<double>(),
                                                         rows, cols);
  return out;
}

}  // namespace isoae
