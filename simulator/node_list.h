// NodeList: a real cluster's nodes as the simulator's cluster, from a kubectl List
// (`kubectl get nodes -o json`, or `kubectl get nodes,pods -A -o json`: items of other kinds are
// skipped).
//
// EPC is read by the model's own epc_capacity under the default EPC resource names and units
// (allocatable first, capacity as fallback), cpu and memory from allocatable (capacity as
// fallback). A node's pool is its `agentpool` label (AKS), else `kubernetes.azure.com/agentpool`,
// else "nodes". Cordoned and NotReady nodes are left out: they take no new pods. Pods in the List
// are not replayed: the simulated cluster starts empty. Errors name the file and item:
// `nodes.json: items[3] (node aks-x): cpu "x" is not a cpu quantity`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/result.h"
#include "simulator/cluster_spec.h"

namespace epc {

Result<std::vector<NodeSpec>> parse_node_list(std::string_view json, std::string_view source);

// A cluster file of either kind: a kubectl List (JSON, first character '{') or pools (YAML).
Result<std::vector<NodeSpec>> load_cluster_nodes(const std::string& path);

}  // namespace epc
