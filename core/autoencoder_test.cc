#include "core/autoencoder.h"

#include "third_party/torch_light.h"

#include <cmath>

#include "core/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);

TEST(AutoencoderTest, ReconstructionLossIsMeanSquaredNorm) {
  torch::Tensor x = torch::tensor({{0.0, 0.0}, {1.0, 1.0}}, kDouble);
  torch::Tensor y = torch::tensor({{3.0, 4.0}, {1.0, 1.0}}, kDouble);
  // (25 + 0) / 2: summed over dimensions, averaged over the batch (eq. 1).
  EXPECT_DOUBLE_EQ(ReconstructionLoss(x, y).item<double>(), 12.5);
}

TEST(AutoencoderTest, EncodeDecodeShapesAndChunking) {
  torch::manual_seed(31);
  AutoencoderConfig c = SurfacesMlp(3, 2);
  c.encoder.width_multiplier = c.decoder.width_multiplier = 1.0 / 16;
  ISOAE_ASSERT_OK_AND_ASSIGN(Autoencoder ae, BuildAutoencoder(c, kDouble));
  EXPECT_EQ(ae.latent_dim, 2);
  torch::Tensor x = torch::randn({10, 3}, kDouble);
  ISOAE_ASSERT_OK_AND_ASSIGN(torch::Tensor z, Encode(ae, x, /*batch=*/3));
  EXPECT_EQ(z.sizes(), (std::vector<int64_t>{10, 2}));
  EXPECT_TRUE(torch::allclose(z, ae.encoder.Forward(x)));
  ISOAE_ASSERT_OK_AND_ASSIGN(torch::Tensor xr, Decode(ae, z, 4));
  EXPECT_EQ(xr.sizes(), x.sizes());
  EXPECT_EQ(ae.State().size(), ae.Parameters().size());  // no BatchNorm buffers here
  EXPECT_THAT(ae.Fingerprint(), HasSubstr("latent 2"));
}

TEST(AutoencoderTest, BadInputsAreInvalidArgument) {
  AutoencoderConfig c = SurfacesMlp(3, 2);
  ISOAE_ASSERT_OK_AND_ASSIGN(Autoencoder ae, BuildAutoencoder(c, kDouble));
  EXPECT_THAT(Encode(ae, torch::zeros({4, 5}, kDouble)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("shape [4,5], expected [B,3]")));
  EXPECT_THAT(Encode(ae, torch::zeros({4, 3}, torch::kInt64)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("floating point")));
  torch::Tensor nan = torch::zeros({4, 3}, kDouble);
  nan[1][2] = std::nan("");
  EXPECT_THAT(Encode(ae, nan),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NaN")));
  EXPECT_THAT(Decode(ae, torch::zeros({4, 3}, kDouble)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("codes to decode")));
  EXPECT_THAT(Encode(ae, torch::zeros({4, 3}, kDouble), 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batch")));
  AutoencoderConfig bad = c;
  bad.decoder.input_shape = {3};
  EXPECT_THAT(BuildAutoencoder(bad, kDouble),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("decoder input [3] does not match encoder output [2]")));
  bad = c;
  bad.decoder.layers.back() = "LIN 4";
  EXPECT_THAT(BuildAutoencoder(bad, kDouble),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("decoder output [4] does not match encoder input [3]")));
}

}  // namespace
}  // namespace isoae
