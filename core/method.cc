#include "core/method.h"

#include <ATen/ATen.h>
#include <glog/logging.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/autoencoder.h"
#include "core/fused_mlp.h"
#include "core/status_macros.h"
#include "core/vae.h"

namespace isoae {
namespace {

struct BaseEntry {
  std::string summary;
  BaseFactory factory;
};
struct RegularizerEntry {
  std::string summary;
  double default_weight;
  RegularizerFactory factory;
};
struct AliasEntry {
  std::string spec, summary;
};

std::map<std::string, BaseEntry>& Bases() {
  static auto* m = new std::map<std::string, BaseEntry>;
  return *m;
}
std::map<std::string, RegularizerEntry>& Regularizers() {
  static auto* m = new std::map<std::string, RegularizerEntry>;
  return *m;
}
std::map<std::string, AliasEntry>& Aliases() {
  static auto* m = new std::map<std::string, AliasEntry>;
  return *m;
}

bool NameTaken(const std::string& name) {
  return Bases().count(name) || Regularizers().count(name) || Aliases().count(name);
}

template <typename Map>
std::string Names(const Map& m) {
  std::vector<std::string> names;
  for (const auto& [k, v] : m) names.push_back(k);
  return absl::StrJoin(names, ", ");
}

// "name" or "name:weight".
absl::Status SplitPiece(absl::string_view piece, std::string* name,
                        std::optional<double>* weight) {
  std::vector<std::string> parts = absl::StrSplit(piece, ':');
  *name = std::string(absl::StripAsciiWhitespace(parts[0]));
  if (name->empty()) {
    return absl::InvalidArgumentError(absl::StrCat("method piece \"", piece, "\" has no name"));
  }
  if (parts.size() > 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "method piece \"", piece, "\": expected name or name:weight"));
  }
  if (parts.size() == 2) {
    double w;
    if (!absl::SimpleAtod(absl::StripAsciiWhitespace(parts[1]), &w) || !std::isfinite(w) ||
        w < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "weight of \"", *name, "\" must be a finite number >= 0, got \"", parts[1], "\""));
    }
    *weight = w;
  }
  return absl::OkStatus();
}

struct ParsedTerm {
  std::string name;
  double weight;
};
struct ParsedSpec {
  std::string base;
  std::vector<ParsedTerm> terms;
};

absl::StatusOr<ParsedSpec> ParseSpec(const std::string& spec, int depth) {
  if (depth > 4) return absl::InvalidArgumentError("method aliases nest too deeply");
  std::vector<std::string> pieces = absl::StrSplit(spec, '+');
  ParsedSpec out;
  for (size_t i = 0; i < pieces.size(); ++i) {
    std::string name;
    std::optional<double> weight;
    ISOAE_RETURN_IF_ERROR(SplitPiece(pieces[i], &name, &weight));
    if (i == 0) {
      if (auto a = Aliases().find(name); a != Aliases().end()) {
        ISOAE_ASSIGN_OR_RETURN(out, ParseSpec(a->second.spec, depth + 1));
        if (weight) {
          for (auto& t : out.terms) t.weight = *weight;
        }
        continue;
      }
      if (!Bases().count(name)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unknown method \"", name, "\": a method starts with a base objective (",
            Names(Bases()), ") or an alias (", Names(Aliases()), ")"));
      }
      if (weight) {
        return absl::InvalidArgumentError(absl::StrCat(
            "base objective \"", name, "\" takes no weight (weights belong to regularisers)"));
      }
      out.base = name;
      continue;
    }
    auto r = Regularizers().find(name);
    if (r == Regularizers().end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown regulariser \"", name, "\" (registered: ", Names(Regularizers()), ")"));
    }
    for (const auto& t : out.terms) {
      if (t.name == name) {
        return absl::InvalidArgumentError(
            absl::StrCat("regulariser \"", name, "\" appears twice in \"", spec, "\""));
      }
    }
    out.terms.push_back({name, weight ? *weight : r->second.default_weight});
  }
  return out;
}

// The encoder's value pass: layer inputs recorded when a regulariser needs
// them, else fused where the encoder is a plain MLP (the same bits).
at::Tensor EncoderPass(Sequential& encoder, const at::Tensor& x, ForwardPass* pass) {
  if (pass->record_encoder_inputs) return encoder.ForwardRecording(x, &pass->encoder_inputs);
  pass->encoder_inputs.clear();
  return ForwardFusedIfPlain(encoder, x);
}

