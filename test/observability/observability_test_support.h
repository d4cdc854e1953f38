// A small cluster for the observability tests: two pools, a cordoned node, a general node, bound
// and pending EPC pods and one reservation, with the numbers each view should show.
#pragma once

#include <chrono>

#include "model/cluster_state.h"
#include "model/placement_policy.h"
#include "test/model/builders.h"

namespace epc::test {

using testing_builders::epc_node;
using testing_builders::epc_pod;
using testing_builders::kIntelEpc;
using testing_builders::kMi;

inline Node pooled(const std::string& name, const std::string& epc, const std::string& pool) {
  Node node = epc_node(name, epc);
  node.labels = {{"agentpool", pool}};
  return node;
}

inline PlacementPolicy pools_by_agentpool() {
  PlacementPolicy policy;
  policy.pool_label_key = "agentpool";
  return policy;
}

// confpool: conf-a 64Mi with p1 32Mi + p2 16Mi; conf-b 128Mi, cordoned, empty.
// bigpool:  big-1 1Gi with prod/p3 256Mi and 8Mi reserved for the pending pod "waiting".
// general-1 without EPC runs web-0 (no EPC); "frontend" is pending without EPC.
inline void fill_small_cluster(ClusterState& state) {
  state.modify([](EpcLedger& ledger) {
    ledger.upsert_node(pooled("conf-a", "64Mi", "confpool"));
    Node cordoned = pooled("conf-b", "128Mi", "confpool");
    cordoned.unschedulable = true;
    ledger.upsert_node(cordoned);
    ledger.upsert_node(pooled("big-1", "1Gi", "bigpool"));
    ledger.upsert_node(pooled("general-1", "", "general"));
    (void)ledger.upsert_pod(epc_pod("p2", "16Mi", "conf-a", PodPhase::Running));
    (void)ledger.upsert_pod(epc_pod("p1", "32Mi", "conf-a", PodPhase::Running));
    Pod p3 = epc_pod("p3", "256Mi", "big-1", PodPhase::Running);
    p3.namespace_name = "prod";
    (void)ledger.upsert_pod(p3);
    (void)ledger.upsert_pod(epc_pod("web-0", "", "general-1", PodPhase::Running));
    (void)ledger.upsert_pod(epc_pod("frontend", ""));
    (void)ledger.upsert_pod(epc_pod("waiting", "8Mi"));
  });
  const SteadyTime now = std::chrono::steady_clock::now();
  state.reserve({"default", "waiting", "uid-waiting", "big-1"}, now, now + std::chrono::hours(1));
}

}  // namespace epc::test
