// Fit: whether a pod may go on a node, and if not, whether preemption could change that.
//
// The split mirrors kube-scheduler's statuses: kUnschedulable nodes go to the reply's FailedNodes
// (evicting lower-priority pods could free the EPC), kUnresolvable ones to
// FailedAndUnresolvableNodes (no EPC at all, EPC only under another name, demand above the node's
// total, cordoned, not Ready, unknown, outside the confidential selector): preemption skips those.
// Reasons carry the numbers, e.g. `insufficient sgx.intel.com/epc: requested 64Mi, free 32Mi of
// 128Mi`.
//
// A node the extender does not know (NodeNames mode, not delivered by the watch yet) is
// unresolvable for an EPC pod. A pod without EPC passes it under nonEpcPods allow and
// prefer-general, which have no opinion that could turn a node away; under require-general it is
// kUnschedulable, since whether it is confidential is only unknown until the watch delivers it.
//
// EPC resource names are not interchangeable: a pod's demand under a name fits only on a node that
// publishes that name, with enough free under it (kube-scheduler's NodeResourcesFit compares each
// extended resource by its exact name), and a pod asking under several names needs each. A node
// that does not publish a name the pod asks for is unresolvable, naming the resource: `node
// publishes no kubernetes.azure.com/sgx_epc_mem_in_MiB (it publishes sgx.intel.com/epc)`. (The
// kubelet is more lenient: its admission drops requests for extended resources the node does not
// publish at all, removeMissingExtendedResources in pkg/kubelet/lifecycle/predicate.go, so only the
// scheduler keeps such pods away, and this extender with it.)
//
// Free EPC under a name is the node's amount under that name minus the node's committed and
// reserved EPC. The ledger keeps one committed amount per node, whatever name each pod asked under,
// where Kubernetes accounts each name separately. On the usual node, publishing one name, that is
// exact: every pod holding EPC there asked under that name, since kube-scheduler places pods by it
// (only a pod bound by hand, bypassing the scheduler, could differ). On a node publishing two names
// (two device plugins for the same hardware, during a migration) each name's free EPC is counted
// after the pods of both: stricter than kube-scheduler, and what the one EPC of the hardware really
// has left.
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
  kNone,                 // the pod fits
  kInsufficientEpc,      // not enough EPC free now
  kEpcTooSmall,          // the demand exceeds the node's whole EPC
  kHeadroom,             // only the headroom kept for privileged pods would make room
  kNoEpc,                // the node publishes no EPC
  kEpcResourceMismatch,  // the node publishes EPC, but not under a name the pod asks for
  kSelectorMismatch,     // outside confidentialNodes.selector, which the rule requires
  kConfidentialNode,     // nonEpcPods require-general keeps the pod off confidential nodes
  kCordoned,
  kNotReady,
  kUnknownNode,      // not in the extender's cluster state
  kInvalidCapacity,  // the node's EPC quantity cannot be read
  kInvalidOverride,  // the pod's annotation override is not allowed or not valid
};
inline constexpr size_t kFitCauseCount = 13;

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
// numbers, for each EPC name the demand asks for: kUnresolvable when `epc` does not publish it or
// its demand exceeds what `epc` publishes under it, kUnschedulable when that demand exceeds what
// `committed_bytes` and `reserved_bytes` leave free there, nullopt when every name fits.
std::optional<FitVerdict> epc_shortfall(const EpcDemand& demand, const EpcCapacity& epc,
                                        int64_t committed_bytes, int64_t reserved_bytes = 0);

// Whether the policy counts `node` as confidential (confidentialNodes.rule and .selector): what
// the non-EPC policy keeps pods without EPC away from.
bool is_confidential(const NodeRecord& node, const PlacementPolicy& policy);

// The reason given for a node name the extender does not know, where that is final: to an EPC
// pod's filter, and to a bind.
std::string unknown_node_reason(std::string_view node_name);

}  // namespace epc
