#include "core/networks.h"

#include "third_party/torch_light.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/autoencoder.h"
#include "core/status_matchers.h"
#include "core/vjp.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);
// Relative to the largest entry; see tangent_layers_test for the reasoning.
constexpr double kJvpTol = 1e-9;

// J.T for tangents [B, k, ...] by autograd (core/vjp.h, itself checked against
// an explicit Jacobian), one direction at a time.
torch::Tensor AutogradJvp(Sequential& net, const torch::Tensor& x, const torch::Tensor& t) {
  std::vector<torch::Tensor> columns;
  for (int64_t j = 0; j < t.size(1); ++j) {
    absl::StatusOr<torch::Tensor> c =
        Jvp([&](const at::Tensor& v) { return net.Forward(v); }, x, t.select(1, j), false);
    EXPECT_TRUE(c.ok()) << c.status();
    columns.push_back(c->unsqueeze(1));
  }
  return torch::cat(columns, 1);
}

struct NetCase {
  std::string name;
  NetworkConfig config;
  std::vector<int64_t> expected_output;
};

std::vector<NetCase> Cases() {
  std::vector<NetCase> cases;
  auto add = [&](const std::string& name, const AutoencoderConfig& ae,
                 std::vector<int64_t> enc_out, std::vector<int64_t> dec_out,
                 double width) {
    NetCase e{name + "/encoder", ae.encoder, enc_out};
    NetCase d{name + "/decoder", ae.decoder, dec_out};
    e.config.width_multiplier = d.config.width_multiplier = width;
    cases.push_back(e);
    cases.push_back(d);
  };
  add("SurfacesMlp", SurfacesMlp(), {2}, {3}, 1.0 / 16);
  add("FcNn", FcNn(), {2}, {784}, 1.0 / 16);
  add("SCnn", SCnn(), {2}, {1, 28, 28}, 1.0 / 16);
  add("LCnn", LCnn(), {2}, {1, 128, 128}, 1.0 / 128);
  add("IrvaeFc", IrvaeFc(784, 2, 4), {4}, {784}, 1.0 / 16);
  add("IrvaeCmuFc", IrvaeCmuFc(50, 2, 4), {4}, {50}, 1.0 / 16);
  add("IrvaeCelebaCnn", IrvaeCelebaCnn(8, 16), {16}, {3, 64, 64}, 1.0 / 64);
  add("IrvaeCnn28", IrvaeImageCnn(784, 2, 4).value(), {4}, {1, 28, 28}, 1.0 / 16);
  add("IrvaeCnn32x3", IrvaeImageCnn(3072, 2, 4).value(), {4}, {3, 32, 32}, 1.0 / 16);
  return cases;
}

TEST(NetworksTest, PaperNetworksBuildAndTangentsMatchAutograd) {
  for (const NetCase& c : Cases()) {
    SCOPED_TRACE(c.name);
    torch::manual_seed(11);
    ISOAE_ASSERT_OK_AND_ASSIGN(BuiltNetwork built, BuildNetwork(c.config, kDouble));
    EXPECT_EQ(built.output_shape, c.expected_output);
    std::vector<int64_t> in = {3};
    in.insert(in.end(), c.config.input_shape.begin(), c.config.input_shape.end());
    torch::Tensor x = torch::randn(in, kDouble) * 0.5;
    // One train-mode pass so BatchNorm's running statistics are not trivial,
    // then eval mode, where samples are independent.
    built.net.Forward(x);
    built.net.SetTraining(false);
    std::vector<int64_t> tshape = {3, 2};
    tshape.insert(tshape.end(), c.config.input_shape.begin(), c.config.input_shape.end());
    torch::Tensor t = torch::randn(tshape, kDouble);
    Dual out = built.net.Forward(Dual{x, t});
    torch::Tensor ref = AutogradJvp(built.net, x, t);
    ASSERT_EQ(out.tangent.sizes(), ref.sizes());
    EXPECT_LT((out.tangent - ref).abs().max().item<double>(),
              kJvpTol * (1 + ref.abs().max().item<double>()));
  }
}

