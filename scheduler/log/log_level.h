// LogLevel and LogFormat: how much the extender logs and in which shape, as chosen by
// `serve --log-level` and `--log-format`.
//
// Kept apart from the Logger so that the command line can parse and hold them without pulling in
// the writer. Parse errors list every accepted value, e.g.
// `must be one of debug, info, warning, error; got "x"` (the command line prefixes the flag).
#pragma once

#include <string_view>

#include "model/result.h"

namespace epc {

// Ordered: a logger at level L writes the lines of level L and above.
enum class LogLevel { kDebug, kInfo, kWarning, kError };

// kJson: one JSON object per line (for log collectors); kText: klog-style lines (for people).
enum class LogFormat { kJson, kText };

// "debug", "info", "warning", "error".
std::string_view to_string(LogLevel level);
// "json", "text".
std::string_view to_string(LogFormat format);

Result<LogLevel> parse_log_level(std::string_view text);
Result<LogFormat> parse_log_format(std::string_view text);

}  // namespace epc
