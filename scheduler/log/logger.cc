#include "scheduler/log/logger.h"

#include <unistd.h>

#include <cerrno>
#include <span>
#include <string>
#include <utility>

#include "scheduler/log/log_line.h"

namespace epc {

struct Logger::Output {
  LogFormat format;
  LogWriter writer;
  std::function<std::chrono::system_clock::time_point()> clock;
  int pid;
};

LogWriter stderr_log_writer() {
  return [](std::string_view line) {
    while (!line.empty()) {
      const ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
      if (written < 0 && errno == EINTR) continue;
      // Best effort: a log line that cannot be written is not worth failing a request for.
      if (written <= 0) return;
      line.remove_prefix(static_cast<size_t>(written));
    }
  };
}

Logger::Logger() : Logger(LoggerOptions{}) {}

Logger::Logger(LoggerOptions options)
    : level_(options.level),
      output_(std::make_shared<const Output>(
          Output{.format = options.format,
                 .writer = options.writer ? std::move(options.writer) : stderr_log_writer(),
                 .clock = options.clock ? std::move(options.clock)
                                        : [] { return std::chrono::system_clock::now(); },
                 .pid = static_cast<int>(::getpid())})) {}

LogLevel Logger::level() const {
  return level_;
}

void Logger::log(LogLevel level, std::string_view component, std::string_view message,
                 std::initializer_list<LogField> fields) const noexcept {
  if (!enabled(level)) return;
  try {
    const LogRecord record{.time = output_->clock(),
                           .level = level,
                           .component = component,
                           .message = message,
                           .fields = std::span<const LogField>(fields.begin(), fields.size()),
                           .pid = output_->pid};
    output_->writer(format_log_line(output_->format, record));
  } catch (...) {
    // Dropped: see the header.
  }
}

LogSink Logger::sink(LogLevel level, std::string_view component) const {
  return [logger = *this, level, component = std::string(component)](std::string_view line) {
    logger.log(level, component, line);
  };
}

LogSink Logger::sink(std::string_view component, LevelOf level_of) const {
  return [logger = *this, level_of = std::move(level_of), component = std::string(component)](
             std::string_view line) { logger.log(level_of(line), component, line); };
}

}  // namespace epc
