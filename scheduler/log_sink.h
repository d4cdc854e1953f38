// LogSink: where the service writes its log lines (failed requests, state source events).
//
// A plain callable rather than a global logger, so tests capture the lines and the binary sends
// them to stderr. Sinks are called from many pool threads at once and must be thread-safe.
#pragma once

#include <functional>
#include <string_view>

namespace epc {

using LogSink = std::function<void(std::string_view line)>;

// Writes each line to stderr with one write(2), so concurrent lines do not interleave.
LogSink stderr_log_sink();

}  // namespace epc
