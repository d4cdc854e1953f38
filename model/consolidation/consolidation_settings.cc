#include "model/consolidation/consolidation_settings.h"

#include <algorithm>

namespace epc {

bool QuietWindow::contains(int64_t unix_seconds) const {
  constexpr int64_t kDay = 24 * 60;
  const int64_t minute = ((unix_seconds / 60) % kDay + kDay) % kDay;
  if (start_minute <= end_minute) return minute >= start_minute && minute < end_minute;
  return minute >= start_minute || minute < end_minute;
}

bool ConsolidationSettings::quiet_at(int64_t unix_seconds) const {
  return std::any_of(quiet_hours.begin(), quiet_hours.end(),
                     [&](const QuietWindow& window) { return window.contains(unix_seconds); });
}

}  // namespace epc
