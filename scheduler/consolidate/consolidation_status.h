// ConsolidationStatus: what the live consolidation loop has done, as plain values for /metrics and
// /status.
//
// The loop acts on its own schedule, away from any request, so an operator needs a place to see
// whether it runs at all, which replica acts, what it planned and what the API server let it do.
// The observability room reads this at scrape time; it knows nothing of the loop itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace epc {

struct ConsolidationStatus {
  bool enabled = false;      // consolidation.enabled in the config in force
  bool dry_run = false;      // consolidation.dryRun: plans are made and shown, nothing is changed
  bool leader = false;       // this replica holds the lease and may act
  std::string role;          // "leader", "standby: <holder> holds the lease", "disabled", ...
  std::string last_run_at;   // RFC 3339; empty before the first run
  std::string last_outcome;  // one line: what the last run did or why it did nothing
  std::vector<std::string> draining;   // nodes draining as of the last run
  std::vector<std::string> last_plan;  // one line per node the last confirmed plan drains

  uint64_t runs_completed = 0;     // runs that made a plan and carried out what it allowed
  uint64_t runs_skipped = 0;       // quiet hours, budgets, not the leader
  uint64_t runs_failed = 0;        // an API error or a refusal stopped the run
  uint64_t planned_evictions = 0;  // in confirmed plans, dry runs included
  uint64_t evictions = 0;          // the API server evicted (or the pod was gone already)
  uint64_t evictions_refused = 0;  // 429: a PodDisruptionBudget said no
  uint64_t evictions_failed = 0;   // any other answer, or none
  uint64_t drains_started = 0;     // nodes tainted
  uint64_t drains_ended = 0;       // drain taints removed
};

}  // namespace epc
