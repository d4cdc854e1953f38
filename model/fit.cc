#include "model/fit.h"

#include <algorithm>

#include "model/quantity.h"

namespace epc {
namespace {

// Judging and describing are separate: judging (the hot path, run for every candidate of every
// filter and prioritize call) builds no text; a rejected node's reason is described afterwards
// from the same facts, only where a reply needs it.

constexpr FitStatus kFitsStatus{Fit::kFits, FitCause::kNone};

FitStatus unresolvable(FitCause cause) {
  return {Fit::kUnresolvable, cause};
}

// `resources` may be null: the default names are then built, only on this rare path.
std::string no_epc_reason(const EpcResources* resources) {
  if (resources == nullptr) {
    const EpcResources defaults = EpcResources::defaults();
    return no_epc_reason(&defaults);
  }
  // One allocation: every general node of a filter gets this text.
  constexpr std::string_view kHead = "node has no SGX EPC (none of ";
  std::string reason;
  reason.reserve(kHead.size() + resources->names_text().size() + 1);
  reason.append(kHead).append(resources->names_text()).push_back(')');
  return reason;
}

bool selector_matches(const NodeRecord& node, const PlacementPolicy& policy) {
  return node.labels != nullptr && policy.confidential_selector.matches(*node.labels);
}

std::string selector_text(const PlacementPolicy& policy) {
  return "confidentialNodes.selector \"" + policy.confidential_selector.text() + "\"";
}

bool needs_selector(const PlacementPolicy& policy) {
  return policy.confidential_rule == ConfidentialRule::kSelector ||
         policy.confidential_rule == ConfidentialRule::kEpcAndSelector;
}

// The EPC a node has for one EPC name a pod asks for: the node's amount under that name, and the
// one committed and one reserved amount kept per node (see fit.h).
struct EpcRoom {
  int64_t total_bytes = 0;
  int64_t committed_bytes = 0;
  int64_t reserved_bytes = 0;
};

// Committed may exceed the total (pods bound before the node shrank); free is then 0.
int64_t free_bytes_of(const EpcRoom& room) {
  const int64_t used =
      std::max<int64_t>(0, room.committed_bytes) + std::max<int64_t>(0, room.reserved_bytes);
  return std::max<int64_t>(0, room.total_bytes - used);
}

std::optional<FitStatus> shortfall_status(int64_t demand_bytes, const EpcRoom& room) {
  if (demand_bytes > room.total_bytes) return unresolvable(FitCause::kEpcTooSmall);
  if (demand_bytes <= free_bytes_of(room)) return std::nullopt;
  return FitStatus{Fit::kUnschedulable, FitCause::kInsufficientEpc};
}

// The headroom test, after the plain capacity test passed.
std::optional<FitStatus> headroom_status(int64_t demand_bytes, const EpcRoom& room,
                                         const Headroom& headroom) {
  if (!headroom.active()) return std::nullopt;
  const int64_t kept = headroom.kept_bytes(room.total_bytes);
  if (demand_bytes <= free_bytes_of(room) - kept) return std::nullopt;
  return FitStatus{
      demand_bytes > room.total_bytes - kept ? Fit::kUnresolvable : Fit::kUnschedulable,
      FitCause::kHeadroom};
}

// One EPC name's capacity test: the plain one, and with a headroom its verdict (whose reason
// names it) in place of the plain one, unless the node is too small anyway.
std::optional<FitStatus> request_status(int64_t demand_bytes, const EpcRoom& room,
                                        const Headroom& headroom) {
  std::optional<FitStatus> status = shortfall_status(demand_bytes, room);
  if (status && status->fit == Fit::kUnresolvable) return status;
  if (auto kept = headroom_status(demand_bytes, room, headroom)) return kept;
  return status;
}

// One EPC name of a demand that does not fit, with the room it was judged against.
struct FailingRequest {
  EpcRequest request;
  EpcRoom room;
  FitStatus status;
};

// Every EPC name the demand asks for, each looked up once and judged against the node's amount
// under that exact name: the first name the node does not publish (kEpcResourceMismatch), else
// the worst capacity failure (unresolvable before unschedulable, the first among equals), or
// nullopt when every name fits. With a headroom, its verdict (whose reason names it) replaces
// the plain one. One pass, as this runs for every candidate of every filter and prioritize call.
std::optional<FailingRequest> failing_request(const EpcDemand& demand, const EpcCapacity& epc,
                                              int64_t committed_bytes, int64_t reserved_bytes,
                                              const Headroom& headroom) {
  std::optional<FailingRequest> failing;
  for (size_t i = 0; i < demand.request_count(); ++i) {
    const EpcRequest request = demand.request(i);
    const EpcRoom room{epc.bytes_of(request.resource), committed_bytes, reserved_bytes};
    if (room.total_bytes == 0) {
      return FailingRequest{request, room, unresolvable(FitCause::kEpcResourceMismatch)};
    }
    const std::optional<FitStatus> status = request_status(request.bytes, room, headroom);
    if (!status) continue;
    if (!failing ||
        (status->fit == Fit::kUnresolvable && failing->status.fit != Fit::kUnresolvable)) {
      failing = FailingRequest{request, room, *status};
    }
  }
  return failing;
}

FitStatus judge_general_pod(const NodeRecord& node, const PlacementPolicy& policy) {
  if (policy.non_epc_pods != NonEpcPolicy::kRequireGeneral) return kFitsStatus;
  // Whether the node is confidential cannot be told when its EPC is unreadable (unless the
  // labels alone decide).
  if (!node.capacity_error.empty() && policy.confidential_rule != ConfidentialRule::kSelector) {
    return unresolvable(FitCause::kInvalidCapacity);
  }
  if (!is_confidential(node, policy)) return kFitsStatus;
  return unresolvable(FitCause::kConfidentialNode);
}

FitStatus judge_epc_pod(const EpcDemand& demand, const NodeRecord& node,
                        const PlacementPolicy& policy) {
  if (!node.capacity_error.empty()) return unresolvable(FitCause::kInvalidCapacity);
  // A pod that tolerates the taint standing for the condition passes, as in kube-scheduler
  // (NodeUnschedulable's Filter; TaintToleration for the node lifecycle controller's taints): see
  // model/toleration.h.
  if (node.unschedulable && !demand.tolerates.unschedulable) {
    return unresolvable(FitCause::kCordoned);
  }
  // Unknown readiness (no Ready condition at all) is accepted: hand-written cluster files and
  // fixtures often carry none, and kube-scheduler's own filters judge readiness anyway.
  if (node.readiness == NodeReadiness::NotReady &&
      !(node.unreachable ? demand.tolerates.unreachable : demand.tolerates.not_ready)) {
    return unresolvable(FitCause::kNotReady);
  }
  if (!node.epc.confidential()) return unresolvable(FitCause::kNoEpc);
  if (demand.request_count() == 1) {
    // The common demand, one EPC name: the same order as below, without building a
    // FailingRequest.
    const EpcRequest request = demand.request(0);
    const EpcRoom room{node.epc.bytes_of(request.resource), node.committed_bytes,
                       node.reserved_bytes};
    if (room.total_bytes == 0) return unresolvable(FitCause::kEpcResourceMismatch);
    if (needs_selector(policy) && !selector_matches(node, policy)) {
      return unresolvable(FitCause::kSelectorMismatch);
    }
    return request_status(request.bytes, room, policy.headroom).value_or(kFitsStatus);
  }
  const std::optional<FailingRequest> failing =
      failing_request(demand, node.epc, node.committed_bytes, node.reserved_bytes, policy.headroom);
  // An unpublished name outranks the selector; the selector outranks the numbers.
  if (failing && failing->status.cause == FitCause::kEpcResourceMismatch) return failing->status;
  if (needs_selector(policy) && !selector_matches(node, policy)) {
    return unresolvable(FitCause::kSelectorMismatch);
  }
  return failing ? failing->status : kFitsStatus;
}

std::string unpublished_reason(std::string_view resource, const EpcCapacity& epc) {
  std::string reason = "node publishes no " + std::string(resource);
  if (epc.confidential()) reason += " (it publishes " + epc.names_text() + ")";
  return reason;
}

std::string requested_text(const EpcRequest& request) {
  return "insufficient " + std::string(request.resource) + ": requested " +
         format_bytes(request.bytes);
}

std::string reserved_text(int64_t reserved_bytes) {
  if (reserved_bytes <= 0) return {};
  return " (" + format_bytes(reserved_bytes) + " reserved for pods being placed)";
}

// Why `failing` does not fit: the numbers of its name, and the headroom when that decided.
std::string capacity_reason(const FailingRequest& failing, const Headroom& headroom,
                            const EpcCapacity& epc) {
  if (failing.status.cause == FitCause::kEpcResourceMismatch) {
    return unpublished_reason(failing.request.resource, epc);
  }
  const EpcRoom& room = failing.room;
  std::string tail;
  if (failing.status.cause == FitCause::kHeadroom) {
    std::string kept_text = format_bytes(headroom.kept_bytes(room.total_bytes));
    if (headroom.percent > 0) kept_text += " (" + std::to_string(headroom.percent) + "%)";
    tail = " but " + kept_text + " is kept for " + headroom.beneficiaries();
  }
  if (failing.status.fit == Fit::kUnresolvable) {
    return requested_text(failing.request) + ", node total " + format_bytes(room.total_bytes) +
           tail;
  }
  return requested_text(failing.request) + ", free " + format_bytes(free_bytes_of(room)) + " of " +
         format_bytes(room.total_bytes) + reserved_text(room.reserved_bytes) + tail;
}

// Why `status` (not kFits) holds for `node`: the facts judge_* decided on, with their numbers.
std::string describe(FitStatus status, const EpcDemand& demand, const NodeRecord& node,
                     const PlacementPolicy& policy, const EpcResources* resources) {
  switch (status.cause) {
    case FitCause::kInvalidCapacity:
      return node.capacity_error;
    case FitCause::kCordoned:
      return "node is cordoned (spec.unschedulable)";
    case FitCause::kNotReady:
      return "node is not Ready";
    case FitCause::kNoEpc:
      return no_epc_reason(resources);
    case FitCause::kSelectorMismatch:
      return "node does not match " + selector_text(policy) +
             ", which EPC pods require (confidentialNodes.rule " +
             std::string(to_string(policy.confidential_rule)) + ")";
    case FitCause::kConfidentialNode:
      return (node.epc.confidential() ? "node offers SGX EPC (" + node.epc.resource + " " +
                                            format_bytes(node.epc.bytes) + ")"
                                      : "node matches " + selector_text(policy)) +
             " and nonEpcPods policy require-general keeps pods without EPC off confidential "
             "nodes";
    case FitCause::kEpcResourceMismatch:
    case FitCause::kEpcTooSmall:
    case FitCause::kInsufficientEpc:
    case FitCause::kHeadroom:
      // The same pass judge_epc_pod made, again only for a node that a reply names as rejected.
      if (auto failing = failing_request(demand, node.epc, node.committed_bytes,
                                         node.reserved_bytes, policy.headroom)) {
        return capacity_reason(*failing, policy.headroom, node.epc);
      }
      break;
    case FitCause::kUnknownNode:
    case FitCause::kInvalidOverride:
    case FitCause::kNone:
      break;
  }
  return std::string(to_string(status.cause));
}

// A node kube-scheduler named that the cluster state does not hold (NodeNames mode; the watch has
// not delivered it yet). A pod without EPC passes wherever the non-EPC policy has no opinion on
// the node; require-general needs to know whether the node is confidential, which only its
// delivery will tell, hence kUnschedulable: a later attempt may pass. EPC pods stay unresolvable.
FitStatus judge_unknown_node(const EpcDemand& demand, const PlacementPolicy& policy) {
  if (demand.needs_epc()) return unresolvable(FitCause::kUnknownNode);
  if (policy.non_epc_pods != NonEpcPolicy::kRequireGeneral) return kFitsStatus;
  return {Fit::kUnschedulable, FitCause::kUnknownNode};
}

std::string describe_unknown_node(FitStatus status, std::string_view node_name) {
  if (status.fit == Fit::kUnresolvable) return unknown_node_reason(node_name);
  return "node \"" + std::string(node_name) +
         "\" is not in epc-extender's cluster state yet, and nonEpcPods policy require-general "
         "needs to know whether it is confidential";
}

FitVerdict fit_of(const EpcDemand& demand, const NodeRecord* node, std::string_view node_name,
                  const PlacementPolicy& policy, const EpcResources* resources) {
  const FitStatus status = judge_fit(demand, node, policy);
  if (status.fit == Fit::kFits) return {Fit::kFits, {}, FitCause::kNone};
  return {status.fit,
          node == nullptr ? describe_unknown_node(status, node_name)
                          : describe(status, demand, *node, policy, resources),
          status.cause};
}

FitVerdict fit_after_eviction(const EpcDemand& demand, const NodeRecord& node, int64_t victim_bytes,
                              const PlacementPolicy& policy, const EpcResources* resources) {
  NodeRecord after = node;
  after.committed_bytes =
      std::max<int64_t>(0, node.committed_bytes - std::max<int64_t>(0, victim_bytes));
  return fit_of(demand, &after, node.name, policy, resources);
}

}  // namespace

FitStatus judge_fit(const EpcDemand& demand, const NodeRecord* node,
                    const PlacementPolicy& policy) {
  if (node == nullptr) return judge_unknown_node(demand, policy);
  return demand.needs_epc() ? judge_epc_pod(demand, *node, policy)
                            : judge_general_pod(*node, policy);
}

std::optional<FitVerdict> epc_shortfall(const EpcDemand& demand, const EpcCapacity& epc,
                                        int64_t committed_bytes, int64_t reserved_bytes) {
  static const Headroom kNoHeadroom;
  const std::optional<FailingRequest> failing =
      failing_request(demand, epc, committed_bytes, reserved_bytes, kNoHeadroom);
  if (!failing) return std::nullopt;
  return FitVerdict{failing->status.fit, capacity_reason(*failing, kNoHeadroom, epc),
                    failing->status.cause};
}

bool is_confidential(const NodeRecord& node, const PlacementPolicy& policy) {
  switch (policy.confidential_rule) {
    case ConfidentialRule::kEpc:
      return node.epc.confidential();
    case ConfidentialRule::kSelector:
      return selector_matches(node, policy);
    case ConfidentialRule::kEpcOrSelector:
      return node.epc.confidential() || selector_matches(node, policy);
    case ConfidentialRule::kEpcAndSelector:
      return node.epc.confidential() && selector_matches(node, policy);
  }
  return node.epc.confidential();
}

std::string_view to_string(FitCause cause) {
  switch (cause) {
    case FitCause::kNone:
      return "none";
    case FitCause::kInsufficientEpc:
      return "insufficient_epc";
    case FitCause::kEpcTooSmall:
      return "epc_too_small";
    case FitCause::kHeadroom:
      return "headroom";
    case FitCause::kNoEpc:
      return "no_epc";
    case FitCause::kEpcResourceMismatch:
      return "epc_resource_mismatch";
    case FitCause::kSelectorMismatch:
      return "selector_mismatch";
    case FitCause::kConfidentialNode:
      return "confidential_node";
    case FitCause::kCordoned:
      return "cordoned";
    case FitCause::kNotReady:
      return "not_ready";
    case FitCause::kUnknownNode:
      return "unknown_node";
    case FitCause::kInvalidCapacity:
      return "invalid_capacity";
    case FitCause::kInvalidOverride:
      return "invalid_override";
  }
  return "unknown";
}

std::string unknown_node_reason(std::string_view node_name) {
  return "node \"" + std::string(node_name) + "\" is not in epc-extender's cluster state";
}

FitVerdict check_fit(const EpcDemand& demand, const NodeRecord* node, std::string_view node_name,
                     const PlacementPolicy& policy, const EpcResources& resources) {
  return fit_of(demand, node, node_name, policy, &resources);
}

FitVerdict check_fit(const EpcDemand& demand, const NodeRecord* node, std::string_view node_name,
                     const PlacementPolicy& policy) {
  return fit_of(demand, node, node_name, policy, nullptr);
}

FitVerdict check_fit_after_eviction(const EpcDemand& demand, const NodeRecord& node,
                                    int64_t victim_bytes, const PlacementPolicy& policy,
                                    const EpcResources& resources) {
  return fit_after_eviction(demand, node, victim_bytes, policy, &resources);
}

FitVerdict check_fit_after_eviction(const EpcDemand& demand, const NodeRecord& node,
                                    int64_t victim_bytes, const PlacementPolicy& policy) {
  return fit_after_eviction(demand, node, victim_bytes, policy, nullptr);
}

}  // namespace epc
