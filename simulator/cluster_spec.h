// ClusterSpec: the simulated cluster as node pools (count × one node shape), read from a small YAML
// file, and expanded into the nodes the simulation places pods on.
//
//   pools:
//     - name: dc8sv3          # nodes are named dc8sv3-0, dc8sv3-1, ...
//       count: 4
//       epc: 32Gi             # optional; absent or 0: a general (non-confidential) pool
//       cpu: "8"              # allocatable cpu (quantity)
//       memory: 64Gi          # allocatable memory (quantity)
//       labels: {agentpool: confpool}
//       pricePerHour: 0.904   # optional; what one node costs per hour, for the cost columns
//
// EPC is published under sgx.intel.com/epc (bytes), so the model reads a simulated node exactly as
// it reads a real one. Errors name the file and key path: `c.yaml: pools[1].epc: "x" is not a
// quantity`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/node.h"
#include "model/result.h"

namespace epc {

inline constexpr std::string_view kSimulatedEpcResource = "sgx.intel.com/epc";

struct PoolSpec {
  std::string name;
  int64_t count = 0;
  int64_t epc_bytes = 0;
  int64_t cpu_milli = 0;
  int64_t memory_bytes = 0;
  Labels labels;
  std::optional<double> price_per_hour;
};

struct ClusterSpec {
  std::vector<PoolSpec> pools;
};

// One node of the cluster, as the simulation holds it.
struct NodeSpec {
  std::string name;
  std::string pool;
  int64_t epc_bytes = 0;
  int64_t cpu_milli = 0;
  int64_t memory_bytes = 0;
  Labels labels;
  std::optional<double> price_per_hour;  // the pool's, when the cluster file gives one
};

// `source` names the document in errors.
Result<ClusterSpec> parse_cluster_spec(std::string_view text, std::string_view source);
Result<ClusterSpec> load_cluster_spec(const std::string& path);

// Every node, pool by pool, named `<pool>-<index>`.
std::vector<NodeSpec> expand_nodes(const ClusterSpec& spec);

// The model's view of a node: Ready, schedulable, EPC in allocatable when it has any.
Node to_model_node(const NodeSpec& node);

}  // namespace epc
