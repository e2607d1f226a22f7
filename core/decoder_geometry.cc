#include "core/decoder_geometry.h"

#include <ATen/ATen.h>

namespace isoae {

at::Tensor MixupLatents(const at::Tensor& z, double eta) {
  const int64_t b = z.size(0);
  at::Tensor perm = at::randperm(b, z.options().dtype(at::kLong));
  at::Tensor d = at::rand({b, 1}, z.options()) * (1 + 2 * eta) - eta;
  return d * z + (1 - d) * z.index_select(0, perm);
}

at::Tensor DifferentiablePullbackMetric(Layer& decoder, const at::Tensor& z) {
  const int64_t b = z.size(0);
  const int64_t m = z.size(1);
  at::Tensor eye = at::eye(m, z.options()).unsqueeze(0).expand({b, m, m});
  at::Tensor jt = decoder.Forward(Dual{z, eye}).tangent.flatten(2);  // [B, m, D]: rows J e_k
  return at::bmm(jt, jt.transpose(1, 2));
}

}  // namespace isoae
