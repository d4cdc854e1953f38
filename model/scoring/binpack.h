// Bin-packing (MostAllocated): the fuller a node would be after placement, the better.
//
// Filling nodes that already hold enclaves keeps other confidential nodes wholly free for large
// enclaves, which EPC fragmentation would otherwise strand.
#pragma once

#include "model/scoring/utilization.h"

namespace epc {

// The raw preference of `node` for `demand`: higher is better.
Fraction binpack_preference(const EpcDemand& demand, const NodeRecord& node);

}  // namespace epc
