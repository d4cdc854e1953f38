#include "scheduler/consolidate/cluster_plan.h"

#include <algorithm>
#include <memory>
#include <variant>
#include <vector>

#include "model/consolidation/plan_confirmation.h"
#include "model/consolidation/plan_replay.h"
#include "model/consolidation/planner.h"
#include "model/consolidation/run_limits.h"
#include "model/epc_ledger.h"

namespace epc {
namespace {

// The nodes as the ledger counts them, in name order, and the pods bound to them.
struct LedgerView {
  std::vector<NodeRecord> records;
  std::vector<Pod> bound;
};

Result<LedgerView> ledger_view(const ClusterObjects& objects, const ScoringConfig& config) {
  EpcLedger ledger(config.resources);
  ledger.replace_nodes(objects.nodes);
  LedgerView view;
  for (const Pod& pod : objects.pods) {
    if (Result<void> done = ledger.upsert_pod(pod); !done) return done.error();
    if (holds_resources(pod)) view.bound.push_back(pod);
  }
  view.records.reserve(ledger.node_count());
  for (const auto& [name, record] : ledger.node_table()) view.records.push_back(record);
  // The planner offers candidates in name order; a stable input keeps the output stable too.
  std::sort(view.records.begin(), view.records.end(),
            [](const NodeRecord& a, const NodeRecord& b) { return a.name < b.name; });
  return view;
}

std::vector<std::string> draining_nodes(const ClusterObjects& objects) {
  std::vector<std::string> names;
  for (const Node& node : objects.nodes) {
    if (node.draining_since) names.push_back(node.name);
  }
  return names;
}

}  // namespace

Result<ClusterPlan> plan_cluster(const ClusterObjects& objects, const ScoringConfig& config,
                                 int64_t now_unix_seconds,
                                 std::span<const int64_t> eviction_times) {
  Result<LedgerView> view = ledger_view(objects, config);
  if (!view) return view.error();
  ClusterPlan result;
  result.drains = review_drains(objects.nodes, objects.pods,
                                config.consolidation.drain_hold_seconds, now_unix_seconds);
  const std::vector<std::string>& draining = result.drains.draining;
  // What a live run would do now, and the limits to plan with: `consolidate` shows the plan
  // whatever the hour, so quiet hours are only reported.
  const auto live =
      run_limits(config.consolidation, eviction_times, draining.size(), now_unix_seconds);
  if (const auto* why = std::get_if<RunSkipped>(&live)) result.live_run_skipped = why->reason;
  ConsolidationSettings planning = config.consolidation;
  planning.quiet_hours.clear();
  const auto limits = run_limits(planning, eviction_times, draining.size(), now_unix_seconds);
  if (std::holds_alternative<RunSkipped>(limits)) return result;
  const auto policy = std::make_shared<const PlacementPolicy>(config.policy);
  const ConsolidationInput input{view->records, view->bound, objects.budgets, draining, {}};
  result.plan =
      plan_consolidation(input, policy, config.resources, std::get<ConsolidationLimits>(limits));
  if (Result<void> replayed =
          replay_plan(result.plan, view->records, view->bound, policy, config.resources);
      !replayed) {
    return make_error("the plan does not replay (a bug; please report it): " +
                      replayed.error().message);
  }
  return result;
}

Result<ConsolidationPlan> confirm_cluster_plan(const ConsolidationPlan& plan,
                                               const ClusterObjects& fresh,
                                               const ScoringConfig& config,
                                               int64_t now_unix_seconds) {
  Result<LedgerView> view = ledger_view(fresh, config);
  if (!view) return view.error();
  const ConsolidationSettings& settings = config.consolidation;
  const EvictionRules rules{settings.max_priority, settings.min_pod_age_seconds, now_unix_seconds};
  return confirm_plan(plan, view->records, view->bound, draining_nodes(fresh),
                      std::make_shared<const PlacementPolicy>(config.policy), config.resources,
                      rules);
}

}  // namespace epc