TEST(NetworksTest, FullBatchBatchNormTangentsMatchBatchJacobianInTrainMode) {
  torch::manual_seed(12);
  AutoencoderConfig ae = FcNn(6, 2);
  ae.decoder.width_multiplier = 1.0 / 64;
  ae.decoder.batchnorm_tangent = BatchNormTangent::kFullBatch;
  ISOAE_ASSERT_OK_AND_ASSIGN(BuiltNetwork built, BuildNetwork(ae.decoder, kDouble));
  torch::Tensor z = torch::randn({5, 2}, kDouble);
  torch::Tensor t = torch::randn({5, 3, 2}, kDouble);
  Dual out = built.net.Forward(Dual{z, t});
  torch::Tensor ref = AutogradJvp(built.net, z, t);
  EXPECT_LT((out.tangent - ref).abs().max().item<double>(), kJvpTol);
}

TEST(NetworksTest, SurfacesMlpMatchesPaperArchitecture) {
  AutoencoderConfig ae = SurfacesMlp();
  ISOAE_ASSERT_OK_AND_ASSIGN(BuiltNetwork enc, BuildNetwork(ae.encoder, kDouble));
  // 3*256+256 + 4*(256*256+256) + 256*2+2
  EXPECT_EQ(enc.net.NumParameters(), 1024 + 4 * 65792 + 514);
  EXPECT_THAT(enc.net.Describe(), HasSubstr("Softplus(beta=100)"));
}

TEST(NetworksTest, TiedSurfacesMlpSharesEveryDecoderWeight) {
  torch::manual_seed(0);
  AutoencoderConfig config = SurfacesMlp(3, 2, 32, 3);
  config.tied_weights = true;
  ISOAE_ASSERT_OK_AND_ASSIGN(Autoencoder ae, BuildAutoencoder(config, kDouble));
  // The decoder keeps only its biases: 32 * 3 + 3.
  EXPECT_EQ(ae.decoder.NumParameters(), 32 * 3 + 3);
  // Decoder Linear i applies the transpose of encoder Linear L-1-i.
  std::vector<NamedTensor> enc = ae.encoder.NamedParameters();
  torch::Tensor z = torch::randn({5, 2}, kDouble);
  // First decoder layer: 2 -> 32 with the last encoder layer's weight [2, 32].
  Dual first = ae.decoder.layer(0).Forward(Dual{z, {}});
  torch::Tensor w_last = enc[enc.size() - 2].tensor;  // "<i>.weight" of LIN 2
  ASSERT_EQ(w_last.sizes(), (std::vector<int64_t>{2, 32}));
  std::vector<NamedTensor> dec = ae.decoder.NamedParameters();
  EXPECT_LT((first.value - (torch::matmul(z, w_last) + dec[0].tensor)).abs().max().item<double>(),
            1e-12);
  // Tangents through the tied decoder still match autograd.
  torch::Tensor t = torch::randn({5, 2, 2}, kDouble);
  Dual out = ae.decoder.Forward(Dual{z, t});
  torch::Tensor ref = AutogradJvp(ae.decoder, z, t);
  EXPECT_LT((out.tangent - ref).abs().max().item<double>(), 1e-10);
}

TEST(NetworksTest, ArchitectureOptionsApplyOrAreRefusedByName) {
  AutoencoderConfig asym = SurfacesMlp(3, 2, 32, 3);
  asym.decoder.layers = {"FC 32", "LIN 3"};
  asym.tied_weights = true;
  EXPECT_THAT(BuildAutoencoder(asym, kDouble),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must mirror each other")));
  ISOAE_ASSERT_OK_AND_ASSIGN(AutoencoderConfig cnn, IrvaeImageCnn(784, 2));
  cnn.tied_weights = true;
  EXPECT_THAT(BuildAutoencoder(cnn, kDouble),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("convolution")));
  // Spectral normalisation applies to every weight layer, convolutions too.
  cnn.tied_weights = false;
  cnn.decoder.spectral_norm = true;
  ISOAE_ASSERT_OK_AND_ASSIGN(Autoencoder sn_ae, BuildAutoencoder(cnn, kDouble));
  EXPECT_THAT(sn_ae.decoder.Describe(), HasSubstr("SNConvTranspose2d("));
  EXPECT_THAT(sn_ae.encoder.Describe(), ::testing::Not(HasSubstr("SNConv")));
  // ApplyArchitectureOptions sets only what it is asked to.
  AutoencoderConfig c = SurfacesMlp();
  ArchitectureOptions sn;
  sn.decoder_spectral_norm = true;
  ApplyArchitectureOptions(sn, &c);
  EXPECT_TRUE(c.decoder.spectral_norm);
  EXPECT_FALSE(c.encoder.spectral_norm);
  EXPECT_FALSE(c.tied_weights);
}

