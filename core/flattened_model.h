// A trained model seen through an invertible map h of its latent space (the
// flattening module of IRVAE section 4.2, eq. 11): codes h(g(x)), decoder
// f o h^-1. Reconstructions are those of the base model, f(h^-1(h(g(x)))) =
// f(g(x)) up to float round-off; only the coordinates change.
//
// The base model is frozen: Parameters() lists only h's parameters (what the
// trainer optimises), the base's parameters stop requiring gradients, the
// base stays in eval mode, and BaseCodes() runs the base encoder without a
// graph. State() holds both, as "base/<base state>"
// and "flow/<i>.net.<j>.<name>", so a checkpoint restores the whole model.
// EncoderNet() is the base encoder g (the flattened code is h o g);
// regularisers that need the encoder's Jacobian refuse flattened models
// (core/method.h).
//
// Error contract: as core/model.h.
#ifndef ISOAE_CORE_FLATTENED_MODEL_H_
#define ISOAE_CORE_FLATTENED_MODEL_H_

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "core/invertible.h"
#include "core/model.h"

namespace isoae {

class FlattenedModel final : public Model {
 public:
  FlattenedModel(std::unique_ptr<Model> base, Flow flow);
  ~FlattenedModel() override;

  ModelKind Kind() const override { return ModelKind::kFlattened; }
  std::vector<at::Tensor> Parameters() const override { return flow_.Parameters(); }
  std::vector<NamedTensor> State() const override;
  void SetTraining(bool training) override;
  std::string Fingerprint() const override;
  const std::vector<int64_t>& DataShape() const override { return base_->DataShape(); }
  int64_t LatentDim() const override { return base_->LatentDim(); }
  int64_t EncoderOutDim() const override { return base_->EncoderOutDim(); }
  // h(g(x)).
  at::Tensor Codes(const at::Tensor& x) override;
  // f o h^-1.
  Layer& DecoderMap() override { return *decoder_; }
  Sequential& EncoderNet() override { return base_->EncoderNet(); }

  // g(x) of the frozen base, without a graph.
  at::Tensor BaseCodes(const at::Tensor& x);
  Model& base() { return *base_; }
  Flow& flow() { return flow_; }

 private:
  std::unique_ptr<Model> base_;
  Flow flow_;
  std::unique_ptr<Layer> inverse_;  // h^-1, a view of flow_
  std::unique_ptr<Layer> decoder_;  // f o h^-1
};

}  // namespace isoae

#endif  // ISOAE_CORE_FLATTENED_MODEL_H_
