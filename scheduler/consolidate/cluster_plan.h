// plan_cluster: a consolidation plan for a cluster read as Kubernetes objects.
//
// The planner (model/consolidation/planner.h) reads node records with the EPC committed on each and
// the pods bound there. This builds them the way `serve` does, through the EpcLedger, so a node
// counts exactly the EPC the extender's filter would count, then spends the config's per-run
// budgets (model/consolidation/run_limits.h) and replays the plan before anyone sees it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/scoring_config.h"
#include "model/consolidation/consolidation_plan.h"
#include "model/result.h"
#include "scheduler/state/cluster_objects.h"

namespace epc {

struct ClusterPlan {
  ConsolidationPlan plan;
  // Set when a live run would do nothing at this time (quiet hours); the plan is still made, since
  // `consolidate` only shows what would be done.
  std::optional<std::string> live_run_skipped;
};

// Errors: a pod the ledger cannot read, or a plan that does not replay (a planner bug, reported
// rather than shown as feasible).
Result<ClusterPlan> plan_cluster(const ClusterObjects& objects, const ScoringConfig& config,
                                 int64_t now_unix_seconds);

}  // namespace epc
