// Base objectives of the autoencoder family beyond the plain AE and the VAE
// (which live in core/method.cc), as IRVAE appendix E.5 uses them with its
// regulariser and I-AE A.2 as baselines:
//
//   dae  denoising AE (Vincent et al. 2010): the encoder sees
//        x + sigma eps, eps ~ N(0, I), and the loss reconstructs the clean x:
//        L = mean_i ||f(g(x_i + sigma eps_i)) - x_i||^2 (sigma = 0.01, E.5;
//        option dae_sigma)
//   wae  Wasserstein AE with the MMD penalty (Tolstikhin et al. 2018):
//        L = L_rec + lambda MMD^2(codes, prior samples), prior N(0, I),
//        lambda = 0.001 (E.5; option wae_lambda)
//
// MMD^2 is the unbiased U-statistic with a Gaussian kernel
// k(a, b) = exp(-||a - b||^2 / h), the bandwidth h the median of the pairwise
// squared distances of the pooled samples (the median heuristic, detached):
//
//   MMD^2 = 1/(n(n-1)) sum_{i!=j} [k(x_i,x_j) + k(y_i,y_j)] - 2/n^2 sum_ij k(x_i,y_j)
//
// Shapes: x, y [n, d]; with fewer than 2 rows on a side MMD^2 is 0 (a last
// batch of one item). The reconstruction term sums over the D data values as
// every base here (core/autoencoder.h), where the official IRVAE code
// averages over them: its weights correspond to ours divided by D (784 on
// MNIST). LibTorch code. Registered as base
// objectives "dae" and "wae"; bad option values are kInvalidArgument.
#ifndef ISOAE_BASELINES_OBJECTIVES_H_
#define ISOAE_BASELINES_OBJECTIVES_H_

#include <ATen/core/Tensor.h>

namespace isoae {

// Median of the pairwise squared distances of the rows of [x; y] (i < j).
at::Tensor MedianHeuristicBandwidth(const at::Tensor& x, const at::Tensor& y);
// Unbiased MMD^2 with the Gaussian kernel of bandwidth h (a scalar tensor).
at::Tensor GaussianMmd(const at::Tensor& x, const at::Tensor& y, const at::Tensor& h);

}  // namespace isoae

#endif  // ISOAE_BASELINES_OBJECTIVES_H_
