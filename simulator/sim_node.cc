#include "simulator/sim_node.h"

#include "simulator/kube_plugins.h"

namespace epc {

void SimNode::add(const TracePod& pod) {
  cpu_requested += pod.cpu_milli;
  memory_requested += pod.memory_bytes;
  cpu_nonzero += nonzero_cpu(pod.cpu_milli);
  memory_nonzero += nonzero_memory(pod.memory_bytes);
  ++pods;
  if (pod.needs_epc()) {
    record.committed_bytes += pod.epc_bytes;
    ++record.epc_pods;
  }
}

void SimNode::remove(const TracePod& pod) {
  cpu_requested -= pod.cpu_milli;
  memory_requested -= pod.memory_bytes;
  cpu_nonzero -= nonzero_cpu(pod.cpu_milli);
  memory_nonzero -= nonzero_memory(pod.memory_bytes);
  --pods;
  if (pod.needs_epc()) {
    record.committed_bytes -= pod.epc_bytes;
    --record.epc_pods;
  }
}

SimNode make_sim_node(const NodeSpec& spec, const EpcResources& resources) {
  SimNode node;
  node.spec = spec;
  node.record = make_node_record(to_model_node(spec), resources);
  return node;
}

}  // namespace epc
