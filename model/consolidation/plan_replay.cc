#include "model/consolidation/plan_replay.h"

#include <algorithm>
#include <utility>

#include "model/epc_ledger.h"
#include "model/filter_decision.h"
#include "model/pod_request.h"

namespace epc {

PlanReplay::PlanReplay(const ConsolidationPlan& plan, std::span<const NodeRecord> nodes,
                       std::span<const Pod> pods,
                       const std::shared_ptr<const PlacementPolicy>& policy,
                       const EpcResources& resources, const ExtraFit& extra)
    : policy_(policy),
      resources_(resources),
      extra_(extra),
      state_(nodes.begin(), nodes.end()),
      landed_(state_.size()) {
  for (size_t i = 0; i < state_.size(); ++i) node_index_.emplace(state_[i].name, i);
  for (const Pod& pod : pods) {
    if (holds_resources(pod))
      pod_by_id_.emplace(pod_identity(pod.uid, pod.namespace_name, pod.name), &pod);
  }
  for (const DrainedNode& node : plan.drained) drained_.push_back(node.node);
}

const Pod* PlanReplay::find_pod(const std::string& identity) const {
  const auto it = pod_by_id_.find(identity);
  return it == pod_by_id_.end() ? nullptr : it->second;
}

Result<void> PlanReplay::apply(const DrainedNode& drained) {
  std::vector<bool> carried_epc;  // per move applied so far, for the undo
  for (const PlannedMove& move : drained.moves) {
    Result<bool> moved = apply_move(move);
    if (!moved) {
      for (size_t i = carried_epc.size(); i-- > 0;) {
        const PlannedMove& undone = drained.moves[i];
        land(node_index_.at(undone.from), node_index_.at(undone.to), *find_pod(undone.pod),
             undone.epc_bytes, carried_epc[i], -1);
      }
      return moved.error();
    }
    carried_epc.push_back(*moved);
  }
  return {};
}

void PlanReplay::land(size_t from, size_t to, const Pod& pod, int64_t bytes, bool needs_epc,
                      int sign) {
  if (needs_epc) {
    state_[from].committed_bytes -= sign * bytes;
    state_[from].epc_pods -= sign;
    state_[to].committed_bytes += sign * bytes;
    state_[to].epc_pods += sign;
  }
  if (sign > 0) {
    landed_[to].push_back(&pod);
  } else {
    landed_[to].pop_back();
  }
}

Result<bool> PlanReplay::apply_move(const PlannedMove& move) {
  const std::string what = "move of " + move.namespace_name + "/" + move.name + " from " +
                           move.from + " to " + move.to + ": ";
  const Pod* found = find_pod(move.pod);
  if (found == nullptr) return make_error(what + "no such running pod");
  const Pod& pod = *found;
  if (pod.node_name != move.from) return make_error(what + "the pod runs on " + pod.node_name);
  const auto from_it = node_index_.find(move.from);
  const auto to_it = node_index_.find(move.to);
  if (from_it == node_index_.end() || to_it == node_index_.end()) {
    return make_error(what + "unknown node");
  }
  if (std::find(drained_.begin(), drained_.end(), move.to) != drained_.end()) {
    return make_error(what + "lands on a node the plan drains");
  }
  const PodRequest request = resolve_pod_request(pod, policy_, resources_);
  if (!request.demand) return make_error(what + request.demand.error().message);
  if (request.demand->bytes != move.epc_bytes) {
    return make_error(what + "the plan says " + std::to_string(move.epc_bytes) +
                      " bytes of EPC, the pod asks for " + std::to_string(request.demand->bytes));
  }
  if (move.from == move.to) return make_error(what + "lands on the node it leaves");
  const NodeRecord& to = state_[to_it->second];
  const std::string_view name = to.name;
  const NodeRecord* record = &to;
  const FilterDecision filter = decide_filter(
      request, CandidateView{std::span(&name, 1), std::span(&record, 1)}, resources_, false);
  if (filter.passing.empty()) {
    std::string reason = "refused by the filter";
    if (!filter.failed.empty()) reason = filter.reason_of(filter.failed.front());
    if (!filter.unresolvable.empty()) reason = filter.reason_of(filter.unresolvable.front());
    return make_error(what + reason);
  }
  if (extra_) {
    if (std::optional<std::string> no = extra_(pod, to, landed_[to_it->second])) {
      return make_error(what + *no);
    }
  }
  if (request.needs_epc() && to.used_bytes() + request.demand->bytes > to.epc.bytes) {
    return make_error(what + "over-commits the node");
  }
  land(from_it->second, to_it->second, pod, request.demand->bytes, request.needs_epc(), +1);
  return request.needs_epc();
}

Result<void> replay_plan(const ConsolidationPlan& plan, std::span<const NodeRecord> nodes,
                         std::span<const Pod> pods,
                         const std::shared_ptr<const PlacementPolicy>& policy,
                         const EpcResources& resources, const ExtraFit& extra) {
  PlanReplay replay(plan, nodes, pods, policy, resources, extra);
  for (const DrainedNode& node : plan.drained) {
    if (Result<void> applied = replay.apply(node); !applied) return applied;
  }
  return {};
}

}  // namespace epc
