// EpcUsage: how much EPC each confidential node and pool has committed, reserved and free, as one
// value computed from a cluster snapshot and the policy that says which nodes are confidential and
// which pool they belong to.
//
// It is what an operator looks at (metrics, /debug/state, /status), so it is computed in one place
// and every view reads the same numbers. General nodes are only counted: listing thousands of
// nodes without EPC would say nothing and blow up metric cardinality.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/cluster_state.h"
#include "model/fit.h"
#include "model/placement_policy.h"

namespace epc {

struct EpcTotals {
  int64_t capacity_bytes = 0;
  int64_t committed_bytes = 0;  // by bound pods; may exceed capacity after a node shrank
  int64_t reserved_bytes = 0;   // for pods being placed, bindings not seen yet
  int64_t free_bytes = 0;       // capacity minus both, never below 0
  int64_t epc_pods = 0;

  void add(const EpcTotals& other);
};

struct NodeUsage {
  std::string name;
  std::string pool;  // the node's pools.labelKey value; "" without pools or without the label
  bool schedulable = true;  // not cordoned, not NotReady, capacity readable
  // Why not, when not: kCordoned, kNotReady or kInvalidCapacity (the first that holds).
  FitCause unschedulable_cause = FitCause::kNone;
  EpcTotals epc;
};

struct PoolUsage {
  std::string name;  // "" gathers the confidential nodes outside any pool
  size_t nodes = 0;
  EpcTotals epc;
};

struct EpcUsage {
  std::vector<NodeUsage> nodes;  // confidential nodes, by name
  std::vector<PoolUsage> pools;  // by name
  EpcTotals total;               // over all confidential nodes
  size_t general_nodes = 0;      // nodes the policy does not count as confidential
};

EpcUsage epc_usage(const ClusterSnapshot& snapshot, const PlacementPolicy& policy);

}  // namespace epc
