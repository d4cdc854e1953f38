// Proportional normalisation: kube-scheduler's own integer score formulas, scaled from its 0..100
// to the extender's 0..10.
//
// MostAllocated is `requested × 10 / capacity` (requested clamped to capacity), LeastAllocated
// `(capacity − requested) × 10 / capacity` (0 when requested exceeds capacity), both truncated as
// upstream's mostRequestedScore and leastRequestedScore are. Coarser than ranking (a 61%- and a
// 69%-full node both score 6) but comparable across requests, which some operators want when the
// extender's score is summed with in-tree plugin scores.
#pragma once

#include <cstdint>

#include "model/epc_demand.h"
#include "model/node_record.h"

namespace epc {

// `requested` is the node's used EPC plus the pod's demand.
int64_t most_allocated_score(int64_t requested, int64_t capacity);
int64_t least_allocated_score(int64_t requested, int64_t capacity);

// The node's used EPC plus `demand`, saturated at int64's maximum.
int64_t requested_after(const EpcDemand& demand, const NodeRecord& node);

}  // namespace epc
