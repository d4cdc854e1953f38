// Small builders for model tests: nodes and pods with EPC given as quantity text.
#pragma once

#include <string>

#include "model/node.h"
#include "model/node_record.h"
#include "model/pod.h"

namespace epc::testing_builders {

inline constexpr int64_t kMi = int64_t{1} << 20;
inline const std::string kIntelEpc = "sgx.intel.com/epc";

inline ContainerResources container(ResourceList requests, ResourceList limits = {},
                                    std::string name = "") {
  ContainerResources resources;
  resources.requests = std::move(requests);
  resources.limits = std::move(limits);
  resources.name = std::move(name);
  return resources;
}

inline Node epc_node(const std::string& name, const std::string& epc) {
  Node node;
  node.name = name;
  node.readiness = NodeReadiness::Ready;
  if (!epc.empty()) node.allocatable = {{"cpu", "8"}, {kIntelEpc, epc}};
  return node;
}

inline Pod epc_pod(const std::string& name, const std::string& epc, const std::string& node = "",
                   PodPhase phase = PodPhase::Pending) {
  Pod pod;
  pod.namespace_name = "default";
  pod.name = name;
  pod.uid = "uid-" + name;
  if (!epc.empty()) pod.containers = {container({{kIntelEpc, epc}})};
  pod.node_name = node;
  pod.phase = phase;
  return pod;
}

inline NodeRecord record(const std::string& name, int64_t epc_bytes, int64_t committed_bytes = 0) {
  NodeRecord node;
  node.name = name;
  node.readiness = NodeReadiness::Ready;
  if (epc_bytes > 0) node.epc = EpcCapacity{epc_bytes, kIntelEpc};
  node.committed_bytes = committed_bytes;
  return node;
}

}  // namespace epc::testing_builders
