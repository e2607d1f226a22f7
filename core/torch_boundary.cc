#include "core/torch_boundary.h"

#include <exception>
#include <string>

#include <c10/util/Exception.h>
#include <c10/util/Logging.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace isoae {

std::string StripTorchBacktrace(absl::string_view what) {
  // c10::Error::what() is "<msg>\nException raised from ... (most recent call
  // first):\nframe #0: ...". Keep everything before the backtrace marker.
  std::string out;
  for (absl::string_view line : absl::StrSplit(what, '\n')) {
    if (absl::StartsWith(line, "Exception raised from") ||
        absl::StartsWith(line, "frame #")) {
      break;
    }
    if (line.empty()) continue;
    if (!out.empty()) out += " ";
    out += std::string(line);
  }
  return out;
}

void SkipTorchBacktraces() {
  static const bool once = [] {
    c10::SetStackTraceFetcher([] { return std::string(); });
    return true;
  }();
  (void)once;
}

absl::Status TorchCall(absl::string_view context,
                       const std::function<void()>& fn,
                       absl::StatusCode code) {
  SkipTorchBacktraces();
  try {
    fn();
    return absl::OkStatus();
  } catch (const c10::Error& e) {
    return absl::Status(code, absl::StrCat(context, ": ",
                                           StripTorchBacktrace(e.msg())));
  } catch (const std::exception& e) {
    return absl::Status(code, absl::StrCat(context, ": ",
                                           StripTorchBacktrace(e.what())));
  }
}

}  // namespace isoae
