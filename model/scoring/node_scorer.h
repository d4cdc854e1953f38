// Node scoring for the prioritize verb: one integer 0..10 per candidate.
//
// kube-scheduler multiplies an extender's score by weight × 10 and adds it to in-tree plugin
// scores, so 0..10 is coarse: a proportional score would give a 61%- and a 69%-full node the
// same 6. The default normalisation therefore ranks: each strategy computes an exact raw preference
// per node, distinct raw values are ordered best first, and the k-th best (0-based) scores max(0,
// 10 - k). Equal raw values share a score. Nodes where the pod does not fit, or that are unknown,
// score 0. Pods without EPC are scored by the non-EPC policy (general nodes 10 under
// prefer-general). The policy's normalization may instead ask for kube-scheduler's proportional
// formulas (scoring/proportional.h).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model/epc_demand.h"
#include "model/node_record.h"
#include "model/placement_policy.h"

namespace epc {

inline constexpr int64_t kMinExtenderScore = 0;
inline constexpr int64_t kMaxExtenderScore = 10;

// Whether the policy's strategy reads the sizes of recent EPC pods (`recent_sizes` below): callers
// keep that history only when it is read.
bool uses_recent_sizes(const PlacementPolicy& policy);

// `nodes[i]` may be null (unknown node); the result has one score per entry, in the same order.
std::vector<int64_t> score_nodes(const EpcDemand& demand, std::span<const NodeRecord* const> nodes,
                                 const PlacementPolicy& policy);
// As above; `recent_sizes` are the EPC sizes of recent pods, which the bestfit strategy needs.
std::vector<int64_t> score_nodes(const EpcDemand& demand, std::span<const NodeRecord* const> nodes,
                                 const PlacementPolicy& policy,
                                 std::span<const int64_t> recent_sizes);

}  // namespace epc
