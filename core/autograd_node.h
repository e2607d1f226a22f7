// Helpers for the project's hand-written autograd nodes (core/fused_mlp.cc,
// core/vae.cc): one torch::autograd::Node runs a whole chain of operations
// forward and its derivative backward, instead of one graph node per
// operation. Internal to those translation units: it includes LibTorch's
// autograd internals, so no public header includes it.
#ifndef ISOAE_CORE_AUTOGRAD_NODE_H_
#define ISOAE_CORE_AUTOGRAD_NODE_H_

#include <ATen/ATen.h>
#include <ATen/core/LegacyTypeDispatch.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/utils.h>
#include <torch/csrc/autograd/variable.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace isoae {
namespace autograd_node {

// The gradient edge of an input: an empty edge when it needs no gradient.
inline torch::autograd::Edge EdgeOf(const at::Tensor& t) {
  return t.defined() && t.requires_grad() ? torch::autograd::impl::gradient_edge(t)
                                          : torch::autograd::Edge();
}

inline torch::autograd::edge_list Edges(const std::vector<at::Tensor>& inputs) {
  torch::autograd::edge_list e;
  e.reserve(inputs.size());
  for (const at::Tensor& t : inputs) e.push_back(EdgeOf(t));
  return e;
}

// Whether a node is needed: grad mode on and some input requires a gradient.
inline bool AnyRequiresGrad(const std::vector<at::Tensor>& inputs) {
  if (!at::GradMode::is_enabled()) return false;
  for (const at::Tensor& t : inputs) {
    if (t.defined() && t.requires_grad()) return true;
  }
  return false;
}

template <typename NodeT>
std::shared_ptr<NodeT> MakeNode() {
  return std::shared_ptr<NodeT>(new NodeT(), torch::autograd::deleteNode);
}

// A node keeps aliases of its own outputs (no autograd metadata, so no
// reference cycle through them) and refuses to run if they were modified in
// place after the forward.
struct SavedOutput {
  at::Tensor alias;
  uint32_t version = 0;
  void Save(const at::Tensor& t) {
    alias = t.detach();
    version = alias._version();
  }
  void Check(const char* what) const {
    TORCH_CHECK(!alias.defined() || alias._version() == version, what,
                ": an output of the fused autograd node was modified in place before the "
                "backward");
  }
};

// Inputs a node reads in its backward (layer inputs, weights), with their
// versions at the forward: modified in place before the backward (an
// optimizer step, x.add_(1)), they would give wrong gradients silently;
// LibTorch's own nodes refuse that, and so do these.
class SavedInputs {
 public:
  void Add(const at::Tensor& t) {
    if (t.defined()) saved_.push_back({t, t._version()});
  }
  void Check(const char* what) const {
    for (const auto& [t, version] : saved_) {
      TORCH_CHECK(t._version() == version, what,
                  ": a tensor this fused autograd node reads in its backward (an input or "
                  "weight) was modified in place after the forward");
    }
  }
  void Clear() { saved_.clear(); }

 private:
  std::vector<std::pair<at::Tensor, uint32_t>> saved_;
};

// The backward of these nodes is not itself differentiable.
inline void CheckNotDoubleBackward(const char* what) {
  TORCH_CHECK(!at::GradMode::is_enabled(), what,
              ": the fused backward is not differentiable (create_graph / double backward)");
}

}  // namespace autograd_node
}  // namespace isoae

#endif  // ISOAE_CORE_AUTOGRAD_NODE_H_