// The two base objectives every model kind needs. The AE objective also
// serves the baselines whose difference is the architecture (ae_tied, ae_sn).
class AeObjective final : public BaseObjective {
 public:
  explicit AeObjective(ArchitectureOptions architecture = {}) : architecture_(architecture) {}
  ModelKind Kind() const override { return ModelKind::kAutoencoder; }
  ArchitectureOptions Architecture() const override { return architecture_; }
  void Run(Model& model, const at::Tensor& x, ForwardPass* pass, LossTerms* terms) override {
    RunDeterministicPass(model, x, x, pass);
    at::Tensor rec = ReconstructionLoss(x, pass->x_hat);
    terms->terms.push_back({"L_rec", rec.detach()});
    terms->total = rec;
  }

 private:
  ArchitectureOptions architecture_;
};

class VaeObjective final : public BaseObjective {
 public:
  ModelKind Kind() const override { return ModelKind::kVae; }
  void Run(Model& model, const at::Tensor& x, ForwardPass* pass, LossTerms* terms) override {
    auto* vae = dynamic_cast<Vae*>(&model);
    CHECK(vae != nullptr) << "the vae objective needs a Vae model, got "
                          << ModelKindName(model.Kind());
    pass->x = x;
    pass->encoder_input = x;
    // z = mu + exp(s) eps, the KL, and the likelihood as single graph nodes
    // (core/vae.h; the same bits as the expressions written out there).
    const at::Tensor encoded = EncoderPass(vae->encoder, x, pass);
    pass->codes = SplitGaussianCode(encoded).mean;
    const SampledCode sample = SampleGaussianCode(encoded, at::randn_like(pass->codes));
    pass->z = sample.z;
    pass->x_hat = ForwardFusedIfPlain(vae->decoder, pass->z);
    at::Tensor nll = GaussianNllMean(x, pass->x_hat, vae->log_sigma);
    at::Tensor kl = sample.kl_mean;
    terms->terms.push_back({"nll", nll.detach()});
    terms->terms.push_back({"kl", kl.detach()});
    terms->terms.push_back({"sigma", vae->log_sigma.detach().exp()});
    terms->total = nll + kl;
  }
};

ISOAE_REGISTER_BASE_OBJECTIVE(
    "ae", "autoencoder, L_rec = mean_i ||f(g(x_i)) - x_i||^2",
    [](MethodOptions&) -> absl::StatusOr<std::unique_ptr<BaseObjective>> {
      return std::make_unique<AeObjective>();
    });
ISOAE_REGISTER_BASE_OBJECTIVE(
    "ae_tied",
    "autoencoder whose decoder applies the encoder's weights transposed (TCAE, Rifai et al. 2011a)",
    [](MethodOptions&) -> absl::StatusOr<std::unique_ptr<BaseObjective>> {
      ArchitectureOptions a;
      a.tied_weights = true;
      return std::make_unique<AeObjective>(a);
    });
ISOAE_REGISTER_BASE_OBJECTIVE(
    "ae_sn",
    "autoencoder with a spectrally normalised decoder (RAE-SN, Ghosh et al. 2020)",
    [](MethodOptions&) -> absl::StatusOr<std::unique_ptr<BaseObjective>> {
      ArchitectureOptions a;
      a.decoder_spectral_norm = true;
      return std::make_unique<AeObjective>(a);
    });
ISOAE_REGISTER_BASE_OBJECTIVE(
    "vae", "VAE, negative ELBO with a Gaussian decoder of learned sigma (core/vae.h)",
    [](MethodOptions&) -> absl::StatusOr<std::unique_ptr<BaseObjective>> {
      return std::make_unique<VaeObjective>();
    });

}  // namespace

void RunDeterministicPass(Model& model, const at::Tensor& x, const at::Tensor& encoder_input,
                          ForwardPass* pass) {
  pass->x = x;
  pass->encoder_input = encoder_input;
  pass->codes = EncoderPass(model.EncoderNet(), encoder_input, pass);
  pass->z = pass->codes;
  pass->x_hat = ForwardFusedIfPlain(model.DecoderMap(), pass->z);
}

absl::StatusOr<MethodOptions> MethodOptions::Parse(const std::string& text) {
  std::map<std::string, std::string> values;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::vector<std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
    std::string key(absl::StripAsciiWhitespace(kv[0]));
    if (kv.size() != 2 || key.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("method option \"", item, "\": expected key=value"));
    }
    if (values.count(key)) {
      return absl::InvalidArgumentError(absl::StrCat("method option \"", key, "\" given twice"));
    }
    values[key] = std::string(absl::StripAsciiWhitespace(kv[1]));
  }
  return MethodOptions(std::move(values));
}

