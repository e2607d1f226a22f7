// The elementwise arithmetic of core/vae.cc's SampleGaussianCode node, as
// plain loops over the batch (the node's [B, d] tensors are too small for a
// LibTorch operation per step of the formula to pay). No LibTorch here, and
// no implicit fused multiply-adds (BUILD), so every value rounds as the
// LibTorch expressions the node replaces: each line below is one IEEE
// operation of those expressions, in their order.
#ifndef ISOAE_CORE_VAE_KERNELS_H_
#define ISOAE_CORE_VAE_KERNELS_H_

#include <cstdint>

namespace isoae {
namespace vae_kernels {

// Row i of b, column j of d; enc rows are [mu | s] with row stride
// enc_stride; sd = exp(s), e2 = exp(2 s), two_s = 2 s, eps, z and s3 are
// contiguous [b, d]:
//   z  = mu + sd * eps
//   s3 = ((mu * mu + e2) - two_s) - 1       (the KL's summand)
template <typename T>
void CodeForward(int64_t b, int64_t d, const T* enc, int64_t enc_stride, const T* eps,
                 const T* sd, const T* e2, const T* two_s, T* z, T* s3);

// The gradient [b, 2d] of the encoder output from g_item [b] (dKL/ds3 per
// item, null when the KL has no gradient) and gz [b, d] (null when z has
// none); at least one is given.
template <typename T>
void CodeBackward(int64_t b, int64_t d, const T* enc, int64_t enc_stride, const T* eps,
                  const T* sd, const T* e2, const T* g_item, const T* gz, T* out);

}  // namespace vae_kernels
}  // namespace isoae

#endif  // ISOAE_CORE_VAE_KERNELS_H_
