// GoogleTest matchers for absl::Status / absl::StatusOr (testonly).
//
// Abseil 20220623 has no status matchers. These cover what the tests need:
//
//   EXPECT_THAT(status, ::isoae::testing::IsOk());
//   EXPECT_THAT(status_or, ::isoae::testing::StatusIs(
//       absl::StatusCode::kInvalidArgument, HasSubstr("batch")));
//   ISOAE_ASSERT_OK(expr);            // works for Status and StatusOr
//   ISOAE_ASSERT_OK_AND_ASSIGN(lhs, expr);
#ifndef ISOAE_CORE_STATUS_MATCHERS_H_
#define ISOAE_CORE_STATUS_MATCHERS_H_

#include <ostream>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = ::isoae::testing::GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s;
  return s.ok();
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has code " + ::testing::PrintToString(code)) {
  const absl::Status& s = ::isoae::testing::GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code &&
         ::testing::ExplainMatchResult(message_matcher,
                                       std::string(s.message()),
                                       result_listener);
}

}  // namespace isoae::testing

#define ISOAE_ASSERT_OK(expr) \
  ASSERT_THAT((expr), ::isoae::testing::IsOk())
#define ISOAE_EXPECT_OK(expr) \
  EXPECT_THAT((expr), ::isoae::testing::IsOk())

#define ISOAE_ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                     \
  ASSERT_THAT(tmp, ::isoae::testing::IsOk());            \
  lhs = std::move(tmp).value()
#define ISOAE_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ISOAE_ASSERT_OK_AND_ASSIGN_IMPL_(           \
      ISOAE_STATUS_CONCAT_(isoae_assert_or_, __LINE__), lhs, expr)

#endif  // ISOAE_CORE_STATUS_MATCHERS_H_
