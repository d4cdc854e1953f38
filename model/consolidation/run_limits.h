// run_limits: what one consolidation run may do now, from the config's budgets and the evictions
// already made.
//
// The simulator's runs and the extender's (the live loop, and `consolidate`, which only plans) must
// spend the same budgets the same way, or the simulator would promise packing the extender never
// delivers: quiet hours stop a run, the per-run and per-hour eviction budgets bound its
// evictions, and nodes already draining count against maxDrainingNodes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>

#include "model/consolidation/consolidation_settings.h"
#include "model/consolidation/planner.h"

namespace epc {

// Why a run does nothing at all, for logs, metrics and the plan's report.
struct RunSkipped {
  std::string reason;  // e.g. "quiet hours (02:00-06:00 UTC)"
};

// `eviction_times` are the Unix seconds of earlier evictions (any order; those older than an hour
// are ignored); `draining` is how many nodes are still being emptied by earlier runs.
std::variant<ConsolidationLimits, RunSkipped> run_limits(const ConsolidationSettings& settings,
                                                         std::span<const int64_t> eviction_times,
                                                         size_t draining, int64_t now_unix_seconds);

}  // namespace epc
