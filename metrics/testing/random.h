// Test helper: matrices of independent standard normal entries.
#ifndef ISOAE_METRICS_TESTING_RANDOM_H_
#define ISOAE_METRICS_TESTING_RANDOM_H_

#include <Eigen/Dense>

#include <random>

namespace isoae::testing {

// Draws from `rng` row by row, so a copied generator reproduces the matrix.
inline Eigen::MatrixXd GaussianMatrix(int rows, int cols, std::mt19937* rng) {
  std::normal_distribution<double> normal(0, 1);
  Eigen::MatrixXd m(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = normal(*rng);
  return m;
}

inline Eigen::MatrixXd GaussianMatrix(int rows, int cols, unsigned seed) {
  std::mt19937 rng(seed);
  return GaussianMatrix(rows, cols, &rng);
}

}  // namespace isoae::testing

#endif  // ISOAE_METRICS_TESTING_RANDOM_H_
