// ConsolidationSettings: when and how much consolidation may evict, as plain values.
//
// config/ reads them from the scoring config's `consolidation:` section and validates them; the
// simulator (and later the extender's live loop) consume them. Every default is what a config
// that leaves the key out means (docs/scoring-config.md documents each). The defaults are
// cautious: consolidation is off, and when switched on it moves few pods, one node at a time, and
// only pods of default priority or below that have run for a while.
#pragma once

#include <cstdint>
#include <vector>

namespace epc {

// A daily window in UTC, [start, end) in minutes since midnight; end < start wraps past midnight.
struct QuietWindow {
  int32_t start_minute = 0;
  int32_t end_minute = 0;
  friend bool operator==(const QuietWindow&, const QuietWindow&) = default;

  bool contains(int64_t unix_seconds) const;
};

struct ConsolidationSettings {
  bool enabled = false;
  // The live loop plans, confirms and reports, and changes nothing (no taint, no eviction).
  bool dry_run = false;
  int64_t interval_seconds = 600;  // how often a plan is made
  int64_t max_evictions_per_run = 10;
  int64_t max_evictions_per_hour = 30;  // over any trailing hour
  int64_t max_draining_nodes = 1;       // nodes being emptied at once, across runs
  // Pods of a higher priority never move. 0, the priority of pods without a PriorityClass: an
  // owner who gave a workload a higher class said it matters more, so it moves only when the
  // operator raises the limit. System-critical pods never move whatever the limit
  // (eviction_eligibility.h).
  int32_t max_priority = 0;
  // Pods younger than this never move: a pod just placed is not moved again at once, and a
  // workload still starting up is not disturbed.
  int64_t min_pod_age_seconds = 600;
  std::vector<QuietWindow> quiet_hours;  // nothing is evicted inside any of them
  // How long a node emptied by a live run keeps its drain taint (drain_review.h), so that new pods
  // keep off it while an autoscaler removes it; it counts against max_draining_nodes meanwhile.
  int64_t drain_hold_seconds = 1800;

  bool quiet_at(int64_t unix_seconds) const;
};

}  // namespace epc
