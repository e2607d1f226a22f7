// Every registered method (//:all_methods) builds, trains, checkpoints and
// resumes: each base objective alone, each regulariser on an AE and on a VAE,
// and each alias. A resumed run must end bit-identical to an uninterrupted
// one (the trainer reseeds every step, so a method that drew random numbers
// outside LibTorch's generator, or kept hidden state, would fail here).
// Methods that train a flattened model (IRVAE's flattening module) start from
// an untrained VAE wrapped with a small Real NVP; with fm_beta > 0 so that
// the base "flatten" alone has a gradient.
#include "third_party/torch_light.h"

#include <filesystem>
#include <string>
#include <vector>

#include "core/method.h"
#include "core/model_builder.h"
#include "core/networks.h"
#include "core/trainer.h"
#include "irvae/flattening.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);

std::vector<std::string> AllSpecs() {
  std::vector<std::string> specs = RegisteredBaseObjectives();
  for (const std::string& r : RegisteredRegularizers()) {
    specs.push_back("ae+" + r);
    specs.push_back("vae+" + r);
  }
  for (const std::string& a : RegisteredMethodAliases()) specs.push_back(a);
  return specs;
}

std::vector<torch::Tensor> TrainFor(const std::string& spec, int64_t epochs, bool resume,
                                    const std::string& checkpoint) {
  Method method = BuildMethod(spec).value();
  const bool flat = method.Kind() == ModelKind::kFlattened;
  if (flat) method = BuildMethod(spec, MethodOptions(std::map<std::string, std::string>{{"fm_beta", "0.1"}})).value();
  torch::manual_seed(3);
  const ModelKind kind = flat ? ModelKind::kVae : method.Kind();
  const int64_t out = kind == ModelKind::kVae ? 4 : 2;
  AutoencoderConfig config = SymmetricMlp(6, 2, 16, 2, out);
  ApplyArchitectureOptions(method.Architecture(), &config);
  std::unique_ptr<Model> model = BuildModel(kind, config, kDouble).value();
  if (flat) {
    RealNvpOptions o;
    o.depth = 2;
    o.hidden = 8;
    model = FlattenModel(std::move(model), o).value();
  }
  torch::manual_seed(4);
  const torch::Tensor data = torch::rand({40, 6}, kDouble);
  TrainConfig tc;
  tc.epochs = epochs;
  tc.batch_size = 10;
  tc.learning_rate = 1e-3;
  tc.seed = 5;
  tc.checkpoint_path = checkpoint;
  tc.resume = resume;
  tc.fingerprint = model->Fingerprint() + "; " + spec;
  tc.quiet = true;
  absl::StatusOr<TrainHistory> h =
      Train(tc, model->Parameters(), model->State(), data,
            [&](const at::Tensor& b) { return method.Loss(*model, b); });
  EXPECT_TRUE(h.ok()) << spec << ": " << h.status();
  std::vector<torch::Tensor> params;
  for (const auto& p : model->Parameters()) params.push_back(p.detach().clone());
  return params;
}

TEST(MethodsTest, RegistryHoldsBothPapersMethods) {
  const std::vector<std::string> specs = AllSpecs();
  for (const char* name : {"ae", "vae", "dae", "wae", "iae", "irvae", "fmvae", "vae+iso",
                           "ae+relaxed_distortion", "vae+fmvae_flatness", "ae+piso",
                           "flatten", "fm"}) {
    EXPECT_NE(std::find(specs.begin(), specs.end(), name), specs.end()) << name;
  }
}

// The decoder-geometry regularisers act on mixed latent samples z(x): their
// gradient must reach the encoder (through z) as well as the decoder.
TEST(MethodsTest, DecoderGeometryRegularisersTrainTheEncoderToo) {
  for (const std::string base : {"ae", "vae"}) {
    for (const std::string reg : {"relaxed_distortion", "fmvae_flatness"}) {
      SCOPED_TRACE(base + "+" + reg);
      Method method = BuildMethod(base + "+" + reg).value();
      torch::manual_seed(3);
      std::unique_ptr<Model> model =
          BuildModel(method.Kind(), SymmetricMlp(6, 2, 16, 2, base == "vae" ? 4 : 2), kDouble)
              .value();
      const torch::Tensor x = torch::rand({20, 6}, kDouble);
      ForwardPass pass;
      method.Loss(*model, x, &pass);
      // Backpropagate the regulariser alone.
      at::Tensor reg_value;
      for (const auto& term : method.terms()) {
        reg_value = term.regularizer->Loss(*model, pass);
      }
      const std::vector<at::Tensor> enc = model->EncoderNet().Parameters();
      std::vector<NamedTensor> dec_named;
      model->DecoderMap().AppendParameters("", &dec_named);
      std::vector<at::Tensor> both = enc;
      for (const auto& d : dec_named) both.push_back(d.tensor);
      const std::vector<at::Tensor> g =
          torch::autograd::grad({reg_value}, both, {}, false, false, true);
      double enc_norm = 0, dec_norm = 0;
      for (size_t i = 0; i < g.size(); ++i) {
        const double n = g[i].defined() ? g[i].abs().sum().item<double>() : 0.0;
        (i < enc.size() ? enc_norm : dec_norm) += n;
      }
      EXPECT_GT(enc_norm, 0.0);
      EXPECT_GT(dec_norm, 0.0);
    }
  }
}

