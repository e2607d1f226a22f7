#include "datasets/tensor_adapter.h"

#include "third_party/torch_light.h"

#include <cmath>
#include <iostream>

#include "core/autoencoder.h"
#include "core/networks.h"
#include "core/status_matchers.h"
#include "core/trainer.h"
#include "datasets/idx.h"
#include "datasets/testing/fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(TensorAdapterTest, Uint8ImagesStayBytesUntilABatchIsConverted) {
  Dataset d;
  d.name = "t";
  d.item_shape = {1, 1, 3};
  d.pixels = {0, 51, 255, 10, 20, 30};
  d.labels = {1, 0};
  d.class_names = {"a", "b"};
  ISOAE_ASSERT_OK_AND_ASSIGN(at::Tensor t, DatasetTensor(d));
  EXPECT_EQ(t.scalar_type(), torch::kUInt8);
  EXPECT_THAT(t.sizes().vec(), ElementsAre(2, 1, 1, 3));
  const at::Tensor f = BatchToFloat(t);
  EXPECT_EQ(f.scalar_type(), torch::kFloat32);
  EXPECT_FLOAT_EQ(f[0][0][0][1].item<float>(), 0.2f);
  EXPECT_FLOAT_EQ(f[0][0][0][2].item<float>(), 1.0f);
  EXPECT_EQ(t[1][0][0][2].item<int>(), 30);  // the source is untouched
  ISOAE_ASSERT_OK_AND_ASSIGN(at::Tensor labels, LabelsTensor(d));
  EXPECT_EQ(labels.scalar_type(), torch::kInt64);
  EXPECT_EQ(labels[0].item<int64_t>(), 1);
  EXPECT_THAT(AttributesTensor(d), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("no attributes")));
  d.labels.push_back(0);
  EXPECT_THAT(DatasetTensor(d), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("3 labels for 2 items")));
}

TEST(TensorAdapterTest, TakeDatasetTensorAdoptsTheBuffer) {
  Dataset d;
  d.name = "t";
  d.item_shape = {2};
  d.pixels = {1, 2, 3, 4, 5, 6};
  const void* buffer = d.pixels.data();
  ISOAE_ASSERT_OK_AND_ASSIGN(at::Tensor t, TakeDatasetTensor(std::move(d)));
  EXPECT_EQ(t.data_ptr(), buffer);
  EXPECT_THAT(t.sizes().vec(), ElementsAre(3, 2));
  EXPECT_EQ(t[2][1].item<int>(), 6);
  EXPECT_TRUE(d.pixels.empty());
  at::Tensor copy = t.clone();
  t = at::Tensor();  // frees the adopted buffer (ASan/valgrind would flag misuse)
  EXPECT_EQ(copy[1][0].item<int>(), 3);
}

TEST(TensorAdapterTest, FloatFeaturesPassThrough) {
  Dataset d;
  d.name = "f";
  d.storage = Storage::kFloat32;
  d.item_shape = {2};
  d.features = {-0.5f, 0.25f, 1.0f, 0.0f};
  d.attribute_names = {"x"};
  d.attributes = {1, 0};
  ISOAE_ASSERT_OK_AND_ASSIGN(at::Tensor t, DatasetTensor(d));
  EXPECT_EQ(t.scalar_type(), torch::kFloat32);
  EXPECT_FLOAT_EQ(BatchToFloat(t)[0][0].item<float>(), -0.5f);
  ISOAE_ASSERT_OK_AND_ASSIGN(at::Tensor a, AttributesTensor(d));
  EXPECT_THAT(a.sizes().vec(), ElementsAre(2, 1));
}

// The loaders feed the foundation's trainer: one epoch of a small AE on an
// IDX fixture of 8x8 images that lie on a 2-D family (two blob positions).
TEST(TensorAdapterTest, OneEpochAutoencoderOnAnIdxFixture) {
  torch::manual_seed(0);
  const int n = 200;
  std::vector<uint8_t> px, lab;
  for (int i = 0; i < n; ++i) {
    const double cx = 1 + 6.0 * (i % 20) / 19.0, cy = 1 + 6.0 * (i / 20) / 9.0;
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 8; ++x) {
        const double r2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
        px.push_back(static_cast<uint8_t>(std::lround(255 * std::exp(-r2 / 4))));
      }
    lab.push_back(static_cast<uint8_t>(i % 10));
  }
  const std::string dir = testing::FreshDir("adapter_idx");
  testing::WriteBytes(dir + "/train-images-idx3-ubyte.gz",
                      testing::Gzip(testing::IdxBytes({n, 8, 8}, px)));
  testing::WriteBytes(dir + "/train-labels-idx1-ubyte", testing::IdxBytes({n}, lab));
  ISOAE_ASSERT_OK_AND_ASSIGN(
      Dataset d, LoadMnistStyleDir(dir, false, "blobs/train", MnistClassNames(), "test"));
  ISOAE_ASSERT_OK_AND_ASSIGN(at::Tensor data, TakeDatasetTensor(std::move(d)));
  ASSERT_EQ(data.scalar_type(), torch::kUInt8);

  ISOAE_ASSERT_OK_AND_ASSIGN(
      Autoencoder ae, BuildAutoencoder(SymmetricMlp(64, 2, 64, 2),
                                       torch::TensorOptions().dtype(torch::kFloat32)));
  const auto loss = [&](const at::Tensor& batch) {
    const at::Tensor x = BatchToFloat(batch).reshape({batch.size(0), 64});
    const AeForward fw = RunAutoencoder(ae, x);
    const at::Tensor rec = ReconstructionLoss(x, fw.x_hat);
    return LossTerms{rec, {{"rec", rec}}};
  };
  const auto full_loss = [&] {
    torch::NoGradGuard g;
    return loss(data).total.item<double>();
  };
  const double before = full_loss();
  TrainConfig c;
  c.epochs = 1;
  c.batch_size = 20;
  c.learning_rate = 3e-3;
  c.quiet = true;
  ISOAE_ASSERT_OK_AND_ASSIGN(TrainHistory h,
                             Train(c, ae.Parameters(), ae.State(), data, loss));
  EXPECT_EQ(h.final_step, 10);
  const double after = full_loss();
  std::cout << "reconstruction loss " << before << " -> " << after << "\n";
  EXPECT_TRUE(std::isfinite(after));
  EXPECT_LT(after, 0.8 * before) << "before " << before << ", after " << after;
}

}  // namespace
}  // namespace isoae
