// Logger: the extender's structured logs, JSON lines or klog-style text, filtered by level.
//
// Built once in main from `--log-level` and `--log-format` and passed by value (a copy shares the
// writer and settings). Components that predate it keep their LogSink parameter: sink() adapts a
// logger to one, the component's line becoming the message. Each line reaches the writer as one
// string, and the default writer hands it to stderr in one write(2), so lines written by pool
// threads at once never interleave. Every string is scrubbed of credentials (secret_scrubber.h).
// Hot paths check enabled() first so that a disabled line costs no formatting.
#pragma once

#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string_view>

#include "scheduler/log/log_field.h"
#include "scheduler/log/log_level.h"
#include "scheduler/log_sink.h"

namespace epc {

// Receives one complete line, '\n' included. Called from many threads at once.
using LogWriter = std::function<void(std::string_view line)>;

// Writes each line to stderr with one write(2) (repeated only if the kernel takes part of it).
LogWriter stderr_log_writer();

struct LoggerOptions {
  LogLevel level = LogLevel::kInfo;
  LogFormat format = LogFormat::kJson;
  LogWriter writer = {};                                              // empty: stderr_log_writer()
  std::function<std::chrono::system_clock::time_point()> clock = {};  // empty: the system clock
};

class Logger {
 public:
  // Picks a line's level from its text, for components whose one LogSink carries lines of several
  // levels (see component_levels.h).
  using LevelOf = std::function<LogLevel(std::string_view line)>;

  Logger();  // info, JSON, stderr
  explicit Logger(LoggerOptions options);

  LogLevel level() const;
  bool enabled(LogLevel level) const { return level >= level_; }

  // One line unless `level` is below the logger's. Never throws: a line that cannot be formatted
  // or written is dropped rather than failing the caller.
  void log(LogLevel level, std::string_view component, std::string_view message,
           std::initializer_list<LogField> fields = {}) const noexcept;

  // A LogSink whose lines are logged at `level` under `component`.
  LogSink sink(LogLevel level, std::string_view component) const;
  // A LogSink whose lines are logged under `component` at the level `level_of` gives each.
  LogSink sink(std::string_view component, LevelOf level_of) const;

 private:
  struct Output;
  LogLevel level_;
  std::shared_ptr<const Output> output_;
};

}  // namespace epc