absl::StatusOr<std::string> MethodOptions::Merge(const std::string& base,
                                                 const std::string& override) {
  ISOAE_ASSIGN_OR_RETURN(MethodOptions b, Parse(base));
  ISOAE_ASSIGN_OR_RETURN(MethodOptions o, Parse(override));
  std::map<std::string, std::string> merged = b.values();
  for (const auto& [k, v] : o.values()) merged[k] = v;
  std::vector<std::string> kv;
  for (const auto& [k, v] : merged) kv.push_back(absl::StrCat(k, "=", v));
  return absl::StrJoin(kv, ",");
}

const std::string* MethodOptions::Read(const std::string& key) {
  read_.insert(key);
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

absl::Status MethodOptions::BadValue(const std::string& key, const std::string& expected) const {
  return absl::InvalidArgumentError(
      absl::StrCat("method option ", key, "=", values_.at(key), ": expected ", expected));
}

absl::StatusOr<double> MethodOptions::GetDouble(const std::string& key, double default_value) {
  const std::string* text = Read(key);
  if (text == nullptr) return default_value;
  double v;
  if (!absl::SimpleAtod(*text, &v) || !std::isfinite(v)) return BadValue(key, "a finite number");
  return v;
}

absl::StatusOr<int64_t> MethodOptions::GetInt(const std::string& key, int64_t default_value) {
  const std::string* text = Read(key);
  if (text == nullptr) return default_value;
  int64_t v;
  if (!absl::SimpleAtoi(*text, &v)) return BadValue(key, "an integer");
  return v;
}

absl::StatusOr<bool> MethodOptions::GetBool(const std::string& key, bool default_value) {
  const std::string* text = Read(key);
  if (text == nullptr) return default_value;
  bool v;
  if (!absl::SimpleAtob(*text, &v)) return BadValue(key, "1 or 0 (true or false)");
  return v;
}

std::string MethodOptions::GetString(const std::string& key, const std::string& default_value) {
  const std::string* text = Read(key);
  return text == nullptr ? default_value : *text;
}

std::vector<std::string> MethodOptions::Unread() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : values_) {
    if (!read_.count(k)) out.push_back(k);
  }
  return out;
}

bool RegisterBaseObjective(const std::string& name, const std::string& summary,
                           BaseFactory factory) {
  CHECK(!NameTaken(name)) << "method name registered twice: " << name;
  Bases()[name] = {summary, std::move(factory)};
  return true;
}

bool RegisterRegularizer(const std::string& name, const std::string& summary,
                         double default_weight, RegularizerFactory factory) {
  CHECK(!NameTaken(name)) << "method name registered twice: " << name;
  Regularizers()[name] = {summary, default_weight, std::move(factory)};
  return true;
}

bool RegisterMethodAlias(const std::string& name, const std::string& spec,
                         const std::string& summary) {
  CHECK(!NameTaken(name)) << "method name registered twice: " << name;
  Aliases()[name] = {spec, summary};
  return true;
}

Method::Method(std::string base_name, std::unique_ptr<BaseObjective> base,
               std::vector<Term> terms, std::string options)
    : base_name_(std::move(base_name)),
      options_(std::move(options)),
      base_(std::move(base)),
      terms_(std::move(terms)) {}
Method::Method(Method&&) noexcept = default;
Method& Method::operator=(Method&&) noexcept = default;
Method::~Method() = default;

LossTerms Method::Loss(Model& model, const at::Tensor& x) {
  ForwardPass pass;
  pass.record_encoder_inputs = false;
  for (const Term& t : terms_) {
    if (t.weight != 0 && t.regularizer->NeedsEncoderJacobian()) pass.record_encoder_inputs = true;
  }
  return Loss(model, x, &pass);
}

LossTerms Method::Loss(Model& model, const at::Tensor& x, ForwardPass* pass) {
  LossTerms out;
  base_->Run(model, x, pass, &out);
  for (Term& t : terms_) {
    if (t.weight == 0) continue;
    at::Tensor r = t.regularizer->Loss(model, *pass);
    out.terms.push_back({t.name, r.detach()});
    out.total = out.total + t.weight * r;
  }
  return out;
}

std::string Method::Fingerprint() const {
  return options_.empty() ? Describe() : absl::StrCat(Describe(), " {", options_, "}");
}

