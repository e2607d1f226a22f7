// What this project uses of LibTorch's C++ frontend outside the optimiser,
// serialisation and TorchScript: tensors and their factories (torch::Tensor,
// torch::randn, torch::kFloat, ... = at::), NoGradGuard, manual_seed and
// torch::autograd::grad. <torch/torch.h> pulls in every module, optimiser
// and dataset of the frontend: ~28 s per translation unit on the 2-core
// machine against ~17 s for this. Include <torch/optim/...> next to it where
// an optimiser is needed.
//
// Precompiled with the project's other common headers: see precompiled.in.h.
#ifndef ISOAE_THIRD_PARTY_TORCH_LIGHT_H_
#define ISOAE_THIRD_PARTY_TORCH_LIGHT_H_

#include <torch/autograd.h>
#include <torch/types.h>
#include <torch/utils.h>

#endif  // ISOAE_THIRD_PARTY_TORCH_LIGHT_H_
