// plan_consolidation: which confidential nodes can be emptied by moving all their movable pods onto
// the remaining nodes, with a landing node for each pod that is known to fit before anything is
// evicted.
//
// Bin-packing at arrival fragments as pods leave: partly used confidential nodes that no autoscaler
// can remove, though their pods would fit elsewhere. The planner finds such nodes and plans every
// move with the same decisions the extender's verbs make, so a plan never relies on room the
// filter would not grant:
// - each landing is decide_filter over the remaining nodes (headroom, pools, confidential rules and
//   the pod's own overrides included), narrowed by the caller's extra fit (the simulator adds cpu
//   and memory), and among those passing the node decide_prioritize ranks first; candidates are
//   offered in name order, so equal scores go to the first name and a plan is deterministic;
// - landings apply to a scratch copy of the nodes, so later landings see earlier ones; a node
//   whose pods do not all land is rolled back whole (nothing is planned for half a node);
// - nodes receiving pods are not drained in the same plan, and nodes being drained never receive;
// - an idle confidential node (nothing but DaemonSet pods) never receives: filling it to empty
//   another frees nothing, and the next plan would move the pods back;
// - a node is drained only when every pod that would keep it busy may be evicted
//   (eviction_eligibility.h); DaemonSet pods stay and do not hold the node; budgets'
//   disruptionsAllowed are spent as evictions are planned.
// Candidates are tried in order of fewest pods to move, then least EPC in use, then name: a node
// with few pods is the cheapest to free (fewest evictions per node freed, the preference)
// and the likeliest to succeed, and among equals the emptier one leaves the most room for the
// next candidates' pods. This greedy order is not optimal, but it never plans what it cannot
// carry out, which is what an eviction needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "model/consolidation/consolidation_plan.h"
#include "model/consolidation/disruption_budget.h"
#include "model/consolidation/eviction_eligibility.h"
#include "model/epc_resources.h"
#include "model/node_record.h"
#include "model/placement_policy.h"
#include "model/pod.h"

namespace epc {

struct ConsolidationLimits {
  size_t max_evictions = 0;      // per plan; a node whose pods would exceed what is left is kept
  size_t max_drained_nodes = 0;  // per plan; candidates after the last drained are not tried
                                 // (nor listed as kept)
  EvictionRules eviction;
};

// The cluster as the planner reads it.
struct ConsolidationInput {
  // Every node pods may land on, confidential or not, with committed EPC as the ledger has it.
  std::span<const NodeRecord> nodes;
  // Pods bound to those nodes; pods that do not hold resources (holds_resources) are ignored.
  std::span<const Pod> pods;
  std::span<const DisruptionBudget> budgets;
  // Nodes already draining: neither drained again nor landed on.
  std::span<const std::string> excluded;
  // Empty, or one per node (nodes[i]'s price per hour, when known): reported as what a plan frees.
  std::span<const std::optional<double>> prices;
};

// An extra test on a landing that the model does not judge (cpu, memory): nullopt when `pod` may
// land on `node`, given the pods this plan already lands there; otherwise why not.
using ExtraFit = std::function<std::optional<std::string>(
    const Pod& pod, const NodeRecord& node, std::span<const Pod* const> landing_there)>;

// `policy` is the scoring config's placement policy (never null); `extra` may be empty.
ConsolidationPlan plan_consolidation(const ConsolidationInput& input,
                                     const std::shared_ptr<const PlacementPolicy>& policy,
                                     const EpcResources& resources,
                                     const ConsolidationLimits& limits, const ExtraFit& extra = {});

}  // namespace epc
