// Hand-checked simulations: where each policy puts pods, the pending queue and its retry, and the
// figures of the result.
#include <gtest/gtest.h>

#include "config/scoring_config.h"
#include "simulator/simulation.h"
#include "test/simulator/trace_pods.h"

namespace epc {
namespace {

constexpr int64_t kGi = int64_t{1} << 30;

std::vector<NodeSpec> confidential_nodes(size_t count, int64_t epc_gi) {
  std::vector<NodeSpec> nodes;
  for (size_t i = 0; i < count; ++i) {
    nodes.push_back({"conf-" + std::to_string(i), "conf", epc_gi * kGi, 4000, 16 * kGi, {}});
  }
  return nodes;
}

using test::trace_pod;

std::unique_ptr<SchedulingPolicy> binpack() {
  Result<ScoringConfig> config = parse_config(
      "apiVersion: epc-extender.io/v1alpha1\nkind: ScoringConfig\nstrategy: binpack\n"
      "extender: {weight: 5}\n");
  EXPECT_TRUE(config.ok());
  return make_extender_policy("binpack", std::move(*config));
}

TEST(Simulation, BinpackUsesFewerNodesThanKubeDefault) {
  // Two 1 GiB enclaves on two empty 8 GiB nodes. kube-default's LeastAllocated sends the second to
  // the emptier node (cpu 500m/4000m: score 87+93 vs 75+...); epc-extender's binpack ranks the
  // first node 10 (2/8 full after) against 9 (1/8), and 10 × 5 × 10 outweighs the plugins.
  const std::vector<NodeSpec> nodes = confidential_nodes(2, 8);
  const Trace trace = {trace_pod("a", 0, 1), trace_pod("b", 1, 1), trace_pod("end", 10, 0)};
  auto kube = make_kube_default_policy();
  const SimulationResult spread = simulate(nodes, trace, *kube, 1);
  auto packer = binpack();
  const SimulationResult packed = simulate(nodes, trace, *packer, 1);
  EXPECT_EQ(spread.peak_nodes_in_use, 2u);
  EXPECT_EQ(packed.peak_nodes_in_use, 1u);
  // In use: kube-default 1 node for [0,1) then 2 for [1,10); binpack 1 throughout.
  EXPECT_DOUBLE_EQ(spread.time_weighted_nodes_in_use, (1.0 + 2 * 9) / 10);
  EXPECT_DOUBLE_EQ(packed.time_weighted_nodes_in_use, 1.0);
  // EPC utilisation of used nodes: binpack 1/8 then 2/8 of one node; kube-default 1/8 then 2/16.
  EXPECT_DOUBLE_EQ(packed.epc_utilisation_of_used, (1.0 / 8 * 1 + 2.0 / 8 * 9) / 10);
  EXPECT_DOUBLE_EQ(spread.epc_utilisation_of_used, (1.0 / 8 * 1 + 2.0 / 16 * 9) / 10);
  for (const SimulationResult* result : {&spread, &packed}) {
    EXPECT_EQ(result->placed, 3u);
    EXPECT_EQ(result->pending, 0u);
    EXPECT_EQ(result->decisions, 3u);
    EXPECT_EQ(result->volume_bound_at_peak, 1u);
    EXPECT_DOUBLE_EQ(result->time_weighted_volume_bound, 1.0);
  }
}

TEST(Simulation, PendingPodIsRetriedWhenRoomIsFreed) {
  // b (3 GiB) cannot fit beside a (3 GiB) on a 4 GiB node; it waits until a leaves at t=5.
  const std::vector<NodeSpec> nodes = confidential_nodes(1, 4);
  const Trace trace = {trace_pod("a", 0, 3, 5), trace_pod("b", 1, 3), trace_pod("end", 10, 0)};
  auto kube = make_kube_default_policy();
  const SimulationResult result = simulate(nodes, trace, *kube, 1);
  EXPECT_EQ(result.placed, 3u);
  EXPECT_EQ(result.pending, 0u);
  EXPECT_EQ(result.waited, 1u);
  EXPECT_DOUBLE_EQ(result.mean_wait_seconds, 4);
  EXPECT_EQ(result.decisions, 4u);  // a, b (fails), b again at t=5, end
  EXPECT_EQ(result.peak_epc_bytes, 3 * kGi);
  EXPECT_EQ(result.peak_nodes_in_use, 1u);
}

TEST(Simulation, StrandedEpcAndPendingPodsFfdCouldPlace) {
  // Two 1 GiB pods then a 4 GiB one on two 4 GiB nodes. kube-default spreads the small pods, so 3
  // GiB stays free on each node and the 4 GiB pod waits: 6 GiB stranded, and FFD (4 | 1+1) would
  // have placed it. binpack keeps one node empty for it.
  const std::vector<NodeSpec> nodes = confidential_nodes(2, 4);
  const Trace trace = {trace_pod("a", 0, 1), trace_pod("b", 1, 1), trace_pod("big", 2, 4),
                       trace_pod("end", 10, 0)};
  auto kube = make_kube_default_policy();
  const SimulationResult spread = simulate(nodes, trace, *kube, 1);
  EXPECT_EQ(spread.pending, 1u);
  EXPECT_EQ(spread.pending_epc, 1u);
  EXPECT_EQ(spread.pending_ffd_could_place, 1u);
  EXPECT_EQ(spread.stranded_epc_bytes, 6 * kGi);
  EXPECT_EQ(spread.placed + spread.pending, trace.size());
  auto packer = binpack();
  const SimulationResult packed = simulate(nodes, trace, *packer, 1);
  EXPECT_EQ(packed.pending, 0u);
  EXPECT_EQ(packed.stranded_epc_bytes, 0);
}

TEST(Simulation, PlainPodsAreSteeredOffConfidentialNodesOnlyByTheExtender) {
  std::vector<NodeSpec> nodes = confidential_nodes(1, 8);
  nodes.push_back({"general-0", "general", 0, 4000, 16 * kGi, {}});
  Trace trace;
  for (int i = 0; i < 4; ++i) trace.push_back(trace_pod("web-" + std::to_string(i), i, 0));
  auto kube = make_kube_default_policy();
  EXPECT_EQ(simulate(nodes, trace, *kube, 1).non_epc_on_confidential, 2u);  // alternates
  auto packer = binpack();
  EXPECT_EQ(simulate(nodes, trace, *packer, 1).non_epc_on_confidential, 0u);
}

TEST(Simulation, TiesAreBrokenBySeedReproducibly) {
  const std::vector<NodeSpec> nodes = confidential_nodes(8, 8);
  const Trace trace = {trace_pod("a", 0, 1), trace_pod("end", 1, 0)};
  auto kube = make_kube_default_policy();
  const SimulationResult first = simulate(nodes, trace, *kube, 42);
  const SimulationResult again = simulate(nodes, trace, *kube, 42);
  EXPECT_EQ(first.nodes_in_use_timeline, again.nodes_in_use_timeline);
  EXPECT_EQ(first.peak_nodes_in_use, 1u);
}

}  // namespace
}  // namespace epc

