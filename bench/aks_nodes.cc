#include "bench/aks_nodes.h"

#include <cstdint>
#include <cstdio>

namespace epc::bench {

bool confidential(int index) {
  return index % 2 == 0;
}

std::string node_name(int index) {
  char name[32];
  std::snprintf(name, sizeof name, "aks-%s-%05d", confidential(index) ? "confpool" : "system",
                index);
  return name;
}

Node make_node(int index) {
  constexpr int64_t kGiB = int64_t{1} << 30;
  const bool conf = confidential(index);
  Node node;
  node.name = node_name(index);
  node.readiness = NodeReadiness::Ready;
  node.labels = {
      {"agentpool", conf ? "confpool" : "system"},
      {"kubernetes.io/hostname", node.name},
      {"kubernetes.io/os", "linux"},
      {"kubernetes.io/arch", "amd64"},
      {"node.kubernetes.io/instance-type", conf ? "Standard_DC8s_v3" : "Standard_D8s_v3"},
      {"topology.kubernetes.io/zone", "eastus-" + std::to_string(index % 3 + 1)},
      {"topology.kubernetes.io/region", "eastus"},
      {"kubernetes.azure.com/cluster", "MC_rg_cluster_eastus"},
      {"kubernetes.azure.com/mode", "user"},
      {"kubernetes.azure.com/node-image-version", "AKSUbuntu-2204gen2containerd-202401.09.0"},
      {"kubernetes.azure.com/os-sku", "Ubuntu"},
      {"beta.kubernetes.io/arch", "amd64"},
      {"beta.kubernetes.io/os", "linux"},
  };
  if (conf) {
    node.labels.emplace_back("intel.feature.node.kubernetes.io/sgx", "true");
    const std::string epc = std::to_string(32 * kGiB);
    node.allocatable = {{"sgx.intel.com/epc", epc}};
    node.capacity = {{"sgx.intel.com/epc", epc}};
  }
  return node;
}

}  // namespace epc::bench
