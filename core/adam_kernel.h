// The float32 Adam update loop of core/adam (see adam.h), in a unit of its
// own: it is compiled with its own floating-point flags and no LibTorch.
#ifndef ISOAE_CORE_ADAM_KERNEL_H_
#define ISOAE_CORE_ADAM_KERNEL_H_

#include <cstdint>

namespace isoae {

// One Adam update of n float32 values in place (p, m, v; g read); the arrays
// do not overlap. c1 = 1 - b1, c2 = 1 - b2, sqrt_bc2 = sqrt(1 - b2^t),
// neg_step = -lr / (1 - b1^t), each rounded to float as LibTorch does.
void AdamKernel(float* p, const float* g, float* m, float* v, int64_t n, float b1, float b2,
                float c1, float c2, float sqrt_bc2, float neg_step, float eps);

}  // namespace isoae

#endif  // ISOAE_CORE_ADAM_KERNEL_H_
