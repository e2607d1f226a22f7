// The headers most of the project's translation units parse, precompiled
// once (third_party/pch.bzl): LibTorch's tensors and autograd, Eigen, the
// Abseil status and string headers, glog. //tools:cc.bzl force-includes the
// generated "third_party/precompiled.h" in every target that lists
// //third_party:torch, so gcc loads the .gch instead of parsing these again.
// Code never includes this file itself: it includes what it uses, and the
// include guards make those includes free after the precompiled header.
#ifndef ISOAE_THIRD_PARTY_PRECOMPILED_H_
#define ISOAE_THIRD_PARTY_PRECOMPILED_H_

#include <Eigen/Dense>
#include <glog/logging.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "third_party/torch_light.h"

#endif  // ISOAE_THIRD_PARTY_PRECOMPILED_H_
