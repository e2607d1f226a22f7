// Layers that carry tangent directions next to their values (forward-mode
// Jacobian-vector products) and pull back cotangents (vector-Jacobian
// products), built from plain differentiable tensor operations.
//
// For a layer y = h(x) on a batch x [B, ...] with k tangent directions per
// sample T [B, k, ...], Forward({x, T}) returns {h(x), J_h(x)·T} with
// J_h(x)·T of shape [B, k, ...out]. Chained through a Sequential this gives
// J_f(x)·T for the whole network in a single pass (I-AE eq. 6 needs
// df(z)u; IRVAE eq. 10 needs J v). Because every step is an ordinary
// differentiable op, a loss of J·T backpropagates to the parameters with one
// reverse pass (no double-backward).
//
// Vjp(x, c) returns c·J_h(x) [B, ...in] for a cotangent c [B, ...out], again
// differentiable (I-AE eq. 7 needs u^T dg(x)); Sequential::Vjp chains it
// through the inputs recorded by ForwardRecording().
//
// Normalisation: BatchNorm is written with plain tensor ops, never LibTorch's
// native batch_norm kernel, whose parameter gradients are silently wrong for
// Jacobian losses in LibTorch 1.13 (measured for both double backward and
// forward-mode AD). Batch statistics couple the samples of a batch; in train
// mode the tangent convention is chosen by BatchNormTangent:
//   kPerSample  J_i = d y_i / d x_i with the batch mean/variance held fixed
//               (the per-example Jacobian; the only convention Vjp supports);
//   kFullBatch  the Jacobian of the whole batch map applied to the batch of
//               tangents, including the change of the statistics.
// In eval mode both coincide (running statistics are constants). Vjp in
// train mode uses the statistics of the layer's most recent Forward.
//
// Error contract: layers are LibTorch code; shape or dtype mismatches throw
// c10::Error. Library entry points validate shapes up front and run layers
// behind TorchCall (core/torch_boundary.h). Constructor arguments that make
// no sense (non-positive sizes) are programmer errors and CHECK-fail.
#ifndef ISOAE_CORE_TANGENT_LAYERS_H_
#define ISOAE_CORE_TANGENT_LAYERS_H_

#include <ATen/core/Tensor.h>
#include <c10/core/TensorOptions.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace isoae {

// A batch of values with (optionally) k tangent directions per sample.
struct Dual {
  at::Tensor value;    // [B, ...]
  at::Tensor tangent;  // [B, k, ...] or undefined (value-only pass)
};

struct NamedTensor {
  std::string name;
  at::Tensor tensor;
};

enum class BatchNormTangent { kPerSample, kFullBatch };

class Layer {
 public:
  virtual ~Layer() = default;
  // Short description, e.g. "Linear(2 -> 256)".
  virtual std::string Describe() const = 0;
  // Value and, when in.tangent is defined, the pushed-forward tangents.
  // Non-const: BatchNorm updates its running statistics in train mode.
  virtual Dual Forward(const Dual& in) = 0;
  // c·J_h(input) for cotangent c shaped like the output of Forward(input).
  virtual at::Tensor Vjp(const at::Tensor& input, const at::Tensor& c) = 0;
  virtual void AppendParameters(const std::string& prefix,
                                std::vector<NamedTensor>* out) {}
  virtual void AppendBuffers(const std::string& prefix,
                             std::vector<NamedTensor>* out) {}
  virtual void SetTraining(bool training) {}

  // A value-and-tangent pass that keeps on `saved` what VjpSaved needs to pull
  // a cotangent back at the same input, so a regulariser can form J^T(J v)
  // without a second forward pass (IRVAE eq. 10). By default the entry is the
  // layer's input; composite layers push one entry per sub-layer.
  virtual Dual ForwardSaving(const Dual& in, std::vector<at::Tensor>* saved);
  // c·J_h at the input of the matching ForwardSaving; pops what it pushed.
  // Calls must come in reverse order of the ForwardSaving calls (a stack).
  virtual at::Tensor VjpSaved(std::vector<at::Tensor>* saved, const at::Tensor& c);
};

// Parameters are initialised as PyTorch does by default (uniform in
// +-1/sqrt(fan_in)), from LibTorch's global generator (seed it first).
std::unique_ptr<Layer> MakeLinear(int64_t in, int64_t out, bool bias,
                                  const c10::TensorOptions& options);
// Spectral normalisation (Miyato et al. 2018; RAE-SN, Ghosh et al. 2020):
// y = (W / sigma(W)) x + b, sigma(W) = u^T W v estimated by power iteration
// (power_iterations steps per training-mode Forward, u and v kept as buffers
// "sn_u", "sn_v" from step to step; none in eval mode), with the gradient
// flowing through sigma as in torch.nn.utils.spectral_norm. Tangents and
// Vjp use the normalised weight of the layer's latest Forward.
std::unique_ptr<Layer> MakeSpectralNormLinear(int64_t in, int64_t out, bool bias,
                                              const c10::TensorOptions& options,
                                              int power_iterations = 1);

// What a Linear layer (either kind above) is; nullopt for any other layer.
struct LinearShape {
  int64_t in = 0;
  int64_t out = 0;
  bool spectral_norm = false;
  bool tied = false;
};
std::optional<LinearShape> LinearShapeOf(const Layer& layer);
// Whether `layer` is a Conv2d or ConvTranspose2d (either kind).
bool IsConvolution(const Layer& layer);

