#include "model/consolidation/drain_taint.h"

#include <charconv>

namespace epc {

std::string drain_taint_value(int64_t unix_seconds) {
  return std::to_string(unix_seconds);
}

int64_t drain_started_at(std::string_view taint_value) {
  int64_t seconds = 0;
  const char* const end = taint_value.data() + taint_value.size();
  const auto [ptr, error] = std::from_chars(taint_value.data(), end, seconds);
  if (error != std::errc() || ptr != end || taint_value.empty() || seconds < 0) return 0;
  return seconds;
}

}  // namespace epc
