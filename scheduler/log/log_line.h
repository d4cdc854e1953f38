// The text of one log line in either format, from what a log call carries.
//
// JSON:
// `{"ts":"2026-11-28T22:33:01.123456Z","level":"info","component":"http","msg":"...",<fields>}`,
// always valid JSON in valid UTF-8 (control characters escaped, invalid UTF-8 replaced by U+FFFD),
// so a collector can parse every line whatever a message echoes. Non-finite numbers become null.
//
// Text, after klog's header: `I1128 22:33:01.123456   12345 http] "msg" key="value" n=3`: the level
// letter (D debug, I info, W warning, E error: klog has no debug letter, and a distinct one lets
// `grep '^D'` pick out the decision lines), month and day, time with microseconds, the process id
// padded to 7, the component where klog has file:line, then the message and the fields quoted as
// klog's structured lines quote them (Go-style escapes, invalid UTF-8 as U+FFFD).
//
// Both formats use UTC. Every string is passed through scrub_secrets first.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "scheduler/log/log_field.h"
#include "scheduler/log/log_level.h"

namespace epc {

struct LogRecord {
  std::chrono::system_clock::time_point time;
  LogLevel level = LogLevel::kInfo;
  std::string_view component;
  std::string_view message;
  std::span<const LogField> fields;
  int pid = 0;
};

// The line, ending in '\n'.
std::string format_log_line(LogFormat format, const LogRecord& record);

}  // namespace epc
