#include "core/method_flags.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gflags/gflags.h"

DEFINE_string(method, "ae",
              "method spec: base[+regulariser[:weight]]... or alias[:weight] "
              "(ae, vae, dae, wae, iae, irvae, fmvae; see core/method.h)");
DEFINE_string(method_options, "", "key=value,... for the method's entries (e.g. eta=0.2)");
DEFINE_string(arch, "irvae_fc", "irvae_fc | irvae_cmu_fc | irvae_cnn | irvae_celeba_cnn | fc_nn | s_cnn | l_cnn | iae_gen_cnn");
DEFINE_int64(latent_dim, 2, "latent dimension d");
DEFINE_double(vae_sigma, 1.0, "VAE decoder sigma: initial value (learned) or fixed value");
DEFINE_bool(vae_fixed_sigma, false, "keep the VAE decoder sigma at --vae_sigma");

namespace isoae {

absl::StatusOr<MethodRequest> MethodRequestFromFlags() {
  if (FLAGS_latent_dim < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--latent_dim must be >= 1, got ", FLAGS_latent_dim));
  }
  if (!(FLAGS_vae_sigma > 0) || !std::isfinite(FLAGS_vae_sigma)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--vae_sigma must be positive and finite, got ", FLAGS_vae_sigma));
  }
  MethodRequest r;
  r.spec = FLAGS_method;
  r.options = FLAGS_method_options;
  r.arch = FLAGS_arch;
  r.latent_dim = FLAGS_latent_dim;
  r.vae.sigma = FLAGS_vae_sigma;
  r.vae.learn_sigma = !FLAGS_vae_fixed_sigma;
  return r;
}

absl::StatusOr<Method> BuildMethodFromRequest(const MethodRequest& request) {
  absl::StatusOr<MethodOptions> options = MethodOptions::Parse(request.options);
  if (!options.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--method_options: ", options.status().message()));
  }
  absl::StatusOr<Method> method = BuildMethod(request.spec, *std::move(options));
  if (!method.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--method=", request.spec, ": ", method.status().message(), "\nregistered:\n  ",
        absl::StrJoin(DescribeRegisteredMethods(), "\n  ")));
  }
  return method;
}

}  // namespace isoae
