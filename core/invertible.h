// Invertible tangent-carrying layers: the flattening module of IRVAE (Lee et
// al., ICLR 2022, section 4.2) is an invertible map h of the latent space,
// trained so that the decoder seen through it, f o h^-1, is closer to a
// scaled isometry. Both directions carry tangents and pull back cotangents
// (core/tangent_layers.h), so the regularisers and metrics that take a Layer
// take h^-1 (InverseOf) and f o h^-1 (Compose) unchanged.
//
//   InvertibleLayer   Forward / Vjp / ForwardSaving / VjpSaved are h;
//                     Inverse / InverseVjp / InverseSaving / InverseVjpSaved
//                     are h^-1; LogAbsDetJacobian(x) = log|det J_h(x)| [B].
//   AffineCoupling    Real NVP (Dinh, Sohl-Dickstein & Bengio, ICLR 2017):
//                     with a binary mask b and a conditioner network N,
//                       c = b*x,  [s~, t~] = N(c),  s = (1-b)*tanh(s~),
//                       t = (1-b)*t~,  h(x) = x*exp(s) + t,
//                       h^-1(y) = (y - t)*exp(-s)   (c = b*y is unchanged),
//                       log|det J_h| = sum(s).
//                     The tanh bounds each layer's log-scale to (-1, 1),
//                     which keeps an unregularised flow (beta = 0 in eq. 11)
//                     from diverging.
//   Flow              a chain of invertible layers, itself invertible.
//   MakeRealNvp       `depth` couplings with alternating even/odd masks, each
//                     conditioner Linear(m, H) act [Linear(H, H) act]^(L-1)
//                     Linear(H, 2m) (IRVAE D.1-D.3: depth 8, width 512). The
//                     last layer starts at zero, so h starts as the identity
//                     and flattening starts from the trained latent space.
//
// Error contract: as core/tangent_layers.h (LibTorch code, c10::Error on
// shape misuse; nonsensical constructor arguments CHECK-fail). MakeRealNvp
// validates its options and returns kInvalidArgument naming the field.
#ifndef ISOAE_CORE_INVERTIBLE_H_
#define ISOAE_CORE_INVERTIBLE_H_

#include <ATen/core/Tensor.h>
#include <c10/core/TensorOptions.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/tangent_layers.h"

namespace isoae {

class InvertibleLayer : public Layer {
 public:
  // {h^-1(y), J_{h^-1}(y) T}.
  virtual Dual Inverse(const Dual& in) = 0;
  // c J_{h^-1}(y).
  virtual at::Tensor InverseVjp(const at::Tensor& y, const at::Tensor& c) = 0;
  // As Layer::ForwardSaving / VjpSaved, for h^-1. By default the entry is y.
  virtual Dual InverseSaving(const Dual& in, std::vector<at::Tensor>* saved);
  virtual at::Tensor InverseVjpSaved(std::vector<at::Tensor>* saved, const at::Tensor& c);
  // log|det dh/dx| per sample, [B].
  virtual at::Tensor LogAbsDetJacobian(const at::Tensor& x) = 0;
};

// mask: [m] of 0/1 (the coordinates that pass through unchanged and condition
// the others); conditioner: R^m -> R^{2m} (log-scale half, then shift half).
std::unique_ptr<InvertibleLayer> MakeAffineCoupling(const at::Tensor& mask,
                                                    Sequential conditioner);

class Flow final : public InvertibleLayer {
 public:
  Flow();
  ~Flow();
  Flow(Flow&&) noexcept;
  Flow& operator=(Flow&&) noexcept;

  void Add(std::unique_ptr<InvertibleLayer> layer);
  size_t size() const { return layers_.size(); }
  InvertibleLayer& layer(size_t i) { return *layers_[i]; }

  std::string Describe() const override;
  Dual Forward(const Dual& in) override;
  at::Tensor Forward(const at::Tensor& x) { return Forward(Dual{x, at::Tensor()}).value; }
  at::Tensor Vjp(const at::Tensor& x, const at::Tensor& c) override;
  Dual ForwardSaving(const Dual& in, std::vector<at::Tensor>* saved) override;
  at::Tensor VjpSaved(std::vector<at::Tensor>* saved, const at::Tensor& c) override;
  Dual Inverse(const Dual& in) override;
  at::Tensor Inverse(const at::Tensor& y) { return Inverse(Dual{y, at::Tensor()}).value; }
  at::Tensor InverseVjp(const at::Tensor& y, const at::Tensor& c) override;
  Dual InverseSaving(const Dual& in, std::vector<at::Tensor>* saved) override;
  at::Tensor InverseVjpSaved(std::vector<at::Tensor>* saved, const at::Tensor& c) override;
  at::Tensor LogAbsDetJacobian(const at::Tensor& x) override;
  void AppendParameters(const std::string& prefix, std::vector<NamedTensor>* out) override;
  void AppendBuffers(const std::string& prefix, std::vector<NamedTensor>* out) override;
  void SetTraining(bool training) override;

  std::vector<NamedTensor> NamedParameters() const;
  std::vector<at::Tensor> Parameters() const;

 private:
  std::vector<std::unique_ptr<InvertibleLayer>> layers_;
};

struct RealNvpOptions {
  int64_t depth = 8;           // coupling layers
  int64_t hidden = 512;        // conditioner width
  int64_t hidden_layers = 2;   // conditioner hidden layers
  std::string activation = "relu";  // relu | tanh | elu
};
absl::StatusOr<Flow> MakeRealNvp(int64_t dim, const RealNvpOptions& options,
                                 const c10::TensorOptions& tensor_options);

// h^-1 as a Layer (a view: owns nothing, lists h's parameters and buffers;
// h must outlive it). SetTraining on a view changes nothing.
std::unique_ptr<Layer> InverseOf(InvertibleLayer& h);
// second o first as a Layer (a view over both, listing their parameters as
// "first.*" and "second.*"; they must outlive it).
std::unique_ptr<Layer> Compose(Layer& first, Layer& second);

}  // namespace isoae

#endif  // ISOAE_CORE_INVERTIBLE_H_
