// The flattening module (FM) of IRVAE (Lee, Yoon, Son & Park, ICLR 2022,
// section 4.2, eq. 11): after training, an invertible map h of the latent
// space (Real NVP, core/invertible.h) is fitted with the encoder and decoder
// frozen, so that the decoder in the new coordinates, f o h^-1, is closer to
// a scaled isometry:
//
//   min_h  F(f o h^-1; P_h) + beta E_z ||h(z)||^2,   z = g(x)
//
// with F the relaxed distortion (irvae/relaxed_distortion.h: same estimator,
// same mixup with eta = 0.2, now on the codes h(g(x))). Reconstructions do
// not change: f(h^-1(h(g(x)))) = f(g(x)).
//
// In the method registry:
//   base "flatten"   runs x -> h(g(x)) on a FlattenedModel (the base's mean
//                    code for a VAE, no graph through the frozen encoder)
//                    and contributes beta E||h(z)||^2 (term "latent_sq";
//                    option fm_beta, default 0 as IRVAE D.1-D.2)
//   alias "fm"       flatten + relaxed_distortion:1
// FlattenModel wraps a trained model and a fresh Real NVP (the identity at
// start, core/invertible.h) into that FlattenedModel.
//
// Errors: kInvalidArgument for bad flow options or a flattened base (it is
// flattened once); "flatten" run on another model kind CHECK-fails (the
// trainer builds the model from Method::Kind, so this is a wiring bug).
#ifndef ISOAE_IRVAE_FLATTENING_H_
#define ISOAE_IRVAE_FLATTENING_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/flattened_model.h"
#include "core/invertible.h"
#include "core/model.h"
#include "core/trainer.h"

namespace isoae {

absl::StatusOr<std::unique_ptr<FlattenedModel>> FlattenModel(std::unique_ptr<Model> base,
                                                             const RealNvpOptions& flow);

// How an experiment runs FM on each trained IRVAE: whether, its schedule
// (seed: the experiment's), the flow, and its options on top of the
// experiment's shared method options (its keys win).
struct FlatteningPlan {
  bool enabled = true;
  TrainConfig train;
  RealNvpOptions flow;
  std::string options;
};

// plan.options merged over `shared` (MethodOptions::Merge), checked by
// building "fm" with them when the plan is enabled, so that a bad option
// fails before any training. Errors: the registry's kInvalidArgument.
absl::StatusOr<std::string> FlatteningOptions(const FlatteningPlan& plan,
                                              const std::string& shared);

// For loading a checkpoint: whether its model fingerprint is a flattened
// model's ("flattened[<base>] Flow[...]"), the base's kind, and the Real NVP
// options that rebuild the same flow. kInvalidArgument when a flattened
// fingerprint cannot be read (the loader's exact fingerprint comparison then
// catches anything this reads wrongly).
struct FlattenedFingerprint {
  ModelKind base_kind;
  RealNvpOptions flow;
};
absl::StatusOr<std::optional<FlattenedFingerprint>> ParseFlattenedFingerprint(
    const std::string& fingerprint);

}  // namespace isoae

#endif  // ISOAE_IRVAE_FLATTENING_H_
