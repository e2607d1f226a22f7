#include "core/flattened_model.h"

#include <ATen/ATen.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace isoae {

FlattenedModel::FlattenedModel(std::unique_ptr<Model> base, Flow flow)
    : base_(std::move(base)), flow_(std::move(flow)) {
  inverse_ = InverseOf(flow_);
  decoder_ = Compose(*inverse_, base_->DecoderMap());
  base_->SetTraining(false);
  // Frozen: no gradient is computed for the base (with the D.3 conv decoder
  // that is most of a step's backward pass).
  for (at::Tensor& p : base_->Parameters()) p.requires_grad_(false);
}

FlattenedModel::~FlattenedModel() = default;

std::vector<NamedTensor> FlattenedModel::State() const {
  std::vector<NamedTensor> out;
  for (auto& t : base_->State()) out.push_back({"base/" + t.name, t.tensor});
  // Listing hands out the tensors; it changes nothing.
  auto& f = const_cast<Flow&>(flow_);
  f.AppendParameters("flow/", &out);
  f.AppendBuffers("flow/", &out);
  return out;
}

void FlattenedModel::SetTraining(bool training) {
  base_->SetTraining(false);
  flow_.SetTraining(training);
}

std::string FlattenedModel::Fingerprint() const {
  return absl::StrCat("flattened[", base_->Fingerprint(), "] ", flow_.Describe());
}

at::Tensor FlattenedModel::BaseCodes(const at::Tensor& x) {
  at::NoGradGuard no_grad;
  return base_->Codes(x);
}

at::Tensor FlattenedModel::Codes(const at::Tensor& x) { return flow_.Forward(BaseCodes(x)); }

}  // namespace isoae
