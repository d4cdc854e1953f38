// EpcCapacity: how much EPC a node offers, read from its status.
//
// status.allocatable is authoritative (it is what kube-scheduler and the kubelet admit against);
// status.capacity is used only for a resource that allocatable does not list. When a node publishes
// EPC under several names (a migration between device plugins) the first name in EpcResources'
// order wins instead of the sum, which would double-count the same hardware.
#pragma once

#include <cstdint>
#include <string>

#include "model/epc_resources.h"
#include "model/node.h"
#include "model/result.h"

namespace epc {

struct EpcCapacity {
  int64_t bytes = 0;     // 0: a general (non-confidential) node
  std::string resource;  // the name the bytes were read from; empty when bytes == 0

  bool confidential() const { return bytes > 0; }
};

// Errors name the node and resource and echo the quantity.
Result<EpcCapacity> epc_capacity(const Node& node, const EpcResources& resources);

}  // namespace epc
