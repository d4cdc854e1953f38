#include "scheduler/log/component_levels.h"

#include <cctype>

namespace epc {
namespace {

// The HTTP status at the start of `text` ("404 ..."), or 0.
int leading_status(std::string_view text) {
  if (text.size() < 3) return 0;
  int status = 0;
  for (size_t i = 0; i < 3; ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) return 0;
    status = status * 10 + (text[i] - '0');
  }
  if (text.size() > 3 && text[3] != ' ') return 0;
  return status;
}

}  // namespace

LogLevel http_line_level(std::string_view line) {
  // Request lines are "<METHOD> <path>: <what>"; the server's own lines name a URL instead.
  const size_t space = line.find(' ');
  const size_t colon = line.find(": ");
  if (space == std::string_view::npos || colon == std::string_view::npos || colon < space ||
      line.substr(space + 1).starts_with("http")) {
    return LogLevel::kWarning;
  }
  const std::string_view what = line.substr(colon + 2);
  if (what.starts_with("reply failed")) return LogLevel::kError;
  const int status = leading_status(what);
  // Not ready yet is what /readyz exists to say; kubelet asks every few seconds.
  if (status == 503 && line.substr(space + 1, colon - space - 1).ends_with("/readyz")) {
    return LogLevel::kInfo;
  }
  if (status >= 500) return LogLevel::kError;
  if (status >= 400) return LogLevel::kInfo;
  return LogLevel::kWarning;
}

LogLevel kube_line_level(std::string_view line) {
  if (line.starts_with("watching ")) return LogLevel::kInfo;
  const size_t colon = line.find(": ");
  if (colon != std::string_view::npos && line.substr(colon + 2).starts_with("listed ")) {
    return LogLevel::kInfo;
  }
  if (line.ends_with("; listing again") || line.ends_with("; listing again without paging")) {
    return LogLevel::kInfo;
  }
  return LogLevel::kWarning;
}

LogLevel config_line_level(std::string_view line) {
  return line.starts_with("scoring config reloaded") ? LogLevel::kInfo : LogLevel::kWarning;
}

}  // namespace epc
