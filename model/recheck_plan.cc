#include "model/recheck_plan.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <utility>

#include "model/fit.h"

namespace epc {
namespace {

// What one candidate would need read, and how promising it is: lower ranks first, then fewer
// pods that must be gone, then fewer reads.
struct Option {
  int rank = 0;
  size_t must_go = 0;
  std::string node;
  bool read_node = false;     // the node itself, or
  std::vector<HeldPod> pods;  // the pods held on it, largest first
};

// Causes that the node's own facts decide, which a fresh read of the node can overturn: it may
// have joined, got (more) EPC back from its device plugin, been uncordoned or become Ready.
bool node_facts_may_be_stale(FitCause cause) {
  switch (cause) {
    case FitCause::kUnknownNode:
    case FitCause::kNoEpc:
    case FitCause::kEpcTooSmall:
    case FitCause::kEpcResourceMismatch:
    case FitCause::kCordoned:
    case FitCause::kNotReady:
    case FitCause::kInvalidCapacity:
      return true;
    default:
      return false;
  }
}

struct HeldBytes {
  HeldPod pod;
  int64_t bytes = 0;
};

// The pods the view holds EPC for on each of `nodes`, bound or reserved, but not `self`.
std::unordered_map<std::string, std::vector<HeldBytes>> held_on(
    const EpcLedger& ledger, const std::unordered_map<std::string, size_t>& nodes,
    const std::string& self) {
  std::unordered_map<std::string, std::vector<HeldBytes>> held;
  const auto hold = [&](const std::string& id, const PodRecord& pod, const std::string& node,
                        int64_t bytes) {
    if (id == self || bytes <= 0 || !nodes.contains(node)) return;
    held[node].push_back({HeldPod{id, pod.namespace_name, pod.name, pod.uid, node}, bytes});
  };
  for (const auto& [id, pod] : ledger.pods()) {
    if (!pod.node_name.empty()) hold(id, pod, pod.node_name, pod.epc_bytes);
  }
  for (const auto& [id, reservation] : ledger.reservations()) {
    if (const PodRecord* pod = ledger.pod_by_uid(id)) {
      hold(id, *pod, reservation.node_name, reservation.bytes);
    }
  }
  for (auto& [node, pods] : held) {
    std::stable_sort(pods.begin(), pods.end(), [](const HeldBytes& a, const HeldBytes& b) {
      if (a.bytes != b.bytes) return a.bytes > b.bytes;
      return a.pod.identity < b.pod.identity;
    });
  }
  return held;
}

// How many of `pods` (largest first) must be gone for the pod to fit on `node`; nullopt when even
// all of them would not do.
std::optional<size_t> pods_that_must_go(const EpcDemand& demand, const NodeRecord& node,
                                        const std::vector<HeldBytes>& pods,
                                        const PlacementPolicy& policy) {
  NodeRecord after = node;
  for (size_t i = 0; i < pods.size(); ++i) {
    // Reserved EPC counts alongside committed EPC, so either one going frees the same room.
    after.committed_bytes -= pods[i].bytes;
    if (after.committed_bytes < 0) {
      after.reserved_bytes = std::max<int64_t>(0, after.reserved_bytes + after.committed_bytes);
      after.committed_bytes = 0;
    }
    if (judge_fit(demand, &after, policy).fit == Fit::kFits) return i + 1;
  }
  return std::nullopt;
}

}  // namespace

RecheckPlan plan_recheck(const PodRequest& pod, CandidateView candidates,
                         const FilterDecision& first, const EpcLedger& ledger, bool node_facts_sent,
                         size_t max_reads) {
  RecheckPlan plan;
  if (max_reads == 0 || !pod.demand || !pod.policy || first.error ||
      !first.rejects(candidates.names.size())) {
    return plan;
  }
  const EpcDemand& demand = *pod.demand;
  const PlacementPolicy& policy = **pod.policy;

  std::vector<Option> options;
  std::unordered_map<std::string, size_t> short_nodes;  // name → candidate index
  for (size_t i = 0; i < candidates.names.size(); ++i) {
    const NodeRecord* node = candidates.records[i];
    const FitStatus status = judge_fit(demand, node, policy);
    if (status.fit == Fit::kFits) continue;
    if (node == nullptr) {
      // Never delivered by the watch: it may have just joined (a cluster autoscaler scale-up).
      options.push_back({.rank = 0, .node = std::string(candidates.names[i]), .read_node = true});
    } else if (node_facts_may_be_stale(status.cause)) {
      if (!node_facts_sent) {
        options.push_back({.rank = 1, .node = node->name, .read_node = true});
      }
    } else if (status.fit == Fit::kUnschedulable && (status.cause == FitCause::kInsufficientEpc ||
                                                     status.cause == FitCause::kHeadroom)) {
      short_nodes.emplace(node->name, i);
    }
  }
  if (!short_nodes.empty()) {
    auto held = held_on(ledger, short_nodes, pod.identity);
    for (auto& [name, pods] : held) {
      const NodeRecord& node = *candidates.records[short_nodes.at(name)];
      const std::optional<size_t> must_go = pods_that_must_go(demand, node, pods, policy);
      if (!must_go) continue;
      Option option{.rank = 2, .must_go = *must_go, .node = name};
      for (HeldBytes& held_pod : pods) option.pods.push_back(std::move(held_pod.pod));
      options.push_back(std::move(option));
    }
  }
  std::stable_sort(options.begin(), options.end(), [](const Option& a, const Option& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.must_go != b.must_go) return a.must_go < b.must_go;
    if (a.pods.size() != b.pods.size()) return a.pods.size() < b.pods.size();
    return a.node < b.node;
  });

  for (Option& option : options) {
    const size_t left = max_reads - plan.reads();
    if (left == 0) break;
    if (option.read_node) {
      plan.nodes.push_back(std::move(option.node));
      continue;
    }
    // Too few reads left to see enough of this node's pods gone: the next option may fit.
    if (option.must_go > left) continue;
    const size_t take = std::min(left, option.pods.size());
    for (size_t i = 0; i < take; ++i) plan.pods.push_back(std::move(option.pods[i]));
  }
  return plan;
}

}  // namespace epc
