// Bin-packing (MostAllocated): the fuller a node would be after placement, the better.
//
// Filling nodes that already hold enclaves keeps other confidential nodes wholly free for large
// enclaves, which EPC fragmentation would otherwise strand.
#pragma once

#include "model/scoring/strategies.h"
#include "model/scoring/utilization.h"

namespace epc {

// kBinPack, the default strategy, is declared in strategies.h.

// The raw preference of `node` for `demand`: higher is better.
Fraction binpack_preference(const EpcDemand& demand, const NodeRecord& node);

}  // namespace epc
