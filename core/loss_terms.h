// The loss of one training step as a sum of named terms: `total` is what is
// backpropagated; `terms` are the unweighted pieces that are logged (and
// checked for NaN/Inf by the trainer, which names the offending term).
#ifndef ISOAE_CORE_LOSS_TERMS_H_
#define ISOAE_CORE_LOSS_TERMS_H_

#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

namespace isoae {

struct LossTerms {
  at::Tensor total;
  std::vector<std::pair<std::string, at::Tensor>> terms;
};

}  // namespace isoae

#endif  // ISOAE_CORE_LOSS_TERMS_H_
