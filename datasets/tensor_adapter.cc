#include "datasets/tensor_adapter.h"

#include "third_party/torch_light.h"

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"

namespace isoae {

namespace {
// [N, item_shape...]
std::vector<int64_t> TensorShape(const Dataset& d) {
  std::vector<int64_t> shape = {d.size()};
  shape.insert(shape.end(), d.item_shape.begin(), d.item_shape.end());
  return shape;
}
}  // namespace

absl::StatusOr<at::Tensor> DatasetTensor(const Dataset& d) {
  ISOAE_RETURN_IF_ERROR(ValidateDataset(d));
  const std::vector<int64_t> shape = TensorShape(d);
  if (d.storage == Storage::kUint8) {
    at::Tensor t = torch::empty(shape, torch::kUInt8);
    if (!d.pixels.empty()) {
      std::memcpy(t.data_ptr<uint8_t>(), d.pixels.data(), d.pixels.size());
    }
    return t;
  }
  at::Tensor t = torch::empty(shape, torch::kFloat32);
  if (!d.features.empty()) {
    std::memcpy(t.data_ptr<float>(), d.features.data(),
                d.features.size() * sizeof(float));
  }
  return t;
}

namespace {
template <typename T>
at::Tensor Adopt(std::vector<T>&& values, const std::vector<int64_t>& shape,
                 c10::ScalarType type) {
  auto* owner = new std::vector<T>(std::move(values));
  return torch::from_blob(
      owner->data(), shape, [owner](void*) { delete owner; },
      torch::TensorOptions().dtype(type));
}
}  // namespace

absl::StatusOr<at::Tensor> TakeDatasetTensor(Dataset&& d) {
  ISOAE_RETURN_IF_ERROR(ValidateDataset(d));
  const std::vector<int64_t> shape = TensorShape(d);
  at::Tensor t = d.storage == Storage::kUint8
                     ? Adopt(std::move(d.pixels), shape, torch::kUInt8)
                     : Adopt(std::move(d.features), shape, torch::kFloat32);
  d.pixels.clear();
  d.features.clear();
  return t;
}

at::Tensor BatchToFloat(const at::Tensor& batch) {
  if (batch.scalar_type() == torch::kUInt8) {
    return batch.to(torch::kFloat32).div_(255.0);
  }
  return batch;
}

at::Tensor BatchToFloat(const at::Tensor& batch, const c10::Device& device) {
  // Move the bytes first: 4x less to transfer.
  return BatchToFloat(batch.to(device));
}

absl::StatusOr<at::Tensor> LabelsTensor(const Dataset& d) {
  if (!d.has_labels()) {
    return absl::InvalidArgumentError(
        absl::StrCat("dataset '", d.name, "' has no labels"));
  }
  at::Tensor t = torch::empty({d.size()}, torch::kInt64);
  auto* p = t.data_ptr<int64_t>();
  for (int64_t i = 0; i < d.size(); ++i) p[i] = d.labels[i];
  return t;
}

absl::StatusOr<at::Tensor> AttributesTensor(const Dataset& d) {
  if (d.num_attributes() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("dataset '", d.name, "' has no attributes"));
  }
  at::Tensor t = torch::empty({d.size(), d.num_attributes()}, torch::kUInt8);
  if (!d.attributes.empty()) {
    std::memcpy(t.data_ptr<uint8_t>(), d.attributes.data(), d.attributes.size());
  }
  return t;
}

}  // namespace isoae
