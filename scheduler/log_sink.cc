#include "scheduler/log_sink.h"

#include <unistd.h>

#include <string>

namespace epc {

LogSink stderr_log_sink() {
  return [](std::string_view line) {
    std::string text(line);
    text += '\n';
    // Best effort: a log line that cannot be written is not worth failing a request for.
    [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, text.data(), text.size());
  };
}

}  // namespace epc
