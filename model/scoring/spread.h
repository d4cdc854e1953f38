// Spreading (LeastAllocated): the emptier a node would be after placement, the better.
//
// Spreading enclaves limits how many of them one node failure takes down and leaves EPC headroom
// on every node for pods that grow (the SGX driver pages EPC out when it is over-subscribed).
#pragma once

#include "model/scoring/strategies.h"
#include "model/scoring/utilization.h"

namespace epc {

extern const ScoringStrategy kSpread;

// The raw preference of `node` for `demand`: higher is better (the free fraction after placement).
Fraction spread_preference(const EpcDemand& demand, const NodeRecord& node);

}  // namespace epc
