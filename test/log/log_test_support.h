// A Logger whose lines are kept in memory, with a fixed clock, for the log tests.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "scheduler/log/logger.h"

namespace epc::test {

// 2026-11-28T22:33:01.123456Z.
inline std::chrono::system_clock::time_point fixed_time() {
  using namespace std::chrono;
  return sys_days{year{2026} / November / 28} + hours{22} + minutes{33} + seconds{1} +
         microseconds{123456};
}

class CapturedLog {
 public:
  Logger logger(LogLevel level, LogFormat format = LogFormat::kJson) const {
    return Logger({.level = level,
                   .format = format,
                   .writer =
                       [lines = lines_](std::string_view line) {
                         std::lock_guard lock(lines->mutex);
                         lines->written.emplace_back(line);
                       },
                   .clock = fixed_time});
  }
  // Each writer call's text, '\n' included.
  std::vector<std::string> lines() const {
    std::lock_guard lock(lines_->mutex);
    return lines_->written;
  }

 private:
  struct Lines {
    std::mutex mutex;
    std::vector<std::string> written;
  };
  std::shared_ptr<Lines> lines_ = std::make_shared<Lines>();
};

}  // namespace epc::test
