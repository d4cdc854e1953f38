// Fit: whether a pod may go on a node, and if not, whether preemption could change that.
//
// The split mirrors kube-scheduler's statuses: kUnschedulable nodes go to the reply's FailedNodes
// (evicting lower-priority pods could free the EPC), kUnresolvable ones to
// FailedAndUnresolvableNodes (no EPC at all, demand above the node's total, cordoned, not Ready,
// unknown, outside the confidential selector): preemption skips those. Reasons carry the numbers,
// e.g. `insufficient sgx.intel.com/epc: requested 64Mi, free 32Mi of 128Mi`.
//
// A node the extender does not know (NodeNames mode, not delivered by the watch yet) is
// unresolvable for an EPC pod. A pod without EPC passes it under nonEpcPods allow and
// prefer-general, which have no opinion that could turn a node away; under require-general it is
// kUnschedulable, since whether it is confidential is only unknown until the watch delivers it.
//
// The policy's headroom (EPC kept for privileged pods; policy_for_pod lifts it for them) counts
// as taken: a pod that would fit only by using it is kUnschedulable while evicting other pods
// could make room outside the headroom (preemption may help, as with any shortage), and
// kUnresolvable when even an empty node's EPC minus the headroom is too small.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/epc_demand.h"
#include "model/epc_resources.h"
#include "model/node_record.h"
#include "model/placement_policy.h"

namespace epc {

enum class Fit { kFits, kUnschedulable, kUnresolvable };

// Why a node was turned away, as a closed set: metrics count rejections by it and summaries group
// by it, where the free-text reason (with its numbers) would make every node its own group.
enum class FitCause {
  kNone,              // the pod fits
  kInsufficientEpc,   // not enough EPC free now
  kEpcTooSmall,       // the demand exceeds the node's whole EPC
  kHeadroom,          // only the headroom kept for privileged pods would make room
  kNoEpc,             // the node publishes no EPC
  kSelectorMismatch,  // outside confidentialNodes.selector, which the rule requires
  kConfidentialNode,  // nonEpcPods require-general keeps the pod off confidential nodes
  kCordoned,
  kNotReady,
  kUnknownNode,      // not in the extender's cluster state
  kInvalidCapacity,  // the node's EPC quantity cannot be read
  kInvalidOverride,  // the pod's annotation override is not allowed or not valid
};
inline constexpr size_t kFitCauseCount = 12;

// snake_case, as used for metric labels: "insufficient_epc".
std::string_view to_string(FitCause cause);

struct FitVerdict {
  Fit fit = Fit::kFits;
  std::string reason;  // empty when the pod fits
  FitCause cause = FitCause::kNone;
};

// A verdict without its reason.
struct FitStatus {
  Fit fit = Fit::kFits;
  FitCause cause = FitCause::kNone;
};

// The verdict alone, building no text: what scoring needs for every candidate. check_fit gives
// the same fit and cause, plus the reason.
FitStatus judge_fit(const EpcDemand& demand, const NodeRecord* node, const PlacementPolicy& policy);

// `node` is null when the extender does not know a node kube-scheduler named (NodeNames mode); see
// above for the verdicts then.
// `resources` only supplies the names listed in the reason for a node without EPC.
FitVerdict check_fit(const EpcDemand& demand, const NodeRecord* node, std::string_view node_name,
                     const PlacementPolicy& policy, const EpcResources& resources);
// As above, listing the names of EpcResources::defaults() for a node without EPC.
FitVerdict check_fit(const EpcDemand& demand, const NodeRecord* node, std::string_view node_name,
                     const PlacementPolicy& policy);

// Whether evicting victims that hold `victim_bytes` of EPC on `node` would let the pod fit
// (the preempt verb's question). Same verdicts and reasons as check_fit, seen after the eviction.
FitVerdict check_fit_after_eviction(const EpcDemand& demand, const NodeRecord& node,
                                    int64_t victim_bytes, const PlacementPolicy& policy,
                                    const EpcResources& resources);
FitVerdict check_fit_after_eviction(const EpcDemand& demand, const NodeRecord& node,
                                    int64_t victim_bytes, const PlacementPolicy& policy);

// The capacity test alone, shared by check_fit and EpcLedger::bind so that both report the same
// numbers: kUnresolvable when the demand exceeds `total_bytes`, kUnschedulable when it exceeds
// what `committed_bytes` and `reserved_bytes` leave free, nullopt when it fits.
std::optional<FitVerdict> epc_shortfall(const EpcDemand& demand, int64_t total_bytes,
                                        int64_t committed_bytes, int64_t reserved_bytes = 0);

// Whether the policy counts `node` as confidential (confidentialNodes.rule and .selector): what
// the non-EPC policy keeps pods without EPC away from.
bool is_confidential(const NodeRecord& node, const PlacementPolicy& policy);

// The reason given for a node name the extender does not know, where that is final: to an EPC
// pod's filter, and to a bind.
std::string unknown_node_reason(std::string_view node_name);

}  // namespace epc
