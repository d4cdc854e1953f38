#include "scheduler/consolidate/cluster_plan.h"

#include <algorithm>
#include <memory>
#include <variant>
#include <vector>

#include "model/consolidation/plan_replay.h"
#include "model/consolidation/planner.h"
#include "model/consolidation/run_limits.h"
#include "model/epc_ledger.h"

namespace epc {

Result<ClusterPlan> plan_cluster(const ClusterObjects& objects, const ScoringConfig& config,
                                 int64_t now_unix_seconds) {
  EpcLedger ledger(config.resources);
  ledger.replace_nodes(objects.nodes);
  std::vector<Pod> bound;
  for (const Pod& pod : objects.pods) {
    if (Result<void> done = ledger.upsert_pod(pod); !done) return done.error();
    if (holds_resources(pod)) bound.push_back(pod);
  }
  std::vector<NodeRecord> records;
  records.reserve(ledger.node_count());
  for (const auto& [name, record] : ledger.node_table()) records.push_back(record);
  // The planner offers candidates in name order; a stable input keeps the output stable too.
  std::sort(records.begin(), records.end(),
            [](const NodeRecord& a, const NodeRecord& b) { return a.name < b.name; });

  ClusterPlan result;
  // What a live run would do now, and the limits to plan with: `consolidate` shows the plan
  // whatever the hour, so quiet hours are only reported.
  const auto live = run_limits(config.consolidation, {}, 0, now_unix_seconds);
  if (const auto* why = std::get_if<RunSkipped>(&live)) result.live_run_skipped = why->reason;
  ConsolidationSettings planning = config.consolidation;
  planning.quiet_hours.clear();
  const auto limits = run_limits(planning, {}, 0, now_unix_seconds);
  if (std::holds_alternative<RunSkipped>(limits)) return result;
  const auto policy = std::make_shared<const PlacementPolicy>(config.policy);
  const ConsolidationInput input{records, bound, objects.budgets, {}, {}};
  result.plan =
      plan_consolidation(input, policy, config.resources, std::get<ConsolidationLimits>(limits));
  if (Result<void> replayed = replay_plan(result.plan, records, bound, policy, config.resources);
      !replayed) {
    return make_error("the plan does not replay (a bug; please report it): " +
                      replayed.error().message);
  }
  return result;
}

}  // namespace epc
