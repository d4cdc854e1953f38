// Offline bounds on hand-computed cases.
#include <gtest/gtest.h>

#include <random>

#include "simulator/offline_bounds.h"

namespace epc {
namespace {

constexpr int64_t kGi = int64_t{1} << 30;

NodeSpec node(std::string name, std::string pool, int64_t epc_gi, int64_t cpu = 64000) {
  return {std::move(name), std::move(pool), epc_gi * kGi, cpu, 1024 * kGi, {}};
}

TracePod pod(int64_t epc_gi, double arrival = 0, std::optional<double> duration = std::nullopt,
             int64_t cpu = 100) {
  TracePod p;
  p.arrival_seconds = arrival;
  p.duration_seconds = duration;
  p.name = "p";
  p.epc_bytes = epc_gi * kGi;
  p.cpu_milli = cpu;
  p.memory_bytes = kGi;
  return p;
}

TEST(VolumeBound, CeilingOfDemandOverCapacityLargestFirst) {
  const std::vector<NodeSpec> same = {node("a", "p", 8), node("b", "p", 8), node("c", "p", 8),
                                      node("g", "general", 0)};
  const VolumeBound bound(same);
  EXPECT_EQ(bound.nodes_for_epc(0), 0u);
  EXPECT_EQ(bound.nodes_for_epc(8 * kGi), 1u);
  EXPECT_EQ(bound.nodes_for_epc(8 * kGi + 1), 2u);  // ⌈(8Gi+1) / 8Gi⌉
  EXPECT_EQ(bound.nodes_for_epc(24 * kGi), 3u);
  EXPECT_EQ(bound.nodes_for_epc(24 * kGi + 1), 4u);  // more than the cluster: all + 1
  // Mixed sizes: the largest first, 64 + 32 covers 90.
  const std::vector<NodeSpec> mixed = {node("s", "small", 16), node("m", "mid", 32),
                                       node("l", "large", 64)};
  EXPECT_EQ(VolumeBound(mixed).nodes_for_epc(90 * kGi), 2u);
  EXPECT_EQ(VolumeBound(mixed).nodes_for_epc(97 * kGi), 3u);
}

TEST(VolumeBound, CpuOfEpcPodsCanDominate) {
  const std::vector<NodeSpec> nodes = {node("a", "p", 8, 4000), node("b", "p", 8, 4000)};
  // 1 GiB fits on one node, 6 cpus do not.
  EXPECT_EQ(VolumeBound(nodes).nodes_for({kGi, 6000, kGi}), 2u);
}

TEST(FirstFitDecreasing, PacksLargestFirstOntoLargestNodes) {
  // 5, 4, 3, 3, 2, 2, 1 GiB on 8 GiB nodes: FFD packs {5,3}, {4,3,1}, {2,2}: 3 nodes, the
  // volume bound ⌈20 / 8⌉.
  const std::vector<NodeSpec> nodes = {node("a", "p", 8), node("b", "p", 8), node("c", "p", 8),
                                       node("d", "p", 8)};
  const std::vector<TracePod> pods = {pod(1), pod(2), pod(2), pod(3), pod(3), pod(4), pod(5)};
  const FfdResult result = first_fit_decreasing(pods, nodes);
  EXPECT_EQ(result.nodes_used, 3u);
  EXPECT_EQ(result.unplaced, 0u);
  ASSERT_EQ(result.nodes_used_per_pool.size(), 1u);
  EXPECT_EQ(result.nodes_used_per_pool[0], (std::pair<std::string, size_t>{"p", 3}));
}

TEST(FirstFitDecreasing, CountsPodsThatFitNowhereAndUsesLargestNodesFirst) {
  const std::vector<NodeSpec> nodes = {node("s", "small", 4), node("l", "large", 16)};
  const std::vector<TracePod> pods = {pod(20), pod(3), pod(3)};
  const FfdResult result = first_fit_decreasing(pods, nodes);
  EXPECT_EQ(result.unplaced, 1u);
  EXPECT_EQ(result.nodes_used, 1u);  // both 3 GiB pods on the 16 GiB node
  EXPECT_EQ(result.nodes_used_per_pool[0].first, "large");
}

TEST(TraceBounds, PeakConcurrentDemandAndItsPods) {
  const std::vector<NodeSpec> nodes = {node("a", "p", 8), node("b", "p", 8), node("c", "p", 8)};
  // 6 GiB [0,10), 5 GiB [5,20), 4 GiB [12, ...), horizon 20 (the last arrival).
  Trace trace = {pod(6, 0, 10), pod(5, 5, 15), pod(4, 12), pod(0, 20)};
  trace.back().name = "last";
  const TraceBounds bounds = trace_bounds(trace, nodes);
  EXPECT_EQ(bounds.peak_epc_bytes, 11 * kGi);  // 6 + 5 during [5, 10)
  EXPECT_DOUBLE_EQ(bounds.peak_time_seconds, 5);
  EXPECT_EQ(bounds.peak_epc_pods, 2u);
  EXPECT_EQ(bounds.volume_bound, 2u);
  EXPECT_EQ(bounds.ffd.nodes_used, 2u);
  // Over time: [0,5) 6 → 1 node, [5,10) 11 → 2, [10,12) 5 → 1, [12,20) 9 → 2: (5+10+2+16)/20.
  EXPECT_DOUBLE_EQ(bounds.time_weighted_volume_bound, 33.0 / 20);
  EXPECT_DOUBLE_EQ(simulation_horizon(trace), 20);
}

TEST(CapacityBound, SmallestSubsetOfCapacitiesThatCoversTheDemand) {
  const std::vector<NodeSpec> mixed = {node("s0", "small", 16), node("s1", "small", 16),
                                       node("m", "mid", 32),    node("l", "large", 64),
                                       node("x", "xl", 192),    node("g", "general", 0)};
  const CapacityBound bound(mixed);
  EXPECT_EQ(bound.capacity_for(0), 0);
  EXPECT_EQ(bound.capacity_for(1), 16 * kGi);
  EXPECT_EQ(bound.capacity_for(40 * kGi), 48 * kGi);    // 16 + 32 (or 16 + 16 + ...)
  EXPECT_EQ(bound.capacity_for(100 * kGi), 112 * kGi);  // 16 + 32 + 64
  EXPECT_EQ(bound.capacity_for(129 * kGi), 192 * kGi);  // the 192 alone beats 16+16+32+64 = 128
  EXPECT_EQ(bound.capacity_for(400 * kGi), 320 * kGi);  // more than the cluster: all of it
}

// Against every subset of small random clusters.
TEST(CapacityBound, MatchesBruteForce) {
  std::mt19937 random(3);
  for (int round = 0; round < 100; ++round) {
    std::vector<NodeSpec> nodes;
    const int count = 1 + static_cast<int>(random() % 8);
    for (int i = 0; i < count; ++i) {
      nodes.push_back(
          node("n" + std::to_string(i), "p", 4 * (1 + static_cast<int64_t>(random() % 12))));
    }
    const CapacityBound bound(nodes);
    for (int64_t demand_gi = 0; demand_gi <= 400; demand_gi += 7) {
      int64_t best = 0;
      int64_t total = 0;
      for (const NodeSpec& n : nodes) total += n.epc_bytes;
      best = total;
      for (uint32_t mask = 0; mask < (1u << count); ++mask) {
        int64_t sum = 0;
        for (int i = 0; i < count; ++i) {
          if (mask & (1u << i)) sum += nodes[static_cast<size_t>(i)].epc_bytes;
        }
        if (sum >= demand_gi * kGi) best = std::min(best, sum);
      }
      EXPECT_EQ(bound.capacity_for(demand_gi * kGi), best) << round << " " << demand_gi;
    }
  }
}

}  // namespace
}  // namespace epc
