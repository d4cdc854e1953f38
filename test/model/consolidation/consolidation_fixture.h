// A small cluster for consolidation tests: nodes with EPC, pods bound to them, records whose
// committed EPC follows the pods.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/consolidation/consolidation_plan.h"
#include "model/consolidation/planner.h"
#include "model/node_record.h"
#include "model/placement_policy.h"
#include "model/pod.h"
#include "test/model/builders.h"

namespace epc::testing_builders {

// A running pod of a ReplicaSet: movable unless a test says otherwise.
inline Pod movable_pod(const std::string& name, int64_t epc_mi, const std::string& node) {
  Pod pod = epc_pod(name, std::to_string(epc_mi) + "Mi", node, PodPhase::Running);
  pod.controller_kind = "ReplicaSet";
  pod.labels = {{"app", name}};
  return pod;
}

struct SmallCluster {
  std::vector<NodeRecord> nodes;
  std::vector<Pod> pods;

  void node(const std::string& name, int64_t epc_mi) {
    nodes.push_back(record(name, epc_mi * kMi));
  }
  Pod& pod(const std::string& name, int64_t epc_mi, const std::string& node) {
    pods.push_back(movable_pod(name, epc_mi, node));
    return pods.back();
  }
  // Committed EPC and pod counts from the pods, as the ledger keeps them.
  void settle() {
    for (NodeRecord& node : nodes) {
      node.committed_bytes = 0;
      node.epc_pods = 0;
      for (const Pod& pod : pods) {
        if (pod.node_name != node.name || !holds_resources(pod) || pod.containers.empty()) continue;
        const std::string& epc = pod.containers.front().requests.front().second;
        node.committed_bytes += std::stoll(epc.substr(0, epc.size() - 2)) * kMi;
        ++node.epc_pods;
      }
    }
  }
};

// Three half-empty nodes of 64Mi: the two emptiest (a, b with 16Mi each) move onto the fullest
// (c, 32Mi), which bin-packing ranks first.
inline SmallCluster fragmented() {
  SmallCluster cluster;
  cluster.node("a", 64);
  cluster.node("b", 64);
  cluster.node("c", 64);
  cluster.pod("p1", 16, "a");
  cluster.pod("p2", 16, "b");
  cluster.pod("p3", 32, "c");
  cluster.settle();
  return cluster;
}

// The nodes a plan drains, in its order.
inline std::vector<std::string> drained_names(const ConsolidationPlan& plan) {
  std::vector<std::string> names;
  for (const DrainedNode& node : plan.drained) names.push_back(node.node);
  return names;
}

inline std::shared_ptr<const PlacementPolicy> binpack_policy() {
  return std::make_shared<const PlacementPolicy>();
}

inline ConsolidationLimits generous_limits() {
  ConsolidationLimits limits;
  limits.max_evictions = 1000;
  limits.max_drained_nodes = 1000;
  return limits;
}

}  // namespace epc::testing_builders
