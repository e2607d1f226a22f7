// Command-line flags that choose what is trained, shared by //tools:train and
// the experiment binaries:
//
//   --method          a method spec of the registry (core/method.h), e.g. ae,
//                     iae, irvae:100, vae+relaxed_distortion:10, fmvae:1
//   --method_options  "key=value,..." read by the method's entries (eta=0.2,
//                     estimator=exact, dae_sigma=0.01, ...)
//   --arch            irvae_fc | fc_nn | s_cnn | l_cnn (core/networks.h)
//   --latent_dim      d
//   --vae_sigma       initial decoder sigma of a VAE; --vae_fixed_sigma keeps it
//
// Errors: kInvalidArgument naming the flag (unknown method or option, bad
// weight, latent_dim < 1, sigma <= 0).
#ifndef ISOAE_CORE_METHOD_FLAGS_H_
#define ISOAE_CORE_METHOD_FLAGS_H_

#include <c10/core/TensorOptions.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/method.h"
#include "core/model.h"
#include "core/vae.h"

namespace isoae {

struct MethodRequest {
  std::string spec;
  std::string options;
  std::string arch;
  int64_t latent_dim = 2;
  VaeOptions vae;
};

absl::StatusOr<MethodRequest> MethodRequestFromFlags();

// BuildMethod for the request, with errors prefixed by the flag.
absl::StatusOr<Method> BuildMethodFromRequest(const MethodRequest& request);

}  // namespace isoae

#endif  // ISOAE_CORE_METHOD_FLAGS_H_
