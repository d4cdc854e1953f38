// confirm_plan: the part of a consolidation plan that still holds on fresh state, just before it is
// carried out.
//
// A live run plans, waits, and reads the cluster again before it evicts anything (Karpenter's
// consolidation validates its decision after a pause the same way): in between, pods come and go,
// a pod may have been given a higher priority or an opt-out, and the landing nodes may have filled
// up. Evicting on the old plan could strand pods or leave a node half drained. A drained node
// stays in the plan only if, on the fresh state:
// - the node is still there and no earlier run is draining it;
// - every pod that would keep it busy is one the plan moves (a pod that arrived since would keep
//   the node busy, and evicting the rest would free nothing);
// - every planned pod may still be evicted under the rules (eviction_eligibility.h; budgets are
//   left to the Eviction API, which refuses with 429 what a PodDisruptionBudget forbids);
// - every move still lands, by the same replay as replay_plan, on the state the earlier kept
//   nodes' moves leave.
// Whatever fails is dropped whole, with why, as the planner keeps a node it cannot free.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "model/consolidation/consolidation_plan.h"
#include "model/consolidation/eviction_eligibility.h"
#include "model/epc_resources.h"
#include "model/node_record.h"
#include "model/placement_policy.h"
#include "model/pod.h"

namespace epc {

// `nodes` and `pods` are the fresh state (pods read with their disruption details); `draining`
// names the nodes earlier runs are draining. The result's `kept` lists only the nodes dropped here.
ConsolidationPlan confirm_plan(const ConsolidationPlan& plan, std::span<const NodeRecord> nodes,
                               std::span<const Pod> pods, std::span<const std::string> draining,
                               const std::shared_ptr<const PlacementPolicy>& policy,
                               const EpcResources& resources, const EvictionRules& rules);

}  // namespace epc
