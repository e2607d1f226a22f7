#include "core/adam_kernel.h"

#include <cmath>

namespace isoae {

// One Adam update of n float32 values (the arrays do not overlap), with
// the roundings of torch::optim::Adam's LibTorch ops, so that training gives
// bit for bit the numbers it gave before:
//   exp_avg.mul_(b1).add_(g, c1)            m = fma(g, c1, m * b1)
//   exp_avg_sq.mul_(b2).addcmul_(g, g, c2)  v = fma(c2 * g, g, v * b2)
//   denom = sqrt(v) / sqrt_bc2 + eps        (a true division)
//   p.addcdiv_(m, denom, -step)             p = p + (-step * m) / denom
// (checked bit for bit against torch::optim::Adam in adam_test). The file is
// compiled with -ffp-contract=off, so no other product and sum fuse, and with
// -fno-math-errno, so the square root vectorises. It includes no LibTorch:
// those flags would make gcc refuse the precompiled LibTorch header.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v4", "arch=haswell", "default")))
#endif
void AdamKernel(float* __restrict p, const float* __restrict g, float* __restrict m,
                float* __restrict v, int64_t n, float b1, float b2, float c1, float c2,
                float sqrt_bc2, float neg_step, float eps) {
  for (int64_t j = 0; j < n; ++j) {
    const float gj = g[j];
    const float mj = std::fma(gj, c1, m[j] * b1);
    const float vj = std::fma(c2 * gj, gj, v[j] * b2);
    m[j] = mj;
    v[j] = vj;
    p[j] = p[j] + (neg_step * mj) / (std::sqrt(vj) / sqrt_bc2 + eps);
  }
}

}  // namespace isoae