TEST(NetworksTest, BadSpecsAreInvalidArgumentNamingTheLayer) {
  NetworkConfig c;
  c.input_shape = {4};
  c.layers = {"FC 8", "DENSE 3"};
  EXPECT_THAT(BuildNetwork(c, kDouble),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("layer 1 \"DENSE 3\": unknown layer kind")));
  c.layers = {"FC x"};
  EXPECT_THAT(BuildNetwork(c, kDouble),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not an integer")));
  c.layers = {"CONV 3,4,2"};
  EXPECT_THAT(BuildNetwork(c, kDouble),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("4 arguments")));
  c.layers = {"LIN 0"};
  EXPECT_THAT(BuildNetwork(c, kDouble),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("positive")));
  c.layers = {};
  EXPECT_THAT(BuildNetwork(c, kDouble),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no layers")));
  c.input_shape = {1, 28};
  c.layers = {"LIN 2"};
  EXPECT_THAT(BuildNetwork(c, kDouble),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("input_shape [1,28]")));
  // The S-CNN listing exactly as printed (no padding) cannot run on 28x28.
  c.input_shape = {1, 28, 28};
  c.layers = {"CONV_B 32,4,2,1", "CONV_B 64,4,2,1", "CONV_B 128,4,2,1",
              "CONV_B 256,4,2,0", "LIN 2"};
  EXPECT_THAT(BuildNetwork(c, kDouble),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("maps a 3x3 input to an empty output")));
  EXPECT_THAT(ParseActivation("swish"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("swish")));
}

}  // namespace
}  // namespace isoae

