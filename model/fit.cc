#include "model/fit.h"

#include <algorithm>

#include "model/quantity.h"

namespace epc {
namespace {

FitVerdict fits() {
  return {Fit::kFits, {}, FitCause::kNone};
}
FitVerdict unresolvable(FitCause cause, std::string reason) {
  return {Fit::kUnresolvable, std::move(reason), cause};
}

// `resources` may be null: the default names are then built, only on this rare path.
std::string no_epc_reason(const EpcResources* resources) {
  if (resources == nullptr) {
    const EpcResources defaults = EpcResources::defaults();
    return no_epc_reason(&defaults);
  }
  std::string names;
  for (const EpcResource& resource : resources->all()) {
    if (!names.empty()) names += ", ";
    names += resource.name;
  }
  return "node has no SGX EPC (none of " + names + ")";
}

bool selector_matches(const NodeRecord& node, const PlacementPolicy& policy) {
  return node.labels != nullptr && policy.confidential_selector.matches(*node.labels);
}

std::string selector_text(const PlacementPolicy& policy) {
  return "confidentialNodes.selector \"" + policy.confidential_selector.text() + "\"";
}

FitVerdict check_general_pod(const NodeRecord& node, const PlacementPolicy& policy) {
  if (policy.non_epc_pods != NonEpcPolicy::kRequireGeneral) return fits();
  // Whether the node is confidential cannot be told when its EPC is unreadable (unless the
  // labels alone decide).
  if (!node.capacity_error.empty() && policy.confidential_rule != ConfidentialRule::kSelector) {
    return unresolvable(FitCause::kInvalidCapacity, node.capacity_error);
  }
  if (!is_confidential(node, policy)) return fits();
  const std::string why = node.epc.confidential() ? "node offers SGX EPC (" + node.epc.resource +
                                                        " " + format_bytes(node.epc.bytes) + ")"
                                                  : "node matches " + selector_text(policy);
  return unresolvable(FitCause::kConfidentialNode, why +
                      " and nonEpcPods policy require-general keeps pods without EPC off "
                      "confidential nodes");
}

// The headroom test, after the plain capacity test passed.
std::optional<FitVerdict> headroom_shortfall(const EpcDemand& demand, const NodeRecord& node,
                                             const Headroom& headroom) {
  if (!headroom.active()) return std::nullopt;
  const int64_t total = node.epc.bytes;
  const int64_t kept = headroom.kept_bytes(total);
  const int64_t used =
      std::max<int64_t>(0, node.committed_bytes) + std::max<int64_t>(0, node.reserved_bytes);
  const int64_t free_bytes = std::max<int64_t>(0, total - used);
  if (demand.bytes <= free_bytes - kept) return std::nullopt;
  std::string kept_text = format_bytes(kept);
  if (headroom.percent > 0) kept_text += " (" + std::to_string(headroom.percent) + "%)";
  const std::string tail = " but " + kept_text + " is kept for " + headroom.beneficiaries();
  const std::string prefix =
      "insufficient " + demand.resource + ": requested " + format_bytes(demand.bytes);
  if (demand.bytes > total - kept) {
    return unresolvable(FitCause::kHeadroom, prefix + ", node total " + format_bytes(total) + tail);
  }
  std::string reserved;
  if (node.reserved_bytes > 0) {
    reserved = " (" + format_bytes(node.reserved_bytes) + " reserved for pods being placed)";
  }
  return FitVerdict{Fit::kUnschedulable,
                    prefix + ", free " + format_bytes(free_bytes) + " of " + format_bytes(total) +
                        reserved + tail,
                    FitCause::kHeadroom};
}

FitVerdict check_epc_pod(const EpcDemand& demand, const NodeRecord& node,
                         const PlacementPolicy& policy, const EpcResources* resources) {
  if (!node.capacity_error.empty()) return unresolvable(FitCause::kInvalidCapacity, node.capacity_error);
  if (node.unschedulable) return unresolvable(FitCause::kCordoned, "node is cordoned (spec.unschedulable)");
  // Unknown readiness (no Ready condition at all) is accepted: hand-written cluster files and
  // fixtures often carry none, and kube-scheduler's own filters judge readiness anyway.
  if (node.readiness == NodeReadiness::NotReady) return unresolvable(FitCause::kNotReady, "node is not Ready");
  if (!node.epc.confidential()) return unresolvable(FitCause::kNoEpc, no_epc_reason(resources));
  const bool needs_selector = policy.confidential_rule == ConfidentialRule::kSelector ||
                              policy.confidential_rule == ConfidentialRule::kEpcAndSelector;
  if (needs_selector && !selector_matches(node, policy)) {
    return unresolvable(FitCause::kSelectorMismatch, "node does not match " + selector_text(policy) +
                        ", which EPC pods require (confidentialNodes.rule " +
                        std::string(to_string(policy.confidential_rule)) + ")");
  }
  const std::optional<FitVerdict> shortfall =
      epc_shortfall(demand, node.epc.bytes, node.committed_bytes, node.reserved_bytes);
  if (shortfall && shortfall->fit == Fit::kUnresolvable) return *shortfall;
  // With a headroom, its reason (which names it) replaces the plain one.
  if (auto kept = headroom_shortfall(demand, node, policy.headroom)) return *kept;
  if (shortfall) return *shortfall;
  return fits();
}

FitVerdict fit_of(const EpcDemand& demand, const NodeRecord* node, std::string_view node_name,
                  const PlacementPolicy& policy, const EpcResources* resources) {
  if (node == nullptr) return unresolvable(FitCause::kUnknownNode, unknown_node_reason(node_name));
  if (!demand.needs_epc()) return check_general_pod(*node, policy);
  return check_epc_pod(demand, *node, policy, resources);
}

FitVerdict fit_after_eviction(const EpcDemand& demand, const NodeRecord& node, int64_t victim_bytes,
                              const PlacementPolicy& policy, const EpcResources* resources) {
  NodeRecord after = node;
  after.committed_bytes =
      std::max<int64_t>(0, node.committed_bytes - std::max<int64_t>(0, victim_bytes));
  return fit_of(demand, &after, node.name, policy, resources);
}

}  // namespace

std::optional<FitVerdict> epc_shortfall(const EpcDemand& demand, int64_t total_bytes,
                                        int64_t committed_bytes, int64_t reserved_bytes) {
  const auto prefix = [&] {
    return "insufficient " + demand.resource + ": requested " + format_bytes(demand.bytes);
  };
  if (demand.bytes > total_bytes) {
    return FitVerdict{Fit::kUnresolvable, prefix() + ", node total " + format_bytes(total_bytes),
                      FitCause::kEpcTooSmall};
  }
  // Committed may exceed the total (pods bound before the node shrank); free is then 0.
  const int64_t used = std::max<int64_t>(0, committed_bytes) + std::max<int64_t>(0, reserved_bytes);
  const int64_t free_bytes = std::max<int64_t>(0, total_bytes - used);
  if (demand.bytes <= free_bytes) return std::nullopt;
  std::string reason =
      prefix() + ", free " + format_bytes(free_bytes) + " of " + format_bytes(total_bytes);
  if (reserved_bytes > 0) {
    reason += " (" + format_bytes(reserved_bytes) + " reserved for pods being placed)";
  }
  return FitVerdict{Fit::kUnschedulable, std::move(reason), FitCause::kInsufficientEpc};
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
