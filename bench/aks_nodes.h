// AKS-like Node values for the state benchmarks (state_memory, state_change_bench): the labels a
// managed node carries, half of the nodes confidential with 32 GiB of EPC, so that the records the
// ledger keeps are as large as real ones. Both benchmarks build the same nodes from one place.
#pragma once

#include <string>

#include "model/node.h"

namespace epc::bench {

// Even indexes are confidential (pool "confpool"), odd ones general ("system").
bool confidential(int index);
// "aks-confpool-00042", "aks-system-00043".
std::string node_name(int index);
Node make_node(int index);

}  // namespace epc::bench
