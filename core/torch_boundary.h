// The one place where LibTorch exceptions become absl::Status.
//
// LibTorch reports errors by throwing c10::Error (and, on some paths such as
// serialization and the JIT, plain std::runtime_error). Library functions of
// this project never let those escape: they run LibTorch work through
// TorchCall(), which converts
//   c10::Error / std::exception  ->  absl::StatusCode::kInternal by default,
//                                    or the code the caller names,
// with the message prefixed by `context` (what was being done) and stripped
// of LibTorch's C++ stack trace.
//
// Usage:
//   ISOAE_RETURN_IF_ERROR(TorchCall("decoder forward", [&] { y = f(x); }));
//   absl::StatusOr<at::Tensor> t = TorchCallOr<at::Tensor>("load", [&] {...});
//
// Argument validation still belongs before the call (kInvalidArgument with a
// message naming the argument); this boundary is the safety net for what
// LibTorch itself rejects.
#ifndef ISOAE_CORE_TORCH_BOUNDARY_H_
#define ISOAE_CORE_TORCH_BOUNDARY_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace isoae {

// Runs `fn`; any c10::Error or std::exception becomes a Status with `code`.
absl::Status TorchCall(absl::string_view context,
                       const std::function<void()>& fn,
                       absl::StatusCode code = absl::StatusCode::kInternal);

// As TorchCall, for a function that yields a value.
template <typename T, typename Fn>
absl::StatusOr<T> TorchCallOr(absl::string_view context, Fn&& fn,
                              absl::StatusCode code =
                                  absl::StatusCode::kInternal) {
  std::optional<T> out;
  absl::Status s = TorchCall(
      context, [&] { out.emplace(fn()); }, code);
  if (!s.ok()) return s;
  return std::move(*out);
}

// Stops LibTorch from capturing a C++ backtrace for every c10::Error it
// throws (tens of milliseconds each, symbolised, and dropped by TorchCall
// anyway): a corrupt checkpoint was rejected at 30 per second. The first
// TorchCall calls it. Idempotent.
void SkipTorchBacktraces();

// LibTorch messages end with a multi-line C++ backtrace; keeps the first
// meaningful line(s). Exposed for tests.
std::string StripTorchBacktrace(absl::string_view what);

}  // namespace isoae

#endif  // ISOAE_CORE_TORCH_BOUNDARY_H_
