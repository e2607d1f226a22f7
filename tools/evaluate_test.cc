#include "tools/evaluate.h"

#include <torch/script.h>
#include <torch/script.h>

#include "third_party/torch_light.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/autoencoder.h"
#include "core/checkpoint.h"
#include "core/flattened_model.h"
#include "core/invertible.h"
#include "core/model_builder.h"
#include "core/networks.h"
#include "core/status_matchers.h"
#include "datasets/image_io.h"
#include "datasets/testing/fixtures.h"
#include "irvae/flattening.h"
#include "tools/model_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

// A checkpoint of an untrained IRVAE FC autoencoder for `data_dim` inputs,
// written the way the experiments write them (architecture; run details).
std::string WriteModel(const std::string& dir, int64_t data_dim, int64_t latent) {
  torch::manual_seed(0);
  absl::StatusOr<Autoencoder> ae = BuildAutoencoder(IrvaeFc(data_dim, latent), torch::TensorOptions());
  EXPECT_TRUE(ae.ok());
  const std::string path = dir + "/model.pt";
  EXPECT_TRUE(SaveCheckpoint(path, 123, ae->Fingerprint() + "; method AE; seed 0", ae->State()).ok());
  return path;
}

// MNIST-style IDX files: smooth blobs whose position depends on the index.
std::string WriteIdxCopy(int train, int test) {
  return testing::WriteMnistStyleDir("evaluate_idx", train, test, 28, 28, [](int i, int y, int x) {
    const double cx = 4 + 20.0 * (i % 7) / 6.0, cy = 4 + 20.0 * ((i / 7) % 5) / 4.0;
    return static_cast<uint8_t>(255 * std::exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / 20.0));
  });
}

EvaluateConfig IdxConfig(const std::string& data_dir, const std::string& checkpoint) {
  EvaluateConfig c;
  c.checkpoint = checkpoint;
  c.data.name = "mnist";
  c.data.data_dir = data_dir;
  c.data.train_count = 30;
  c.data.valid_count = 10;
  c.neighbors_k = 5;
  c.karcher = true;
  return c;
}

TEST(EvaluateTest, WritesEveryMeasureForAnImageDataset) {
  const std::string data = WriteIdxCopy(40, 35);
  const std::string model = WriteModel(testing::FreshDir("evaluate_model"), 784, 2);
  ISOAE_ASSERT_OK_AND_ASSIGN(EvaluationReport r, RunEvaluation(IdxConfig(data, model)));
  const nlohmann::json j = nlohmann::json::parse(r.json);
  EXPECT_EQ(j["checkpoint_step"], 123);
  EXPECT_EQ(j["items"], 35);
  EXPECT_EQ(j["split"], "mnist/test");
  EXPECT_GT(j["reconstruction"]["mse_per_element"].get<double>(), 0.0);
  EXPECT_NEAR(j["reconstruction"]["sum_squared_error_per_item"].get<double>(),
              784 * j["reconstruction"]["mse_per_element"].get<double>(), 1e-6);
  EXPECT_GE(j["geometry"]["vor"].get<double>(), 0.0);
  EXPECT_LE(j["geometry"]["vor_karcher_mean"].get<double>(),
            j["geometry"]["vor"].get<double>() + 1e-12);
  EXPECT_GE(j["geometry"]["mcn"].get<double>(), 1.0);
  EXPECT_GE(j["geometry"]["relaxed_distortion"].get<double>(), 0.0);
  EXPECT_GT(j["edge_ratio"]["edges"].get<int>(), 0);
  const double t = j["neighbourhood"]["trustworthiness"].get<double>();
  EXPECT_GT(t, 0.0);
  EXPECT_LE(t, 1.0);
  EXPECT_GE(j["frechet"]["value"].get<double>(), 0.0);
  EXPECT_EQ(j["frechet"]["features"], "pixels");
  EXPECT_EQ(j["frechet"]["dimensions"], 784);
  EXPECT_FALSE(j.contains("retrieval"));
  EXPECT_THAT(r.summary, HasSubstr("VoR"));
  EXPECT_THAT(r.summary, HasSubstr("not FID"));
  EXPECT_THAT(r.summary, HasSubstr("trustworthiness (k=5)"));
}

