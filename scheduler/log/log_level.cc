#include "scheduler/log/log_level.h"

#include <array>
#include <string>

namespace epc {
namespace {

constexpr std::array kLevels = {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning,
                                LogLevel::kError};
constexpr std::array kFormats = {LogFormat::kJson, LogFormat::kText};

// Exact, case-sensitive match against the names, like every other value of the command line.
template <class Enum, size_t N>
Result<Enum> parse_named(const std::array<Enum, N>& values, std::string_view text) {
  std::string names;
  for (const Enum value : values) {
    if (to_string(value) == text) return value;
    if (!names.empty()) names += ", ";
    names += to_string(value);
  }
  return make_error("must be one of " + names + "; got \"" + std::string(text) + "\"");
}

}  // namespace

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "unknown";
}

std::string_view to_string(LogFormat format) {
  switch (format) {
    case LogFormat::kJson:
      return "json";
    case LogFormat::kText:
      return "text";
  }
  return "unknown";
}

Result<LogLevel> parse_log_level(std::string_view text) {
  return parse_named(kLevels, text);
}

Result<LogFormat> parse_log_format(std::string_view text) {
  return parse_named(kFormats, text);
}

}  // namespace epc
