// replay_plan: checks a consolidation plan against the state it was made from, move by move.
//
// A plan is only worth acting on if carrying it out never over-commits a node. Replaying takes
// every move in order: the pod must be bound to `from` (its EPC leaves there), `to` must be held,
// must not be a node the plan drains, and must pass the filter verb's decide_filter for the pod on
// the state left by the earlier moves; after the landing the node's committed EPC must stay within
// its capacity. Tests replay every plan they make; the extender replays a plan against fresh state
// before it acts (plan_recheck.h), one drained node at a time, through the same PlanReplay.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/consolidation/consolidation_plan.h"
#include "model/consolidation/planner.h"
#include "model/epc_resources.h"
#include "model/node_record.h"
#include "model/placement_policy.h"
#include "model/pod.h"
#include "model/result.h"

namespace epc {

// The nodes as a plan's moves leave them, one drained node at a time.
class PlanReplay {
 public:
  // `nodes`, `pods` and `plan` must outlive the replay; `extra`, when given, is checked as well
  // with the pods landed on the node so far.
  PlanReplay(const ConsolidationPlan& plan, std::span<const NodeRecord> nodes,
             std::span<const Pod> pods, const std::shared_ptr<const PlacementPolicy>& policy,
             const EpcResources& resources, const ExtraFit& extra = {});

  // Carries out every move of `drained` in order. On the first that fails, the node's earlier
  // moves are undone (the state is as before the call) and the error names the move and why.
  Result<void> apply(const DrainedNode& drained);

  // The pod holding resources with this pod_identity, or null.
  const Pod* find_pod(const std::string& identity) const;

 private:
  // Whether the move carried EPC (what its undo must give back), or why it fails.
  Result<bool> apply_move(const PlannedMove& move);
  void land(size_t from, size_t to, const Pod& pod, int64_t bytes, bool needs_epc, int sign);

  const std::shared_ptr<const PlacementPolicy> policy_;
  const EpcResources& resources_;
  const ExtraFit extra_;
  std::vector<NodeRecord> state_;
  std::unordered_map<std::string_view, size_t> node_index_;
  std::unordered_map<std::string, const Pod*> pod_by_id_;
  std::vector<std::string_view> drained_;        // nodes the plan drains: never landed on
  std::vector<std::vector<const Pod*>> landed_;  // by node: pods landed there so far
};

// An error names the first move that fails and why.
Result<void> replay_plan(const ConsolidationPlan& plan, std::span<const NodeRecord> nodes,
                         std::span<const Pod> pods,
                         const std::shared_ptr<const PlacementPolicy>& policy,
                         const EpcResources& resources, const ExtraFit& extra = {});

}  // namespace epc
