// Measures of how far a decoder's pullback metric G(z) = J(z)^T J(z) is from a
// (scaled) isometry, computed from a field of metrics {G_i} (one m x m SPD
// matrix per latent point; see metrics/pullback.h for computing them).
// Sources: IRVAE (../shared/seeds/001_...) section 5.1 (VoR, MCN), appendix
// E.8 / Table 3 (condition-number mean and std), section 3.3 (relaxed
// distortion); FMVAE (Chen et al. 2020) for the flatness measure.
//
// Affine-invariant distance (Pennec et al. 2006):
//   d^2(A, B) = sum_i log^2 lambda_i(B^{-1} A)
// The lambda_i are the generalised eigenvalues of A x = lambda B x, computed
// with Eigen's GeneralizedSelfAdjointEigenSolver (Cholesky of B, symmetric
// eigenproblem), not from an SVD of the non-symmetric B^{-1} A. d is
// symmetric, d(A, A) = 0 and d(P^T A P, P^T B P) = d(A, B) for invertible P.
//
// VoR = mean_i d^2(G_i, Gbar). IRVAE takes Gbar = arithmetic mean of the G_i;
// the Frechet (Karcher) mean under d, argmin_X sum_i d^2(G_i, X), is
// available too (fixed-point iteration X <- X^{1/2} exp(mean_i
// log(X^{-1/2} G_i X^{-1/2})) X^{1/2}, which converges for SPD data).
// Both are invariant to G -> c G and to G -> P^T G P (a linear change of
// latent coordinates), hence to rotations of the data space and scaling of
// the decoder.
//
// Condition numbers kappa_i = lambda_max(G_i) / lambda_min(G_i); MCN is their
// mean. For a linear decoder with singular values sigma, kappa = (s_max /
// s_min)^2 everywhere.
//
// Relaxed distortion (IRVAE eq. 7 with h(l) = (l - 1)^2, S = Tr / m):
//   F = E[ sum_i (lambda_i / (E[Tr G] / m) - 1)^2 ]
//     = m^2 E[Tr G^2] / E[Tr G]^2 - m,
// zero iff G_i = c I for all i; IRVAE trains with the ratio
// E[Tr G^2] / E[Tr G]^2 (reported as `trace_ratio`, >= 1/m).
//
// FMVAE flatness measure, for reporting: mean_i ||G_i - c I||_F^2 with
// c = E[Tr G] / m (not scale invariant).
//
// Errors (kInvalidArgument naming the index): an empty field, matrices that
// are not square, of different sizes, non-finite, not symmetric (relative
// asymmetry > 1e-8), or not positive definite.
#ifndef ISOAE_METRICS_RIEMANNIAN_H_
#define ISOAE_METRICS_RIEMANNIAN_H_

#include <Eigen/Dense>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace isoae {

using MetricField = std::vector<Eigen::MatrixXd>;

// kInvalidArgument naming `what` unless `a` is square, finite, symmetric and
// positive definite.
absl::Status CheckSpd(const Eigen::MatrixXd& a, const std::string& what);
absl::Status CheckMetricField(const MetricField& g);

absl::StatusOr<double> AffineInvariantDistanceSquared(const Eigen::MatrixXd& a,
                                                      const Eigen::MatrixXd& b);

absl::StatusOr<Eigen::MatrixXd> ArithmeticMean(const MetricField& g);

struct KarcherOptions {
  int max_iterations = 100;
  double tolerance = 1e-12;  // on the norm of the mean log step
};
absl::StatusOr<Eigen::MatrixXd> KarcherMean(const MetricField& g,
                                            const KarcherOptions& options = {});

enum class MeanKind { kArithmetic, kKarcher };

absl::StatusOr<double> VarianceOfRiemannianMetric(
    const MetricField& g, MeanKind mean = MeanKind::kArithmetic);

struct ConditionStats {
  double mean = 0;  // MCN
  double std = 0;   // population standard deviation
  double max = 0;
  std::vector<double> per_point;
};
absl::StatusOr<ConditionStats> ConditionNumbers(const MetricField& g);

struct RelaxedDistortionStats {
  double mean_trace = 0;    // E[Tr G]
  double trace_ratio = 0;   // E[Tr G^2] / E[Tr G]^2
  double distortion = 0;    // m^2 trace_ratio - m
};
absl::StatusOr<RelaxedDistortionStats> RelaxedDistortion(const MetricField& g);

absl::StatusOr<double> FmvaeFlatness(const MetricField& g);

// G -> G + ridge * (Tr G / m) I for every metric of the field. A decoder that
// ignores a latent direction has a singular (PSD, not PD) G there, for which
// the distance and the condition number are undefined; with a ridge such a
// point reads as a condition number of about m / ridge. Well-conditioned
// metrics change by a relative ridge. Evaluation code uses kDefaultRidge.
inline constexpr double kDefaultRidge = 1e-10;
void AddRelativeRidge(MetricField* g, double ridge = kDefaultRidge);

// Removes the metrics whose trace is not a positive finite number and returns
// how many: G = 0 where the decoder is locally constant (e.g. every ReLU of a
// layer off, at an extrapolated mixup point), which has no condition number
// and no distance to anything, so no ridge can make it meaningful. Callers
// report the count next to the statistics of the rest.
int64_t DropZeroMetrics(MetricField* g);

// Symmetric matrix functions via the eigendecomposition (a must be SPD).
Eigen::MatrixXd SpdLog(const Eigen::MatrixXd& a);
Eigen::MatrixXd SymExp(const Eigen::MatrixXd& a);
Eigen::MatrixXd SpdSqrt(const Eigen::MatrixXd& a);
Eigen::MatrixXd SpdInvSqrt(const Eigen::MatrixXd& a);

}  // namespace isoae

#endif  // ISOAE_METRICS_RIEMANNIAN_H_