namespace isoae {
namespace {

TEST(NamedArchitectureTest, BuildsTheListedNetworksAndRejectsOthers) {
  for (const char* name :
       {"irvae_fc", "irvae_cmu_fc", "irvae_cnn", "irvae_celeba_cnn", "fc_nn", "s_cnn", "l_cnn",
        "iae_gen_cnn"}) {
    const int64_t data_dim = std::string(name) == "l_cnn"              ? 128 * 128
                             : std::string(name) == "irvae_celeba_cnn" ? 3 * 64 * 64
                                                                       : 784;
    absl::StatusOr<AutoencoderConfig> c = NamedArchitecture(name, data_dim, 2);
    ASSERT_TRUE(c.ok()) << name << ": " << c.status();
    absl::StatusOr<Autoencoder> ae = BuildAutoencoder(*c, torch::TensorOptions());
    ASSERT_TRUE(ae.ok()) << name << ": " << ae.status();
    EXPECT_EQ(ae->latent_dim, 2) << name;
  }
  // IRVAE D.2: two hidden layers of 512 (ReLU), tanh output for poses in [-1, 1].
  const AutoencoderConfig cmu = NamedArchitecture("irvae_cmu_fc", 50, 2, 4).value();
  EXPECT_EQ(cmu.decoder.layers, std::vector<std::string>({"FC 512", "FC 512", "LIN 50"}));
  EXPECT_EQ(cmu.encoder.layers, std::vector<std::string>({"FC 512", "FC 512", "LIN 4"}));
  EXPECT_EQ(cmu.decoder.output_activation, Activation::kTanh);
  EXPECT_EQ(cmu.decoder.hidden_activation, Activation::kReLU);
  EXPECT_THAT(std::string(NamedArchitecture("irvae_cnn", 50, 2).status().message()),
              ::testing::HasSubstr("got 50"));
  EXPECT_EQ(NamedArchitecture("irvae_fc", 50, 3)->encoder.input_shape,
            std::vector<int64_t>({50}));
  const absl::Status unknown = NamedArchitecture("resnet", 784, 2).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(unknown.message()), ::testing::HasSubstr("irvae_fc, irvae_cmu_fc, irvae_cnn, irvae_celeba_cnn, fc_nn"));
  EXPECT_EQ(NamedArchitecture("fc_nn", 784, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// I-AE Table 6 on its three datasets: the decoder returns the input's shape
// (MNIST through PAD 2 / CROP 2), the feature maps are the listing's, and a
// width multiplier scales the FC layer with the map it feeds.
TEST(NamedArchitectureTest, GeneralizationCnnMatchesTable6) {
  struct Case {
    int64_t data_dim;
    std::vector<int64_t> shape;
    int64_t map;
  };
  for (const Case& k : {Case{784, {1, 28, 28}, 4}, Case{3072, {3, 32, 32}, 4},
                        Case{12288, {3, 64, 64}, 8}}) {
    SCOPED_TRACE(k.data_dim);
    AutoencoderConfig c = NamedArchitecture("iae_gen_cnn", k.data_dim, 16).value();
    EXPECT_EQ(c.encoder.input_shape, k.shape);
    EXPECT_EQ(c.decoder.layers[0], absl::StrCat("FC ", 1024 * k.map * k.map));
    // Wider than the paper too: the 1-channel (3-channel) output stays so.
    AutoencoderConfig wide = c;
    wide.decoder.width_multiplier = 2;
    EXPECT_EQ(BuildNetwork(wide.decoder, torch::TensorOptions())->output_shape, k.shape);
    c.encoder.width_multiplier = c.decoder.width_multiplier = 1.0 / 16;
    absl::StatusOr<BuiltNetwork> enc = BuildNetwork(c.encoder, torch::TensorOptions());
    absl::StatusOr<BuiltNetwork> dec = BuildNetwork(c.decoder, torch::TensorOptions());
    ASSERT_TRUE(enc.ok()) << enc.status();
    ASSERT_TRUE(dec.ok()) << dec.status();
    EXPECT_EQ(enc->output_shape, std::vector<int64_t>({16}));
    EXPECT_EQ(dec->output_shape, k.shape);
    EXPECT_THAT(dec->net.Describe(),
                ::testing::HasSubstr(absl::StrCat("Unflatten(64x", k.map, "x", k.map, ")")));
    std::vector<int64_t> batch = {2};
    batch.insert(batch.end(), k.shape.begin(), k.shape.end());
    torch::NoGradGuard no_grad;
    EXPECT_EQ(dec->net.Forward(Dual{enc->net.Forward(Dual{torch::rand(batch), {}}).value, {}})
                  .value.sizes(),
              torch::IntArrayRef(batch));
  }
  EXPECT_THAT(std::string(NamedArchitecture("iae_gen_cnn", 1024, 16).status().message()),
              ::testing::HasSubstr("got 1024"));
}

TEST(BuildNetworkTest, UnflattenAndCropCheckTheirShapes) {
  NetworkConfig c;
  c.input_shape = {4};
  c.layers = {"FC 24", "UNFLATTEN 2,3,4", "CONVT 1,1,1,0", "CROP 1"};
  absl::StatusOr<BuiltNetwork> ok = BuildNetwork(c, torch::TensorOptions());
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->output_shape, std::vector<int64_t>({1, 1, 2}));
  // Shape-only layers after the output layer leave it unscaled, and a
  // scaled map is fed by a matching FC.
  c.width_multiplier = 0.5;
  ok = BuildNetwork(c, torch::TensorOptions());
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->output_shape, std::vector<int64_t>({1, 1, 2}));
  c.layers = {"FC 24", "UNFLATTEN 2,3,4"};
  ok = BuildNetwork(c, torch::TensorOptions());
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->output_shape, std::vector<int64_t>({2, 3, 4}));
  c.layers = {"FC 48", "UNFLATTEN 4,3,4", "CONVT 1,1,1,0"};
  ok = BuildNetwork(c, torch::TensorOptions());
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_THAT(ok->net.Describe(), HasSubstr("Unflatten(2x3x4)"));
  c.width_multiplier = 1;
  c.layers = {"FC 25", "UNFLATTEN 2,3,4"};
  EXPECT_THAT(BuildNetwork(c, torch::TensorOptions()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("has 25 outputs but the next layer")));
  c.layers = {"FC 24", "UNFLATTEN 2,3,4", "CROP 2"};
  EXPECT_THAT(BuildNetwork(c, torch::TensorOptions()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("CROP needs an image larger than 4x4")));
  c.layers = {"UNFLATTEN 2,3,4"};
  EXPECT_THAT(BuildNetwork(c, torch::TensorOptions()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("UNFLATTEN needs a vector of 24 values")));
  c.layers = {"UNFLATTEN 2,0,4"};
  EXPECT_THAT(BuildNetwork(c, torch::TensorOptions()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("sizes must be positive")));
}

}  // namespace
}  // namespace isoae
