// Cost of one pod's change to the cluster state: ClusterState::modify applying the watch event that
// binds a pod to a node, at 500 and 5000 nodes; the ledger's own cost of binding a pod while
// many others wait (BM_BindWithPendingBacklog); and one pod's reservation, bind and look-up of
// every candidate while many other pods' bindings are in flight (BM_ReserveWithBindsInFlight).
// Every scheduled pod costs at least one such change (two with its deletion), each publishing a new
// snapshot, so its cost is paid per pod however fast the decisions are.
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
#include "model/candidate_nodes.h"
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

// One pod's path through the state while `in_flight` other pods hold reservations, their bindings
// not yet seen: kube-scheduler binds asynchronously, and against a busy API server hundreds of
// bindings can be out at once. An iteration is what the service does for one pod: look every
// candidate up as the pod sees it (filter, then prioritize), reserve the top node, and bind
// the pod; the oldest reservation then ends as its binding is seen, so the count stays the same.
// What a pod costs here must not grow with the pods in flight.
void BM_ReserveWithBindsInFlight(benchmark::State& run) {
  const int in_flight = static_cast<int>(run.range(0));
  constexpr int kNodes = 500;
  const std::unique_ptr<epc::ClusterState> state = make_state(kNodes);
  std::vector<std::string> names;
  for (int i = 0; i < kNodes; ++i) names.push_back(node_name(i));
  const std::vector<std::string_view> candidates(names.begin(), names.end());
  // A ring of pods, pending then bound, built ahead of the loop; only confidential nodes fit.
  const int ring = in_flight + 64;
  std::vector<epc::Pod> pending;
  std::vector<epc::Pod> bound;
  int node = 0;
  for (int i = 0; i < ring; ++i) {
    while (!confidential(node % kNodes)) ++node;
    epc::Pod pod = make_pod("placing-" + std::to_string(i), node++ % kNodes, 16 * kMiB);
    bound.push_back(pod);
    pod.node_name.clear();
    pod.phase = epc::PodPhase::Pending;
    pending.push_back(std::move(pod));
  }
  const auto bind_request = [](const epc::Pod& pod) {
    return epc::BindRequest{pod.namespace_name, pod.name, pod.uid, pod.node_name};
  };
  const auto now = std::chrono::steady_clock::now();
  const auto expires = now + std::chrono::hours(1);
  const auto place = [&](size_t i) {
    const epc::Pod& pod = pending[i % pending.size()];
    (void)state->modify([&](epc::EpcLedger& ledger) { return ledger.upsert_pod(pod); });
    state->reserve(bind_request(bound[i % bound.size()]), now, expires);
  };
  for (int i = 0; i < in_flight; ++i) place(static_cast<size_t>(i));
  size_t oldest = 0;
  size_t next = static_cast<size_t>(in_flight);
  for (auto _ : run) {
    const size_t i = next++;
    const epc::Pod& pod = pending[i % pending.size()];
    for (int verb = 0; verb < 2; ++verb) {  // filter, then prioritize
      const std::shared_ptr<const epc::ClusterSnapshot> snapshot = state->snapshot();
      epc::CandidateNodes seen(epc::CandidateNodes::Mode::kNodeNames, *snapshot, pod.uid,
                               candidates.size());
      seen.add_names(candidates);
      benchmark::DoNotOptimize(seen.records().data());
    }
    place(i);
    const epc::Pod& seen_bound = bound[oldest++ % bound.size()];
    (void)state->modify([&](epc::EpcLedger& ledger) { return ledger.upsert_pod(seen_bound); });
    (void)state->modify([&](epc::EpcLedger& ledger) { ledger.remove_pod(seen_bound.uid); });
  }
  run.SetItemsProcessed(static_cast<int64_t>(run.iterations()));
}
BENCHMARK(BM_ReserveWithBindsInFlight)
    ->ArgName("in_flight")
    ->Arg(0)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
