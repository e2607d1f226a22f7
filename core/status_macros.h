// Status propagation macros for absl::Status / absl::StatusOr.
//
// Abseil 20220623 (Debian 12) ships no RETURN_IF_ERROR / ASSIGN_OR_RETURN, so
// the project defines its own, prefixed ISOAE_ to avoid clashing with other
// libraries that define the unprefixed names.
//
//   ISOAE_RETURN_IF_ERROR(expr);          // expr yields absl::Status
//   ISOAE_ASSIGN_OR_RETURN(lhs, expr);    // expr yields absl::StatusOr<T>
//
// Both return the failing status unchanged from the enclosing function, which
// must itself return absl::Status or absl::StatusOr<U>. No allocation on the
// success path. Header-only; no error of its own.
#ifndef ISOAE_CORE_STATUS_MACROS_H_
#define ISOAE_CORE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define ISOAE_STATUS_CONCAT_INNER_(a, b) a##b
#define ISOAE_STATUS_CONCAT_(a, b) ISOAE_STATUS_CONCAT_INNER_(a, b)

#define ISOAE_RETURN_IF_ERROR(expr)                 \
  do {                                              \
    ::absl::Status isoae_status_ = (expr);          \
    if (!isoae_status_.ok()) return isoae_status_;  \
  } while (false)

#define ISOAE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).status();     \
  lhs = std::move(tmp).value()

#define ISOAE_ASSIGN_OR_RETURN(lhs, expr) \
  ISOAE_ASSIGN_OR_RETURN_IMPL_(           \
      ISOAE_STATUS_CONCAT_(isoae_statusor_, __LINE__), lhs, expr)

#endif  // ISOAE_CORE_STATUS_MACROS_H_
