// kube-scheduler's resource plugins against upstream's own test cases
// (pkg/scheduler/framework/plugins/noderesources/*_test.go: "nothing scheduled, resources
// requested, differently sized nodes": a pod of 3000m cpu and 5000 memory on nodes of
// 4000m/10000 and 6000m/10000).
#include <gtest/gtest.h>

#include <array>

#include "simulator/kube_plugins.h"

namespace epc {
namespace {

std::array<ResourceUse, 2> uses(int64_t cpu_capacity) {
  return {{{3000, cpu_capacity, 1}, {5000, 10000, 1}}};
}

TEST(KubePlugins, LeastAllocatedUpstreamExample) {
  // cpu (4000−3000)×100/4000 = 25, memory 50: (25+50)/2 = 37; the other node 50 and 50.
  EXPECT_EQ(least_allocated(uses(4000)), 37);
  EXPECT_EQ(least_allocated(uses(6000)), 50);
}

TEST(KubePlugins, MostAllocatedUpstreamExample) {
  // cpu 3000×100/4000 = 75, memory 50: 62; the other node 50 and 50.
  EXPECT_EQ(most_allocated(uses(4000)), 62);
  EXPECT_EQ(most_allocated(uses(6000)), 50);
}

TEST(KubePlugins, BalancedAllocationUpstreamExample) {
  // fractions 0.75 and 0.5: std 0.125, (1 − 0.125) × 100 = 87; 0.5 and 0.5: 100.
  EXPECT_EQ(balanced_allocation(uses(4000)), 87);
  EXPECT_EQ(balanced_allocation(uses(6000)), 100);
}

TEST(KubePlugins, EdgeCases) {
  EXPECT_EQ(least_requested_score(11, 10), 0);   // over capacity
  EXPECT_EQ(most_requested_score(11, 10), 100);  // clamped to capacity
  EXPECT_EQ(least_requested_score(1, 0), 0);
  // A resource the node does not have is skipped, not scored 0.
  const std::array<ResourceUse, 3> with_absent{{{3000, 4000, 1}, {5000, 10000, 1}, {5, 0, 1}}};
  EXPECT_EQ(most_allocated(with_absent), 62);
  // Weights: cpu 75 × 3 + memory 50 × 1 over 4 = 68.
  const std::array<ResourceUse, 2> weighted{{{3000, 4000, 3}, {5000, 10000, 1}}};
  EXPECT_EQ(most_allocated(weighted), 68);
  EXPECT_EQ(nonzero_cpu(0), 100);
  EXPECT_EQ(nonzero_memory(0), 200 << 20);
  EXPECT_TRUE(resource_fits(0, 10, 10));
  EXPECT_FALSE(resource_fits(1, 10, 10));
}

}  // namespace
}  // namespace epc
