#include "model/consolidation/run_limits.h"

#include <algorithm>
#include <cstdio>

namespace epc {
namespace {

std::string clock_text(int32_t minute) {
  char text[24];  // room for any int32, though a window's minutes are 0..1439
  std::snprintf(text, sizeof text, "%02d:%02d", minute / 60, minute % 60);
  return text;
}

}  // namespace

std::variant<ConsolidationLimits, RunSkipped> run_limits(const ConsolidationSettings& settings,
                                                         std::span<const int64_t> eviction_times,
                                                         size_t draining,
                                                         int64_t now_unix_seconds) {
  for (const QuietWindow& window : settings.quiet_hours) {
    if (window.contains(now_unix_seconds)) {
      return RunSkipped{"quiet hours (" + clock_text(window.start_minute) + "-" +
                        clock_text(window.end_minute) + " UTC)"};
    }
  }
  constexpr int64_t kHour = 3600;
  const auto last_hour = std::count_if(eviction_times.begin(), eviction_times.end(),
                                       [&](int64_t t) { return t > now_unix_seconds - kHour; });
  const int64_t hour_left = settings.max_evictions_per_hour - static_cast<int64_t>(last_hour);
  if (hour_left <= 0) {
    return RunSkipped{"the hour's eviction budget is spent (" + std::to_string(last_hour) + " of " +
                      std::to_string(settings.max_evictions_per_hour) + ")"};
  }
  const int64_t nodes_left = settings.max_draining_nodes - static_cast<int64_t>(draining);
  if (nodes_left <= 0) {
    return RunSkipped{std::to_string(draining) + " node(s) still draining (maxDrainingNodes " +
                      std::to_string(settings.max_draining_nodes) + ")"};
  }
  ConsolidationLimits limits;
  limits.max_evictions = static_cast<size_t>(std::min(settings.max_evictions_per_run, hour_left));
  limits.max_drained_nodes = static_cast<size_t>(nodes_left);
  limits.eviction = {settings.max_priority, settings.min_pod_age_seconds, now_unix_seconds};
  return limits;
}

}  // namespace epc
