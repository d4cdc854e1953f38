// Node: the parts of a v1.Node that EPC placement depends on.
//
// Like Pod, it is filled by decoders and carries quantities as text; `epc_capacity` turns them into
// bytes. Readiness is three-valued because a node object without a Ready condition (hand-written
// cluster files, some test fixtures) says nothing either way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/labels.h"
#include "model/resource_list.h"

namespace epc {

enum class NodeReadiness { Ready, NotReady, Unknown };

struct Node {
  std::string name;
  ResourceList allocatable;    // status.allocatable
  ResourceList capacity;       // status.capacity, used for a resource missing from allocatable
  bool unschedulable = false;  // spec.unschedulable (kubectl cordon)
  // Ready condition: status "True" → Ready; "False" or "Unknown" → NotReady; absent → Unknown.
  NodeReadiness readiness = NodeReadiness::Unknown;
  // Ready condition status "Unknown" (readiness NotReady): the node controller has lost the
  // kubelet's heartbeats and taints node.kubernetes.io/unreachable rather than not-ready.
  bool unreachable = false;
  // What the scoring config's confidentialNodes.selector and pools.labelKey look at.
  Labels labels;
  // Set while the node carries consolidation's drain taint (model/consolidation/drain_taint.h):
  // the Unix second its drain began.
  std::optional<int64_t> draining_since;
};

}  // namespace epc
