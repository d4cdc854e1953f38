// plan_cluster: one consolidation run's plan for a cluster read as Kubernetes objects, and
// confirm_cluster_plan, its check against the cluster read again just before acting.
//
// The planner (model/consolidation/planner.h) reads node records with the EPC committed on each and
// the pods bound there. This builds them the way `serve` does, through the EpcLedger, so a node
// counts exactly the EPC the extender's filter would count. It reviews the drains earlier runs
// began (model/consolidation/drain_review.h: nodes carrying the drain taint), spends the config's
// per-run budgets (model/consolidation/run_limits.h) and replays the plan before anyone sees it.
// `consolidate` prints what it returns; the live loop in `serve` acts on it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/scoring_config.h"
#include "model/consolidation/consolidation_plan.h"
#include "model/consolidation/drain_review.h"
#include "model/result.h"
#include "scheduler/state/cluster_objects.h"

namespace epc {

struct ClusterPlan {
  ConsolidationPlan plan;
  // Set when a live run would do nothing at this time (quiet hours, a spent budget, too many
  // nodes draining); `plan` is then still made when only quiet hours stand in the way, since
  // `consolidate` shows what would be done.
  std::optional<std::string> live_run_skipped;
  // The drains earlier runs began: which go on, and whose taint comes off now.
  DrainReview drains;
};

// `eviction_times`: the Unix seconds of the evictions live runs made (the per-hour budget).
// Errors: a pod the ledger cannot read, or a plan that does not replay (a planner bug, reported
// rather than shown as feasible).
Result<ClusterPlan> plan_cluster(const ClusterObjects& objects, const ScoringConfig& config,
                                 int64_t now_unix_seconds,
                                 std::span<const int64_t> eviction_times = {});

// The part of `plan` that still holds on `fresh` (model/consolidation/plan_confirmation.h), with
// the nodes `fresh` shows draining left out.
Result<ConsolidationPlan> confirm_cluster_plan(const ConsolidationPlan& plan,
                                               const ClusterObjects& fresh,
                                               const ScoringConfig& config,
                                               int64_t now_unix_seconds);

}  // namespace epc