// A flattened checkpoint (IRVAE's flattening module on a VAE) loads by its
// fingerprint alone: same reconstructions as its base, other geometry.
TEST(EvaluateTest, FlattenedModelsLoadFromTheirFingerprint) {
  const std::string data = WriteIdxCopy(40, 35);
  const std::string dir = testing::FreshDir("evaluate_flat");
  torch::manual_seed(0);
  std::unique_ptr<Model> vae =
      BuildNamedModel(ModelKind::kVae, "irvae_fc", 784, 2, torch::TensorOptions()).value();
  ISOAE_ASSERT_OK(SaveCheckpoint(dir + "/vae.pt", 5, vae->Fingerprint() + "; method vae",
                                 vae->State()));
  RealNvpOptions flow;
  flow.depth = 3;
  flow.hidden = 16;
  flow.activation = "tanh";
  std::unique_ptr<FlattenedModel> fm = FlattenModel(std::move(vae), flow).value();
  {
    torch::NoGradGuard no_grad;
    for (auto& p : fm->Parameters()) p.normal_(0, 0.2);
  }
  ISOAE_ASSERT_OK(SaveCheckpoint(dir + "/fm.pt", 9, fm->Fingerprint() + "; method fm",
                                 fm->State()));
  ISOAE_ASSERT_OK_AND_ASSIGN(EvaluationReport base,
                             RunEvaluation(IdxConfig(data, dir + "/vae.pt")));
  ISOAE_ASSERT_OK_AND_ASSIGN(EvaluationReport flat,
                             RunEvaluation(IdxConfig(data, dir + "/fm.pt")));
  const nlohmann::json jb = nlohmann::json::parse(base.json);
  const nlohmann::json jf = nlohmann::json::parse(flat.json);
  EXPECT_EQ(jb["model"], "vae");
  EXPECT_EQ(jf["model"], "flattened");
  EXPECT_EQ(jf["checkpoint_step"], 9);
  const double mse = jb["reconstruction"]["mse_per_element"].get<double>();
  EXPECT_NEAR(jf["reconstruction"]["mse_per_element"].get<double>(), mse, 1e-5 * mse);
  EXPECT_GT(std::abs(jf["geometry"]["mcn"].get<double>() - jb["geometry"]["mcn"].get<double>()),
            1e-3);
  // The loaded model is the saved one: the same codes, not just the same
  // shapes (every coupling has the same shapes, so a permuted load would pass
  // the checks above).
  ISOAE_ASSERT_OK_AND_ASSIGN(LoadedModel loaded,
                             LoadCheckpointModel(dir + "/fm.pt", "auto", "irvae_fc", 784, 2,
                                                 c10::Device(c10::kCPU)));
  fm->SetTraining(false);
  const torch::Tensor x = torch::rand({6, 784});
  {
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(torch::equal(loaded.model->Codes(x), fm->Codes(x)));
  }
  // Unreadable or implausible flattened fingerprints are refused before
  // anything is built.
  ISOAE_ASSERT_OK(SaveCheckpoint(dir + "/bad.pt", 9,
                                 "flattened[vae (sigma learned)] Flow[nothing]", fm->State()));
  EXPECT_THAT(RunEvaluation(IdxConfig(data, dir + "/bad.pt")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no coupling layers")));
  ISOAE_ASSERT_OK(SaveCheckpoint(
      dir + "/huge.pt", 9,
      "flattened[vae (sigma learned)] Flow[AffineCoupling(m=2, pass {0}, Linear(2 -> "
      "999999999) -> ReLU -> Linear(999999999 -> 4))]",
      fm->State()));
  EXPECT_THAT(RunEvaluation(IdxConfig(data, dir + "/huge.pt")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("implausible flow")));
}

// A TorchScript feature extractor: the per-item mean and max as 2 features.
TEST(EvaluateTest, PluggableTorchScriptFeatures) {
  const std::string data = WriteIdxCopy(40, 35);
  const std::string dir = testing::FreshDir("evaluate_ts");
  const std::string model = WriteModel(dir, 784, 2);
  torch::jit::Module m("Features");
  m.define(R"(
    def forward(self, x):
        f = x.flatten(1)
        return torch.stack([f.mean(1), f.max(1)[0]], 1)
  )");
  m.save(dir + "/features.pt");
  EvaluateConfig c = IdxConfig(data, model);
  c.fd_features = dir + "/features.pt";
  ISOAE_ASSERT_OK_AND_ASSIGN(EvaluationReport r, RunEvaluation(c));
  const nlohmann::json j = nlohmann::json::parse(r.json);
  EXPECT_EQ(j["frechet"]["dimensions"], 2);
  EXPECT_EQ(j["frechet"]["features"], "torchscript:" + dir + "/features.pt");
  EXPECT_THAT(r.summary, ::testing::Not(HasSubstr("not FID")));
  c.fd_features = dir + "/missing.pt";
  EXPECT_THAT(RunEvaluation(c), StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing.pt")));
  testing::WriteBytes(dir + "/junk.pt", "not a module");
  c.fd_features = dir + "/junk.pt";
  EXPECT_THAT(RunEvaluation(c), StatusIs(absl::StatusCode::kDataLoss,
                                         HasSubstr("not a loadable TorchScript module")));
}

TEST(EvaluateTest, RetrievalForAttributeDatasets) {
  // A CelebA-like copy: 60 JPEGs, 40 train / 0 valid / 20 test, attribute 0
  // set for the bright half (so codes can separate it), the rest random.
  const std::string dir = testing::FreshDir("evaluate_celeba");
  testing::MakeDirs(dir + "/img_align_celeba");
  std::string attrs = "60\n", parts;
  for (int a = 0; a < 40; ++a) attrs += absl::StrCat(a ? " " : "", "A", a);
  attrs += "\n";
  for (int i = 0; i < 60; ++i) {
    const std::string name = absl::StrFormat("%06d.jpg", i + 1);
    const uint8_t v = static_cast<uint8_t>(i % 2 ? 220 : 30);
    ASSERT_TRUE(WriteJpeg(dir + "/img_align_celeba/" + name,
                          Image{10, 10, 3, std::vector<uint8_t>(300, v)}, 95)
                    .ok());
    attrs += name;
    for (int a = 0; a < 40; ++a) attrs += (a == 0 ? i % 2 : (i * 7 + a) % 3 == 0) ? " 1" : " -1";
    attrs += "\n";
    parts += absl::StrCat(name, " ", i < 40 ? 0 : 2, "\n");
  }
  testing::WriteBytes(dir + "/list_attr_celeba.txt", attrs);
  testing::WriteBytes(dir + "/list_eval_partition.txt", parts);
  EvaluateConfig c;
  c.checkpoint = WriteModel(testing::FreshDir("evaluate_model2"), 3 * 8 * 8, 4);
  c.latent_dim = 4;
  c.data.name = "celeba";
  c.data.data_dir = dir;
  c.data.celeba.crop = 8;
  c.data.celeba.size = 8;
  c.neighbors_k = 3;
  ISOAE_ASSERT_OK_AND_ASSIGN(EvaluationReport r, RunEvaluation(c));
  const nlohmann::json j = nlohmann::json::parse(r.json);
  ASSERT_TRUE(j.contains("retrieval"));
  EXPECT_EQ(j["retrieval"]["single"]["queries"], 40);
  for (const char* k : {"P@1", "P@5", "P@10", "P@20"}) {
    const double p = j["retrieval"]["single"][k].get<double>();
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 1.0);
  }
  EXPECT_FALSE(j.contains("edge_ratio"));  // latent dimension 4
}

TEST(EvaluateTest, Errors) {
  const std::string data = WriteIdxCopy(40, 35);
  const std::string model = WriteModel(testing::FreshDir("evaluate_model3"), 784, 2);
  EvaluateConfig c = IdxConfig(data, model);
  c.latent_dim = 3;  // another architecture than the checkpoint's
  EXPECT_THAT(RunEvaluation(c), StatusIs(absl::StatusCode::kFailedPrecondition,
                                         HasSubstr("was written for config")));
  c = IdxConfig(data, data + "/none.pt");
  EXPECT_THAT(RunEvaluation(c), StatusIs(absl::StatusCode::kNotFound,
                                         AllOf(HasSubstr("none.pt"), HasSubstr("tools:train"))));
  c = IdxConfig(data, model);
  c.neighbors_k = 20;  // 35 test items
  EXPECT_THAT(RunEvaluation(c), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("--neighbors_k 20 for 35")));
  c = IdxConfig(data, model);
  c.arch = "resnet";
  EXPECT_THAT(RunEvaluation(c), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("--arch: architecture 'resnet'")));
  c = IdxConfig(data, model);
  c.arch = "l_cnn";  // 128x128 input, 28x28 items
  EXPECT_THAT(RunEvaluation(c), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("takes 16384 values per item")));
  c = IdxConfig(data, model);
  c.split = "holdout";
  EXPECT_THAT(RunEvaluation(c), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("--split 'holdout'")));
}

}  // namespace
}  // namespace isoae
