// precompiled.in.h plus GoogleTest and GoogleMock, for the cc_tests that list
// //third_party:torch (//tools:cc.bzl force-includes the generated
// "third_party/precompiled_test.h" there instead).
#ifndef ISOAE_THIRD_PARTY_PRECOMPILED_TEST_H_
#define ISOAE_THIRD_PARTY_PRECOMPILED_TEST_H_

#include <Eigen/Dense>
#include <glog/logging.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "third_party/torch_light.h"

#endif  // ISOAE_THIRD_PARTY_PRECOMPILED_TEST_H_
