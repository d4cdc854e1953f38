#include "model/node_record.h"

namespace epc {

NodeRecord make_node_record(const Node& node, const EpcResources& resources,
                            int64_t committed_bytes, int32_t epc_pods) {
  NodeRecord record{.name = node.name,
                    .epc = {},
                    .capacity_error = {},
                    .unschedulable = node.unschedulable,
                    .readiness = node.readiness,
                    .committed_bytes = committed_bytes,
                    .epc_pods = epc_pods};
  auto capacity = epc_capacity(node, resources);
  if (capacity) {
    record.epc = std::move(*capacity);
  } else {
    record.capacity_error = capacity.error().message;
  }
  return record;
}

}  // namespace epc
