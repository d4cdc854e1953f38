// replay_plan: checks a consolidation plan against the state it was made from, move by move.
//
// A plan is only worth acting on if carrying it out never over-commits a node. Replaying takes
// every move in order: the pod must be bound to `from` (its EPC leaves there), `to` must be held,
// must not be a node the plan drains, and must pass the filter verb's decide_filter for the pod on
// the state left by the earlier moves; after the landing the node's committed EPC must stay within
// its capacity. Tests replay every plan they make; the extender can replay a plan against fresh
// state before it acts.
#pragma once

#include <memory>
#include <span>

#include "model/consolidation/consolidation_plan.h"
#include "model/consolidation/planner.h"
#include "model/epc_resources.h"
#include "model/node_record.h"
#include "model/placement_policy.h"
#include "model/pod.h"
#include "model/result.h"

namespace epc {

// An error names the first move that fails and why; `extra`, when given, is checked as well with
// the pods landed on the node so far.
Result<void> replay_plan(const ConsolidationPlan& plan, std::span<const NodeRecord> nodes,
                         std::span<const Pod> pods,
                         const std::shared_ptr<const PlacementPolicy>& policy,
                         const EpcResources& resources, const ExtraFit& extra = {});

}  // namespace epc
