// openb: the Alibaba GPU-sharing production trace (../shared/traces/openb, from
// hkust-adsl/kubernetes-scheduler-simulator) read as an EPC workload.
//
// Mapping (docs/simulator.md):
// - openb_node_list_all_node.csv (sn,cpu_milli,memory_mib,gpu,model): a node with gpu > 0 is a
//   confidential node with EPC = gpu × epc_per_device, pool "openb-<model>"; gpu = 0 is a general
//   node, pool "openb-cpu". cpu and memory as recorded.
// - openb_pod_list_default.csv (name,cpu_milli,memory_mib,num_gpu,gpu_milli,...,creation_time,
//   deletion_time,...): a pod's EPC is ⌈num_gpu × gpu_milli × epc_per_device / 1000⌉ bytes (a whole
//   device is epc_per_device, a 0.46 share 46% of it); num_gpu 0 or gpu_milli 0 is a plain pod.
//   Arrival = creation_time, duration = deletion_time − creation_time (empty deletion: runs to the
//   end). Namespace "openb", priority 0; qos and pod_phase are ignored.
// Errors name the file and line, e.g. `openb_pod_list_default.csv:7: cpu_milli "x" is not an
// integer`.
#pragma once

#include <cstdint>
#include <string>

#include "model/result.h"
#include "simulator/cluster_spec.h"
#include "simulator/trace.h"

namespace epc {

inline constexpr const char* kOpenbNodeFile = "openb_node_list_all_node.csv";
inline constexpr const char* kOpenbPodFile = "openb_pod_list_default.csv";

struct OpenbMapping {
  int64_t epc_per_device = int64_t{8} << 30;
};

struct OpenbWorkload {
  std::vector<NodeSpec> nodes;
  Trace trace;
};

// `source` names the documents in errors.
Result<std::vector<NodeSpec>> parse_openb_nodes(std::string_view csv, std::string_view source,
                                                const OpenbMapping& mapping);
Result<Trace> parse_openb_pods(std::string_view csv, std::string_view source,
                               const OpenbMapping& mapping);
Result<OpenbWorkload> load_openb(const std::string& directory, const OpenbMapping& mapping);

}  // namespace epc
