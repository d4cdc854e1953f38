// EpcCapacity: how much EPC a node offers, read from its status.
//
// status.allocatable is authoritative (it is what kube-scheduler and the kubelet admit against);
// status.capacity is used only for a resource that allocatable does not list. A name published
// with 0 is not offered (kube-scheduler lets no request through it).
//
// When a node publishes EPC under several names (a migration between device plugins) the first
// name in EpcResources' order is the node's EPC for everything that sees one amount per node
// (usage, scoring, the confidential test) instead of the sum, which would double-count the same
// hardware; the others are kept because fit matches a pod's request by its exact name, as
// kube-scheduler does, and a pod asking for the second name gets what is published under it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/epc_resources.h"
#include "model/node.h"
#include "model/result.h"

namespace epc {

struct EpcCapacity {
  int64_t bytes = 0;     // 0: a general (non-confidential) node
  std::string resource;  // the name the bytes were read from; empty when bytes == 0
  // Further EPC names the node publishes, in EpcResources' order. Empty on almost every node, so
  // copying a record allocates nothing for it.
  std::vector<EpcAmount> others = {};

  bool confidential() const { return bytes > 0; }
  // The bytes published under `name`; 0 when the node does not publish it. An empty name (a demand
  // built without one) stands for `resource`.
  // Inline: fit asks this for every candidate, and nearly always of `resource`.
  int64_t bytes_of(std::string_view name) const {
    if (name.empty() || name == resource) return bytes;
    return other_bytes_of(name);
  }
  // "sgx.intel.com/epc", or every name published: "sgx.intel.com/epc, kubernetes.azure.com/...".
  std::string names_text() const;

 private:
  int64_t other_bytes_of(std::string_view name) const;
};

// Errors name the node and resource and echo the quantity.
Result<EpcCapacity> epc_capacity(const Node& node, const EpcResources& resources);

}  // namespace epc
