// Fit: whether a pod may go on a node, and if not, whether preemption could change that.
//
// The split mirrors kube-scheduler's statuses: kUnschedulable nodes go to the reply's FailedNodes
// (evicting lower-priority pods could free the EPC), kUnresolvable ones to FailedAndUnresolvableNodes
// (no EPC at all, demand above the node's total, cordoned, not Ready, unknown): preemption skips
// those. Reasons carry the numbers, e.g.
// `insufficient sgx.intel.com/epc: requested 64Mi, free 32Mi of 128Mi`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/epc_demand.h"
#include "model/node_record.h"
#include "model/placement_policy.h"

namespace epc {

enum class Fit { kFits, kUnschedulable, kUnresolvable };

struct FitVerdict {
  Fit fit = Fit::kFits;
  std::string reason;  // empty when the pod fits
};

// `node` is null when the extender does not know a node kube-scheduler named (NodeNames mode).
FitVerdict check_fit(const EpcDemand& demand, const NodeRecord* node, std::string_view node_name,
                     const PlacementPolicy& policy);

// Whether evicting victims that hold `victim_bytes` of EPC on `node` would let the pod fit
// (the preempt verb's question). Same verdicts and reasons as check_fit, seen after the eviction.
FitVerdict check_fit_after_eviction(const EpcDemand& demand, const NodeRecord& node,
                                    int64_t victim_bytes, const PlacementPolicy& policy);

}  // namespace epc
