// Methods as registered entries: a method is a base objective (how the model
// is run and what its own loss is: ae, vae, dae, wae) plus weighted
// regularisers (iso, piso, relaxed_distortion, fmvae_flatness, ...):
//
//   L(x) = L_base(x) + sum_k  w_k * R_k(forward pass of x)
//
// Any regulariser composes with any base objective (IRVAE appendix E.5 adds
// its regulariser to AE, VAE, DAE and WAE). Entries register themselves from
// their own .cc files (ISOAE_REGISTER_* below; their cc_library sets
// alwayslink), so a new method touches its own files and one registration
// line, never a central switch (as datasets/registry.cc, OpenSpiel's
// REGISTER_SPIEL_GAME).
//
// Method specs (BuildMethod):
//   "vae+relaxed_distortion:100"   a base, then regularisers "name[:weight]"
//   "irvae", "irvae:100"           a registered alias (here vae +
//                                  relaxed_distortion); ":w" sets the weight
//                                  of every regulariser the alias brings
//   "iae:0.01+rae_gp:0.1"          an alias followed by more regularisers
// Options shared by all entries come as "key=value" pairs (e.g. eta=0.2,
// estimator=exact); each entry reads the keys it knows, and a key no entry
// reads is an error, so a typo never goes unnoticed.
//
// Errors (kInvalidArgument, naming the piece): unknown base, regulariser or
// alias (listing the registered ones), a weight that is not a finite number
// >= 0, a malformed option value, an option no entry reads, a regulariser of
// the encoder's Jacobian on a base that trains a flattened model. Every registered
// regulariser works with both model kinds (piso takes u^T dg for the mean
// half of a VAE encoder). Method::Loss is LibTorch code (the trainer runs it
// behind TorchCall).
#ifndef ISOAE_CORE_METHOD_H_
#define ISOAE_CORE_METHOD_H_

#include <ATen/core/Tensor.h>

#include <functional>
#include <optional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/loss_terms.h"
#include "core/model.h"
#include "core/networks.h"

namespace isoae {

// What the base objective's pass leaves for the regularisers.
struct ForwardPass {
  at::Tensor x;                            // [B, ...] the clean batch
  at::Tensor encoder_input;                // what the encoder saw (noisy for a DAE)
  std::vector<at::Tensor> encoder_inputs;  // layer inputs, for EncoderNet().Vjp
  at::Tensor codes;                        // [B, d] g(x), or the VAE mean
  at::Tensor z;                            // [B, d] what the decoder saw (VAE: a sample)
  at::Tensor x_hat;                        // f(z), shaped like x
  // Set by the caller before the base runs: whether encoder_inputs must be
  // recorded (a regulariser differentiates the encoder). Without them a
  // plain-MLP encoder runs as one fused autograd node (core/fused_mlp).
  bool record_encoder_inputs = true;
};

// Typed access to "key=value" options; records which keys were read.
class MethodOptions {
 public:
  MethodOptions() = default;
  explicit MethodOptions(std::map<std::string, std::string> values)
      : values_(std::move(values)) {}
  // Parses "k1=v1,k2=v2" (empty: no options).
  static absl::StatusOr<MethodOptions> Parse(const std::string& text);

  absl::StatusOr<double> GetDouble(const std::string& key, double default_value);
  absl::StatusOr<int64_t> GetInt(const std::string& key, int64_t default_value);
  // 1/0, true/false, yes/no (absl::SimpleAtob).
  absl::StatusOr<bool> GetBool(const std::string& key, bool default_value);
  std::string GetString(const std::string& key, const std::string& default_value);
  void Set(const std::string& key, const std::string& value) { values_[key] = value; }
  // Keys given but never read.
  std::vector<std::string> Unread() const;
  const std::map<std::string, std::string>& values() const { return values_; }
  // "k=v,..." of `base` with the keys of `override` replacing or added (both
  // parsed as Parse does): how an experiment gives a second method (e.g. the
  // flattening module) its own options on top of the shared ones.
  static absl::StatusOr<std::string> Merge(const std::string& base, const std::string& override);

 private:
  // The value of `key` (nullptr if not given), recorded as read.
  const std::string* Read(const std::string& key);
  absl::Status BadValue(const std::string& key, const std::string& expected) const;

