#include "model/preempt_decision.h"

#include <limits>

#include "model/fit.h"

namespace epc {
namespace {

int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<int64_t>::max() : sum;
}

// EPC `pod` holds on `node_name` per the ledger; 0 when it is unknown, pending or elsewhere.
int64_t held_on(const PodRecord* pod, const std::string& node_name) {
  return pod != nullptr && pod->node_name == node_name ? pod->epc_bytes : 0;
}

bool has_victims(const NodeVictims& victims) {
  return !victims.pods.empty() || !victims.pod_uids.empty();
}

}  // namespace

int64_t freed_epc_bytes(const NodeVictims& victims, const EpcLedger& ledger) {
  int64_t total = 0;
  if (!victims.pods.empty()) {
    // Full pods: found by UID, or by namespace/name for a pod sent without one.
    for (const Pod& pod : victims.pods) {
      const PodRecord* known = pod.uid.empty() ? ledger.pod_by_name(pod.namespace_name, pod.name)
                                               : ledger.pod_by_uid(pod.uid);
      total = saturating_add(total, held_on(known, victims.node_name));
    }
    return total;
  }
  for (const std::string& uid : victims.pod_uids) {
    total = saturating_add(total, held_on(ledger.pod_by_uid(uid), victims.node_name));
  }
  return total;
}

PreemptDecision decide_preempt(const PodRequest& pod, std::span<const NodeVictims> victims,
                               const ClusterSnapshot& snapshot, const EpcLedger& ledger,
                               const EpcResources& resources, bool ready) {
  PreemptDecision decision;
  if (!ready || !pod.demand || !pod.policy) return decision;
  const PlacementPolicy& policy = **pod.policy;
  for (size_t i = 0; i < victims.size(); ++i) {
    const NodeVictims& node_victims = victims[i];
    if (!has_victims(node_victims)) continue;
    const NodeRecord* node = snapshot.node(node_victims.node_name);
    if (!pod.needs_epc()) {
      // Not an EPC question, but the node must still pass filter: a pod that filter keeps off
      // it (nonEpcPods require-general) would be nominated there and refused again.
      if (check_fit(*pod.demand, node, node_victims.node_name, policy, resources).fit ==
          Fit::kFits) {
        decision.offered.push_back(i);
      }
      continue;
    }
    if (node == nullptr) continue;
    const NodeRecord seen = node->as_seen_by(pod.identity);
    const int64_t freed = freed_epc_bytes(node_victims, ledger);
    if (check_fit_after_eviction(*pod.demand, seen, freed, policy, resources).fit == Fit::kFits) {
      decision.offered.push_back(i);
    }
  }
  return decision;
}

}  // namespace epc
