#include "model/consolidation/plan_confirmation.h"

#include <algorithm>
#include <unordered_set>

#include "model/consolidation/plan_replay.h"
#include "model/epc_ledger.h"

namespace epc {
namespace {

// Why `drained` cannot go ahead as planned before any move is tried, or nullopt.
std::optional<KeptNode> pconfirm(const DrainedNode& drained, std::span<const NodeRecord> nodes,
                                 std::span<const Pod> pods, std::span<const std::string> draining,
                                 const PlanReplay& replay, const EvictionRules& rules) {
  if (std::none_of(nodes.begin(), nodes.end(),
                   [&](const NodeRecord& record) { return record.name == drained.node; })) {
    return KeptNode{drained.node, "", "the node is gone"};
  }
  if (std::find(draining.begin(), draining.end(), drained.node) != draining.end()) {
    return KeptNode{drained.node, "", "an earlier run is draining it"};
  }
  std::unordered_set<std::string> planned;
  for (const PlannedMove& move : drained.moves) planned.insert(move.pod);
  for (const Pod& pod : pods) {
    if (pod.node_name != drained.node || !holds_resources(pod) || stays_with_node(pod) ||
        pod.terminating) {
      continue;
    }
    if (!planned.contains(pod_identity(pod.uid, pod.namespace_name, pod.name))) {
      return KeptNode{drained.node, pod.key(), "arrived after the plan was made"};
    }
  }
  for (const PlannedMove& move : drained.moves) {
    const Pod* pod = replay.find_pod(move.pod);
    if (pod == nullptr) {
      return KeptNode{drained.node, move.namespace_name + "/" + move.name,
                      "is gone since the plan was made"};
    }
    if (std::optional<std::string> blocker = eviction_blocker(*pod, rules, {})) {
      return KeptNode{drained.node, pod->key(), std::move(*blocker)};
    }
  }
  return std::nullopt;
}

}  // namespace

ConsolidationPlan confirm_plan(const ConsolidationPlan& plan, std::span<const NodeRecord> nodes,
                               std::span<const Pod> pods, std::span<const std::string> draining,
                               const std::shared_ptr<const PlacementPolicy>& policy,
                               const EpcResources& resources, const EvictionRules& rules) {
  PlanReplay replay(plan, nodes, pods, policy, resources);
  ConsolidationPlan result;
  for (const DrainedNode& drained : plan.drained) {
    if (std::optional<KeptNode> kept = pconfirm(drained, nodes, pods, draining, replay, rules)) {
      result.kept.push_back(std::move(*kept));
      continue;
    }
    if (Result<void> applied = replay.apply(drained); !applied) {
      result.kept.push_back({drained.node, "", applied.error().message});
      continue;
    }
    result.evictions += drained.moves.size();
    result.freed_epc_bytes += drained.epc_capacity_bytes;
    if (drained.price_per_hour) result.freed_price_per_hour += *drained.price_per_hour;
    result.drained.push_back(drained);
  }
  return result;
}

}  // namespace epc