// A network that is a plain multilayer perceptron: Linear layers (neither
// spectrally normalised nor tied), each followed by at most one ReLU, Sigmoid
// or Tanh. core/fused_mlp evaluates such a network in one autograd node.
enum class MlpActivation { kNone, kReLU, kSigmoid, kTanh };
struct MlpLayerView {
  at::Tensor weight;  // [out, in], the layer's parameter itself
  at::Tensor bias;    // [out], or undefined
  MlpActivation activation = MlpActivation::kNone;
};
// The layers of `net` (a Sequential) when it is such a network; nullopt for
// any other layer or network (BatchNorm, Softplus, convolutions, ...).
std::optional<std::vector<MlpLayerView>> PlainMlpView(Layer& net);

// Weight tying (TCAE, Rifai et al. 2011a): `target`'s weight becomes
// `source`'s weight transposed, the same tensor, so both layers train it;
// `target` then lists only its bias as a parameter. Both must be Linear
// layers with mirrored shapes (source in -> out, target out -> in), neither
// already tied, target not spectrally normalised; false otherwise (nothing
// changed).
bool TieLinearTransposed(const Layer& source, Layer* target);

// Softplus(x) = log(1 + exp(beta x)) / beta, linear above beta x > threshold
// (as torch.nn.Softplus). The paper's FC layers use beta = 100.
std::unique_ptr<Layer> MakeSoftplus(double beta, double threshold = 20.0);
std::unique_ptr<Layer> MakeReLU();
std::unique_ptr<Layer> MakeSigmoid();
std::unique_ptr<Layer> MakeTanh();
std::unique_ptr<Layer> MakeELU(double alpha = 1.0);
// spatial_dims = 0: BatchNorm1d over [B, C]; 2: BatchNorm2d over [B, C, H, W].
std::unique_ptr<Layer> MakeBatchNorm(int64_t features, int spatial_dims,
                                     const c10::TensorOptions& options,
                                     BatchNormTangent mode =
                                         BatchNormTangent::kPerSample,
                                     double eps = 1e-5, double momentum = 0.1);
// spectral_norm_iterations > 0: the weight is spectrally normalised as in
// MakeSpectralNormLinear, seen as a matrix [out, in * k * k] (PyTorch's
// dim 0; a transposed convolution's [out, in * k * k] from its dim 1).
std::unique_ptr<Layer> MakeConv2d(int64_t in_channels, int64_t out_channels,
                                  int64_t kernel, int64_t stride,
                                  int64_t padding, bool bias,
                                  const c10::TensorOptions& options,
                                  int spectral_norm_iterations = 0);
std::unique_ptr<Layer> MakeConvTranspose2d(int64_t in_channels,
                                           int64_t out_channels,
                                           int64_t kernel, int64_t stride,
                                           int64_t padding,
                                           int64_t output_padding, bool bias,
                                           const c10::TensorOptions& options,
                                           int spectral_norm_iterations = 0);
// [B, d1, d2, ...] -> [B, d1*d2*...].
std::unique_ptr<Layer> MakeFlatten();
// [B, prod(shape)] -> [B, shape...].
std::unique_ptr<Layer> MakeUnflatten(std::vector<int64_t> shape);
// Zero padding of the last two (spatial) dimensions by `pad` on every side.
std::unique_ptr<Layer> MakeZeroPad2d(int64_t pad);
// Removes `crop` rows and columns on every side of the last two dimensions
// (the inverse of MakeZeroPad2d(crop) on its image).
std::unique_ptr<Layer> MakeCrop2d(int64_t crop);

// A chain of layers; the networks of both papers are Sequentials. A
// Sequential is itself a Layer, so chains nest (coupling layers hold networks)
// and every regulariser that takes a Layer takes a whole network.
class Sequential final : public Layer {
 public:
  Sequential();
  ~Sequential();
  Sequential(Sequential&&) noexcept;
  Sequential& operator=(Sequential&&) noexcept;

  void Add(std::unique_ptr<Layer> layer);
  size_t size() const { return layers_.size(); }
  Layer& layer(size_t i) { return *layers_[i]; }

  Dual Forward(const Dual& in) override;
  at::Tensor Forward(const at::Tensor& x);
  // Layer interface: records the inputs by a value pass, then chains VJPs.
  at::Tensor Vjp(const at::Tensor& input, const at::Tensor& c) override;
  Dual ForwardSaving(const Dual& in, std::vector<at::Tensor>* saved) override;
  at::Tensor VjpSaved(std::vector<at::Tensor>* saved, const at::Tensor& c) override;
  void AppendParameters(const std::string& prefix,
                        std::vector<NamedTensor>* out) override;
  void AppendBuffers(const std::string& prefix, std::vector<NamedTensor>* out) override;
  // Value pass that also stores each layer's input, for Vjp().
  at::Tensor ForwardRecording(const at::Tensor& x,
                              std::vector<at::Tensor>* layer_inputs);
  // c·J_f(x) from the inputs recorded by ForwardRecording(x).
  at::Tensor Vjp(const std::vector<at::Tensor>& layer_inputs,
                 const at::Tensor& c);

  // Names are "<layer index>.<name>", e.g. "0.weight", "1.running_mean".
  std::vector<NamedTensor> NamedParameters() const;
  std::vector<NamedTensor> NamedBuffers() const;
  std::vector<at::Tensor> Parameters() const;
  int64_t NumParameters() const;
  void SetTraining(bool training) override;
  bool training() const { return training_; }
  std::string Describe() const override;

 private:
  std::vector<std::unique_ptr<Layer>> layers_;
  bool training_ = true;
};

}  // namespace isoae

#endif  // ISOAE_CORE_TANGENT_LAYERS_H_
