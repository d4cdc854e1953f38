// StateReport: everything an operator view shows about the cluster's EPC at one moment: usage per
// confidential node and pool, the EPC pods bound to each node, how many EPC pods wait for a node,
// and whether the state source can be trusted.
//
// /debug/state and /status both render this one value, so the two pages never disagree. The usage
// and the pod lists come from the same published state: the snapshot is taken while the ledger's
// pods are read, under the writer lock, so a node's pod list always adds up to its committed EPC.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/cluster_state.h"
#include "model/epc_usage.h"
#include "model/placement_policy.h"
#include "scheduler/state/state_source.h"

namespace epc {

struct PodOnNode {
  std::string namespace_name;
  std::string name;
  int64_t epc_bytes = 0;
};

struct StateReport {
  EpcUsage usage;
  // Pods holding EPC, by the node they are bound to, each list sorted by namespace and name.
  std::map<std::string, std::vector<PodOnNode>> pods_by_node;
  size_t pending_pods = 0;  // pods needing EPC that the ledger knows and that are not bound yet
  Readiness readiness;
};

StateReport state_report(const ClusterState& state, const PlacementPolicy& policy,
                         Readiness readiness);

}  // namespace epc
