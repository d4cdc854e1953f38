// Cost of one pod's change to the cluster state: ClusterState::modify applying the watch event that
// binds a pod to a node, at 500 and 5000 nodes; and the ledger's own cost of binding a pod while
// many others wait (BM_BindWithPendingBacklog). Every scheduled pod costs at least one such change
// (two with its deletion), each publishing a new snapshot, so its cost is paid per pod however fast
// the decisions are.
//
//   build/bench/state_change_bench [--benchmark_filter=...]
//
// Nodes are AKS-like (13 labels, half confidential with 32 GiB of EPC), each with one resident pod
// holding EPC. An iteration is one bind event (the pod bound to a node, Running) and then, so that
// the state stays the same size, the pod's delete event: two modify calls, each changing one pod on
// one node. The per_change counter is the time of one of them. A reader holds the snapshot from
// before each change, as a decision in flight would, so the change cannot reuse its memory.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/aks_nodes.h"
#include "model/cluster_state.h"
#include "model/epc_ledger.h"
#include "model/epc_resources.h"

namespace {

constexpr int64_t kGiB = int64_t{1} << 30;
constexpr int64_t kMiB = int64_t{1} << 20;

using epc::bench::confidential;
using epc::bench::make_node;
using epc::bench::node_name;

epc::Pod make_pod(const std::string& name, int node_index, int64_t epc_bytes) {
  epc::Pod pod;
  pod.namespace_name = "team-1";
  pod.name = name;
  pod.uid = "0b6e3c1a-5f2d-4c7e-9a1b-" + name;
  pod.node_name = node_name(node_index);
  pod.phase = epc::PodPhase::Running;
  const std::string epc = std::to_string(epc_bytes);
  pod.containers = {epc::ContainerResources{.requests = {{"sgx.intel.com/epc", epc}},
                                            .limits = {{"sgx.intel.com/epc", epc}},
                                            .name = "app"}};
  return pod;
}

// A state with `nodes` nodes, listed at once, each with one resident pod holding EPC.
std::unique_ptr<epc::ClusterState> make_state(int nodes) {
  auto state = std::make_unique<epc::ClusterState>(epc::EpcResources::defaults());
  std::vector<epc::Node> listed;
  std::vector<epc::Pod> residents;
  for (int i = 0; i < nodes; ++i) {
    listed.push_back(make_node(i));
    residents.push_back(make_pod("resident-" + std::to_string(i), i, (1 + i % 20) * kGiB / 4));
  }
  state->modify([&](epc::EpcLedger& ledger) {
    ledger.replace_nodes(listed);
    (void)ledger.replace_pods(residents, 0);
  });
  return state;
}

void BM_OnePodBindEvent(benchmark::State& run) {
  const int nodes = static_cast<int>(run.range(0));
  const std::unique_ptr<epc::ClusterState> state = make_state(nodes);
  // Built ahead, so that the loop times the state change, not the pods' construction.
  std::vector<epc::Pod> pods;
  for (int i = 0; i < 64; ++i) {
    pods.push_back(make_pod("placed-" + std::to_string(i), (i * 7919) % nodes, 64 * kMiB));
  }
  size_t next = 0;
  for (auto _ : run) {
    const epc::Pod& pod = pods[next++ % pods.size()];
    std::shared_ptr<const epc::ClusterSnapshot> in_flight = state->snapshot();
    const auto bound =
        state->modify([&](epc::EpcLedger& ledger) { return ledger.upsert_pod(pod); });
    benchmark::DoNotOptimize(bound);
    in_flight = state->snapshot();
    state->modify([&](epc::EpcLedger& ledger) { ledger.remove_pod(pod.uid); });
    benchmark::DoNotOptimize(in_flight);
  }
  run.SetItemsProcessed(static_cast<int64_t>(run.iterations()) * 2);
  run.counters["per_change"] =
      benchmark::Counter(static_cast<double>(run.iterations()) * 2,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_OnePodBindEvent)->Arg(500)->Arg(5000)->Unit(benchmark::kMicrosecond);

// The bind event of the oldest of `backlog` pending pods, which kube-scheduler placed first, then a
// new pending pod so the backlog keeps its size: a cluster with a queue of pods waiting, as after
// a large Job is created. Pending pods are remembered for the bind verb, and each change to that
// memory must not cost in proportion to the backlog.
void BM_BindWithPendingBacklog(benchmark::State& run) {
  const int backlog = static_cast<int>(run.range(0));
  constexpr int kNodes = 500;
  epc::EpcLedger ledger(epc::EpcResources::defaults());
  std::vector<epc::Node> listed;
  for (int i = 0; i < kNodes; ++i) listed.push_back(make_node(i));
  ledger.replace_nodes(listed);
  // A ring of pods, each pending once and then bound, built ahead of the loop.
  const int ring = backlog + 64;
  std::vector<epc::Pod> pending;
  std::vector<epc::Pod> bound;
  for (int i = 0; i < ring; ++i) {
    epc::Pod pod = make_pod("waiting-" + std::to_string(i), (i * 7919) % kNodes, 16 * kMiB);
    bound.push_back(pod);
    pod.node_name.clear();
    pod.phase = epc::PodPhase::Pending;
    pending.push_back(std::move(pod));
  }
  for (int i = 0; i < backlog; ++i) (void)ledger.upsert_pod(pending[static_cast<size_t>(i)]);
  size_t oldest = 0;
  size_t next = static_cast<size_t>(backlog);
  for (auto _ : run) {
    const size_t placed = oldest++ % bound.size();
    benchmark::DoNotOptimize(ledger.upsert_pod(bound[placed]));
    ledger.remove_pod(bound[placed].uid);
    benchmark::DoNotOptimize(ledger.upsert_pod(pending[next++ % pending.size()]));
  }
  run.SetItemsProcessed(static_cast<int64_t>(run.iterations()));
}
BENCHMARK(BM_BindWithPendingBacklog)
    ->ArgName("pending")
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
