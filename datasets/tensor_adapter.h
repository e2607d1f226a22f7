// Datasets as LibTorch tensors. Images stay uint8 until a batch is used:
// train on DatasetTensor(d) (uint8, [N, C, H, W], no float copy of the whole
// set) and convert each batch with BatchToFloat inside the loss.
//
//   DatasetTensor(d)   [N, item_shape...], uint8 for images, float32 for
//                      feature vectors (a copy of the dataset's storage).
//   TakeDatasetTensor(std::move(d))   the same without a copy: the tensor
//                      takes over the dataset's buffer (CelebA's 2.4 GB is
//                      not duplicated); `d` is left empty.
//   BatchToFloat(b)    uint8 -> float32 in [0, 1] (value / 255); float
//                      batches pass through; moved to `device` if given.
//   LabelsTensor(d)    int64 [N]; kInvalidArgument if d has no labels.
//   AttributesTensor(d) uint8 [N, A]; kInvalidArgument if d has none.
//
// Errors: kInvalidArgument for an inconsistent dataset (ValidateDataset).
#ifndef ISOAE_DATASETS_TENSOR_ADAPTER_H_
#define ISOAE_DATASETS_TENSOR_ADAPTER_H_

#include <ATen/core/Tensor.h>

#include "absl/status/statusor.h"
#include "datasets/dataset.h"

namespace isoae {

absl::StatusOr<at::Tensor> DatasetTensor(const Dataset& d);
absl::StatusOr<at::Tensor> TakeDatasetTensor(Dataset&& d);
at::Tensor BatchToFloat(const at::Tensor& batch);
at::Tensor BatchToFloat(const at::Tensor& batch, const c10::Device& device);
absl::StatusOr<at::Tensor> LabelsTensor(const Dataset& d);
absl::StatusOr<at::Tensor> AttributesTensor(const Dataset& d);

}  // namespace isoae

#endif  // ISOAE_DATASETS_TENSOR_ADAPTER_H_