namespace epc {
namespace {

TEST(Simulation, KubeSchedulerSamplesNodesFromARotatingStart) {
  // 200 nodes: kube-scheduler's adaptive percentageOfNodesToScore (50 − 200/125 = 49%, at least
  // 100 nodes) filters nodes 0..99 for the first pod and 100..199 for the second, so binpack
  // never sees the first pod's node and opens a second one. Scoring every node packs both on one.
  const std::vector<NodeSpec> nodes = confidential_nodes(200, 8);
  const Trace trace = {trace_pod("a", 0, 1), trace_pod("b", 1, 1), trace_pod("end", 10, 0)};
  auto packer = binpack();
  EXPECT_EQ(simulate(nodes, trace, *packer, 1).peak_nodes_in_use, 2u);
  packer->set_percentage_of_nodes_to_score(100);
  EXPECT_EQ(simulate(nodes, trace, *packer, 1).peak_nodes_in_use, 1u);
  // Below 100 nodes every node is filtered, whatever the setting.
  const std::vector<NodeSpec> small = confidential_nodes(99, 8);
  packer->set_percentage_of_nodes_to_score(0);
  EXPECT_EQ(simulate(small, trace, *packer, 1).peak_nodes_in_use, 1u);
}

}  // namespace
}  // namespace epc
