#include "model/consolidation/plan_replay.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/epc_ledger.h"
#include "model/filter_decision.h"
#include "model/pod_request.h"

namespace epc {

Result<void> replay_plan(const ConsolidationPlan& plan, std::span<const NodeRecord> nodes,
                         std::span<const Pod> pods,
                         const std::shared_ptr<const PlacementPolicy>& policy,
                         const EpcResources& resources, const ExtraFit& extra) {
  std::vector<NodeRecord> state(nodes.begin(), nodes.end());
  std::unordered_map<std::string_view, size_t> node_index;
  for (size_t i = 0; i < state.size(); ++i) node_index.emplace(state[i].name, i);
  std::unordered_map<std::string, const Pod*> pod_by_id;
  for (const Pod& pod : pods) {
    if (holds_resources(pod))
      pod_by_id.emplace(pod_identity(pod.uid, pod.namespace_name, pod.name), &pod);
  }
  std::vector<std::string_view> drained;
  for (const DrainedNode& node : plan.drained) drained.push_back(node.node);
  std::vector<std::vector<const Pod*>> landed(state.size());
  for (const DrainedNode& node : plan.drained) {
    for (const PlannedMove& move : node.moves) {
      const std::string what = "move of " + move.namespace_name + "/" + move.name + " from " +
                               move.from + " to " + move.to + ": ";
      const auto pod_it = pod_by_id.find(move.pod);
      if (pod_it == pod_by_id.end()) return make_error(what + "no such running pod");
      const Pod& pod = *pod_it->second;
      if (pod.node_name != move.from) return make_error(what + "the pod runs on " + pod.node_name);
      const auto from_it = node_index.find(move.from);
      const auto to_it = node_index.find(move.to);
      if (from_it == node_index.end() || to_it == node_index.end()) {
        return make_error(what + "unknown node");
      }
      if (std::find(drained.begin(), drained.end(), move.to) != drained.end()) {
        return make_error(what + "lands on a node the plan drains");
      }
      const PodRequest request = resolve_pod_request(pod, policy, resources);
      if (!request.demand) return make_error(what + request.demand.error().message);
      if (request.demand->bytes != move.epc_bytes) {
        return make_error(what + "the plan says " + std::to_string(move.epc_bytes) +
                          " bytes of EPC, the pod asks for " +
                          std::to_string(request.demand->bytes));
      }
      NodeRecord& from = state[from_it->second];
      NodeRecord& to = state[to_it->second];
      if (request.needs_epc()) {
        from.committed_bytes -= request.demand->bytes;
        --from.epc_pods;
      }
      const std::string_view name = to.name;
      const NodeRecord* record = &to;
      const FilterDecision filter = decide_filter(
          request, CandidateView{std::span(&name, 1), std::span(&record, 1)}, resources, false);
      if (filter.passing.empty()) {
        std::string reason = "refused by the filter";
        if (!filter.failed.empty()) reason = filter.failed.front().second;
        if (!filter.unresolvable.empty()) reason = filter.unresolvable.front().second;
        return make_error(what + reason);
      }
      if (extra) {
        if (std::optional<std::string> no = extra(pod, to, landed[to_it->second])) {
          return make_error(what + *no);
        }
      }
      if (request.needs_epc()) {
        to.committed_bytes += request.demand->bytes;
        ++to.epc_pods;
        if (to.used_bytes() > to.epc.bytes) return make_error(what + "over-commits the node");
      }
      landed[to_it->second].push_back(&pod);
    }
  }
  return {};
}

}  // namespace epc
