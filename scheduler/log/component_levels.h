// The level of each line that the older components write to their LogSink.
//
// The HTTP server, the Kubernetes API source and its reflectors, and the config watcher each log
// through one LogSink, with lines of different weight: a 400 caused by a bad request is routine,
// a 500 is not; a list that succeeded is news, a retry is a warning. Rather than change their
// interfaces, main adapts each sink with Logger::sink(component, level_of) and one of these, which
// read the shape every line of that component has (pinned by component_levels_test.cc).
#pragma once

#include <string_view>

#include "scheduler/log/log_level.h"

namespace epc {

// "POST /filter: 400 ..." info (the caller's mistake), and so is "GET /readyz: 503 ..." (not ready
// yet, routine at startup); other 5xx and "...: reply failed: ..." error; the server's own lines
// (stopping with replies outstanding, a failed close) warning.
LogLevel http_line_level(std::string_view line);

// "watching nodes and pods at ...", "pods: listed ...", "...; listing again" (an expired
// resourceVersion, routine) info; failures, retries and skipped objects warning.
LogLevel kube_line_level(std::string_view line);

// "scoring config reloaded from ..." info; a refused reload warning.
LogLevel config_line_level(std::string_view line);

}  // namespace epc