std::string Method::Describe() const {
  std::string s = base_name_;
  for (const Term& t : terms_) absl::StrAppend(&s, "+", t.name, ":", t.weight);
  return s;
}

namespace {

// Builds without checking for unread options (they stay recorded in `options`).
absl::StatusOr<Method> BuildMethodReading(const std::string& spec, MethodOptions& options) {
  ISOAE_ASSIGN_OR_RETURN(ParsedSpec parsed, ParseSpec(spec, 0));
  if (parsed.base.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("method \"", spec, "\" has no base objective"));
  }
  ISOAE_ASSIGN_OR_RETURN(std::unique_ptr<BaseObjective> base,
                         Bases()[parsed.base].factory(options));
  std::vector<Method::Term> terms;
  for (const ParsedTerm& p : parsed.terms) {
    absl::StatusOr<std::unique_ptr<Regularizer>> r = Regularizers()[p.name].factory(options);
    if (!r.ok()) {
      return absl::Status(r.status().code(),
                          absl::StrCat("regulariser ", p.name, ": ", r.status().message()));
    }
    if ((*r)->NeedsEncoderJacobian() && base->Kind() == ModelKind::kFlattened) {
      return absl::InvalidArgumentError(absl::StrCat(
          "regulariser ", p.name, " differentiates the encoder, but base \"", parsed.base,
          "\" trains only the invertible map of a frozen model"));
    }
    terms.push_back({p.name, p.weight, std::move(*r)});
  }
  std::vector<std::string> kv;
  for (const auto& [k, v] : options.values()) kv.push_back(absl::StrCat(k, "=", v));
  return Method(parsed.base, std::move(base), std::move(terms), absl::StrJoin(kv, ","));
}

absl::Status CheckAllRead(const MethodOptions& options, const std::string& what) {
  if (std::vector<std::string> unread = options.Unread(); !unread.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("method option(s) ",
                                                   absl::StrJoin(unread, ", "),
                                                   " are not read by any part of ", what));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Method> BuildMethod(const std::string& spec, MethodOptions options) {
  ISOAE_ASSIGN_OR_RETURN(Method m, BuildMethodReading(spec, options));
  ISOAE_RETURN_IF_ERROR(CheckAllRead(options, absl::StrCat("\"", spec, "\"")));
  return m;
}

absl::StatusOr<Method> BuildMethodOfList(const std::string& spec, MethodOptions options) {
  // Built twice: once to learn which keys the method reads, then with those
  // alone, so that its fingerprint (which lists its options) does not change
  // with the other methods of the list.
  MethodOptions probe = options;
  ISOAE_RETURN_IF_ERROR(BuildMethodReading(spec, probe).status());
  const std::vector<std::string> unread = probe.Unread();
  std::map<std::string, std::string> read;
  for (const auto& [key, value] : options.values()) {
    if (std::find(unread.begin(), unread.end(), key) == unread.end()) read[key] = value;
  }
  return BuildMethod(spec, MethodOptions(std::move(read)));
}

absl::StatusOr<std::vector<Method>> BuildMethods(const std::vector<std::string>& specs,
                                                 MethodOptions options) {
  std::vector<Method> out;
  for (const std::string& spec : specs) {
    ISOAE_ASSIGN_OR_RETURN(Method m, BuildMethodReading(spec, options));
    out.push_back(std::move(m));
  }
  ISOAE_RETURN_IF_ERROR(CheckAllRead(options, absl::StrCat("\"", absl::StrJoin(specs, ","), "\"")));
  return out;
}

namespace {
template <typename Map>
std::vector<std::string> Keys(const Map& m) {
  std::vector<std::string> out;
  for (const auto& [k, v] : m) out.push_back(k);
  return out;
}
}  // namespace

std::vector<std::string> RegisteredBaseObjectives() { return Keys(Bases()); }
std::vector<std::string> RegisteredRegularizers() { return Keys(Regularizers()); }
std::vector<std::string> RegisteredMethodAliases() { return Keys(Aliases()); }

std::vector<std::string> DescribeRegisteredMethods() {
  std::vector<std::string> out;
  for (const auto& [k, v] : Bases()) out.push_back(absl::StrCat(k, " (base): ", v.summary));
  for (const auto& [k, v] : Regularizers()) {
    out.push_back(absl::StrCat(k, " (regulariser, weight ", v.default_weight, "): ", v.summary));
  }
  for (const auto& [k, v] : Aliases()) {
    out.push_back(absl::StrCat(k, " = ", v.spec, ": ", v.summary));
  }
  return out;
}

}  // namespace isoae