TEST(MethodsTest, ArchitectureBaselinesChangeTheNetworks) {
  // TCAE ties the decoder's weights to the encoder's, RAE-SN normalises the
  // decoder; the loss-only methods leave the networks as given.
  auto build = [](const std::string& spec) {
    Method method = BuildMethod(spec).value();
    AutoencoderConfig config = SymmetricMlp(6, 2, 16, 2);
    ApplyArchitectureOptions(method.Architecture(), &config);
    return BuildModel(method.Kind(), config, kDouble).value();
  };
  const auto plain = build("cae");
  const auto tied = build("tcae");
  const auto sn = build("rae_sn");
  // SymmetricMlp(6, 2, 16, 2): decoder weights 16x2 + 16x16 + 6x16.
  EXPECT_EQ(plain->Parameters().size(), 12u);
  EXPECT_EQ(tied->Parameters().size(), 9u);
  int64_t plain_n = 0, tied_n = 0;
  for (const auto& p : plain->Parameters()) plain_n += p.numel();
  for (const auto& p : tied->Parameters()) tied_n += p.numel();
  EXPECT_EQ(plain_n - tied_n, 16 * 2 + 16 * 16 + 6 * 16);
  EXPECT_NE(tied->Fingerprint().find("tied"), std::string::npos);
  EXPECT_NE(sn->Fingerprint().find("SNLinear"), std::string::npos);
  EXPECT_EQ(plain->Fingerprint().find("SNLinear"), std::string::npos);
  const ArchitectureOptions from_tied = ArchitectureOptionsOfFingerprint(tied->Fingerprint());
  const ArchitectureOptions from_sn = ArchitectureOptionsOfFingerprint(sn->Fingerprint());
  const ArchitectureOptions from_plain = ArchitectureOptionsOfFingerprint(plain->Fingerprint());
  EXPECT_TRUE(from_tied.tied_weights && !from_tied.decoder_spectral_norm);
  EXPECT_TRUE(!from_sn.tied_weights && from_sn.decoder_spectral_norm);
  EXPECT_TRUE(!from_plain.tied_weights && !from_plain.decoder_spectral_norm);
  // A VAE's encoder (2d outputs) cannot be tied to its decoder.
  AutoencoderConfig vae_config = SymmetricMlp(6, 2, 16, 2, 4);
  vae_config.tied_weights = true;
  absl::StatusOr<std::unique_ptr<Model>> vae = BuildModel(ModelKind::kVae, vae_config, kDouble);
  ASSERT_FALSE(vae.ok());
  EXPECT_NE(vae.status().message().find("tied weights"), std::string::npos) << vae.status();
}

TEST(MethodsTest, EveryMethodTrainsCheckpointsAndResumesBitIdentically) {
  const std::string dir = ::testing::TempDir() + "/methods_test";
  std::filesystem::create_directories(dir);
  for (const std::string& spec : AllSpecs()) {
    SCOPED_TRACE(spec);
    const std::string ck = dir + "/" + std::to_string(std::hash<std::string>()(spec)) + ".pt";
    const std::vector<torch::Tensor> straight = TrainFor(spec, 4, false, "");
    TrainFor(spec, 2, false, ck);
    const std::vector<torch::Tensor> resumed = TrainFor(spec, 4, true, ck);
    ASSERT_EQ(straight.size(), resumed.size());
    for (size_t i = 0; i < straight.size(); ++i) {
      EXPECT_TRUE(straight[i].equal(resumed[i])) << "parameter " << i;
    }
    // Training moved the parameters (a method whose loss had no gradient
    // would leave them at their initial values).
    const std::vector<torch::Tensor> start = TrainFor(spec, 0, false, "");
    double moved = 0;
    for (size_t i = 0; i < start.size(); ++i) {
      moved += (straight[i] - start[i]).abs().sum().item<double>();
    }
    EXPECT_GT(moved, 0.0);
  }
}

}  // namespace
}  // namespace isoae