  std::map<std::string, std::string> values_;
  std::set<std::string> read_;
};

class BaseObjective {
 public:
  virtual ~BaseObjective() = default;
  virtual ModelKind Kind() const = 0;
  // Runs the model on the batch x, fills `pass` and appends the base's loss
  // terms (at least one) to `terms`; terms->total is set.
  virtual void Run(Model& model, const at::Tensor& x, ForwardPass* pass,
                   LossTerms* terms) = 0;
  // What the base changes in the networks it trains (the AE baselines that
  // are architectures, not losses: TCAE's tied weights, RAE-SN's spectral
  // normalisation). Model builders apply it (BuildNamedModel,
  // ApplyArchitectureOptions); none by default.
  virtual ArchitectureOptions Architecture() const { return {}; }
};

class Regularizer {
 public:
  virtual ~Regularizer() = default;
  // Unweighted value, differentiable in the model's parameters.
  virtual at::Tensor Loss(Model& model, const ForwardPass& pass) = 0;
  // Whether Loss differentiates the encoder (pass.encoder_inputs): such a
  // regulariser cannot train a flattened model, whose encoder is frozen.
  virtual bool NeedsEncoderJacobian() const { return false; }
};

// The deterministic pass shared by the autoencoder-type bases (ae, dae, wae):
// codes = g(encoder_input) with the layer inputs recorded, z = codes,
// x_hat = f(z); pass->x = x.
void RunDeterministicPass(Model& model, const at::Tensor& x, const at::Tensor& encoder_input,
                          ForwardPass* pass);

using BaseFactory =
    std::function<absl::StatusOr<std::unique_ptr<BaseObjective>>(MethodOptions&)>;
using RegularizerFactory =
    std::function<absl::StatusOr<std::unique_ptr<Regularizer>>(MethodOptions&)>;

// Registration (at static-initialisation time; returns true so it can
// initialise a namespace-scope bool). Duplicate names CHECK-fail.
bool RegisterBaseObjective(const std::string& name, const std::string& summary,
                           BaseFactory factory);
bool RegisterRegularizer(const std::string& name, const std::string& summary,
                         double default_weight, RegularizerFactory factory);
// `spec` as above, e.g. "vae+relaxed_distortion:1".
bool RegisterMethodAlias(const std::string& name, const std::string& spec,
                         const std::string& summary);

#define ISOAE_REGISTRY_CONCAT_(a, b) a##b
#define ISOAE_REGISTRY_CONCAT(a, b) ISOAE_REGISTRY_CONCAT_(a, b)
#define ISOAE_REGISTER_BASE_OBJECTIVE(name, summary, factory)                   \
  static const bool ISOAE_REGISTRY_CONCAT(isoae_base_registered_, __LINE__) = \
      ::isoae::RegisterBaseObjective(name, summary, factory)
#define ISOAE_REGISTER_REGULARIZER(name, summary, weight, factory)             \
  static const bool ISOAE_REGISTRY_CONCAT(isoae_reg_registered_, __LINE__) = \
      ::isoae::RegisterRegularizer(name, summary, weight, factory)
#define ISOAE_REGISTER_METHOD_ALIAS(name, spec, summary)                         \
  static const bool ISOAE_REGISTRY_CONCAT(isoae_alias_registered_, __LINE__) = \
      ::isoae::RegisterMethodAlias(name, spec, summary)

class Method {
 public:
  struct Term {
    std::string name;
    double weight = 0;
    std::unique_ptr<Regularizer> regularizer;
  };
  Method(std::string base_name, std::unique_ptr<BaseObjective> base, std::vector<Term> terms,
         std::string options = "");
  Method(Method&&) noexcept;
  Method& operator=(Method&&) noexcept;
  ~Method();

  ModelKind Kind() const { return base_->Kind(); }
  ArchitectureOptions Architecture() const { return base_->Architecture(); }
  // The base's terms, then each regulariser's unweighted value under its
  // name; total = base total + sum of weight * value (weight-0 terms are
  // skipped entirely).
  LossTerms Loss(Model& model, const at::Tensor& x);
  // Same, also returning the pass (for callers that reuse codes).
  LossTerms Loss(Model& model, const at::Tensor& x, ForwardPass* pass);
  // Canonical spec, e.g. "vae+relaxed_distortion:100".
  std::string Describe() const;
  // The spec and the options it was built with (sorted), for checkpoint
  // fingerprints: a resume with other options is refused.
  std::string Fingerprint() const;
  const std::vector<Term>& terms() const { return terms_; }

 private:
  std::string base_name_;
  std::string options_;
  std::unique_ptr<BaseObjective> base_;
  std::vector<Term> terms_;
};

absl::StatusOr<Method> BuildMethod(const std::string& spec, MethodOptions options = {});

// Several methods sharing one option set (an experiment comparing methods):
// an option must be read by at least one of them.
// BuildMethodOfList builds one of them alone, ignoring the keys it does not
// read (check the list with BuildMethods first).
absl::StatusOr<Method> BuildMethodOfList(const std::string& spec, MethodOptions options);
absl::StatusOr<std::vector<Method>> BuildMethods(const std::vector<std::string>& specs,
                                                 MethodOptions options = {});

// Registered names, sorted.
std::vector<std::string> RegisteredBaseObjectives();
std::vector<std::string> RegisteredRegularizers();
std::vector<std::string> RegisteredMethodAliases();

// For --help texts and error messages: "name: summary" lines.
std::vector<std::string> DescribeRegisteredMethods();

}  // namespace isoae

#endif  // ISOAE_CORE_METHOD_H_
