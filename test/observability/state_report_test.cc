// state_report: usage and pod lists read from one ClusterState agree with what the ledger holds.
#include "scheduler/observability/state_report.h"

#include <gtest/gtest.h>

#include "test/observability/observability_test_support.h"

namespace epc {
namespace {

using test::kMi;

TEST(StateReport, ListsBoundEpcPodsByNodeSortedAndCountsPendingOnes) {
  ClusterState state(EpcResources::defaults());
  test::fill_small_cluster(state);
  const StateReport report = state_report(state, test::pools_by_agentpool(), Readiness{true, ""});

  ASSERT_EQ(report.pods_by_node.size(), 2u);  // web-0 holds no EPC, so general-1 has no list
  const std::vector<PodOnNode>& conf_a = report.pods_by_node.at("conf-a");
  ASSERT_EQ(conf_a.size(), 2u);
  EXPECT_EQ(conf_a[0].name, "p1");
  EXPECT_EQ(conf_a[0].epc_bytes, 32 * kMi);
  EXPECT_EQ(conf_a[1].name, "p2");
  const std::vector<PodOnNode>& big = report.pods_by_node.at("big-1");
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0].namespace_name, "prod");
  EXPECT_EQ(big[0].epc_bytes, 256 * kMi);
  EXPECT_EQ(report.pending_pods, 1u);  // "waiting"; "frontend" needs no EPC
  EXPECT_TRUE(report.readiness.ready);
}

TEST(StateReport, UsageCountsCommittedReservedAndFreePerNodeAndPool) {
  ClusterState state(EpcResources::defaults());
  test::fill_small_cluster(state);
  const StateReport report =
      state_report(state, test::pools_by_agentpool(), Readiness{false, "no list yet"});
  const EpcUsage& usage = report.usage;

  ASSERT_EQ(usage.nodes.size(), 3u);
  EXPECT_EQ(usage.nodes[0].name, "big-1");
  EXPECT_EQ(usage.nodes[0].epc.committed_bytes, 256 * kMi);
  EXPECT_EQ(usage.nodes[0].epc.reserved_bytes, 8 * kMi);
  EXPECT_EQ(usage.nodes[0].epc.free_bytes, (1024 - 256 - 8) * kMi);
  EXPECT_EQ(usage.nodes[1].name, "conf-a");
  EXPECT_EQ(usage.nodes[1].epc.committed_bytes, 48 * kMi);
  EXPECT_EQ(usage.nodes[1].epc.epc_pods, 2);
  EXPECT_FALSE(usage.nodes[2].schedulable);
  EXPECT_EQ(usage.general_nodes, 1u);
  ASSERT_EQ(usage.pools.size(), 2u);
  EXPECT_EQ(usage.pools[1].name, "confpool");
  EXPECT_EQ(usage.pools[1].epc.capacity_bytes, 192 * kMi);
  EXPECT_EQ(usage.total.committed_bytes, (256 + 48) * kMi);
  EXPECT_FALSE(report.readiness.ready);
  EXPECT_EQ(report.readiness.reason, "no list yet");
}

TEST(StateReport, PodListsAddUpToCommittedEpcOfEachNode) {
  ClusterState state(EpcResources::defaults());
  test::fill_small_cluster(state);
  const StateReport report = state_report(state, test::pools_by_agentpool(), Readiness{true, ""});
  for (const NodeUsage& node : report.usage.nodes) {
    int64_t listed = 0;
    if (auto pods = report.pods_by_node.find(node.name); pods != report.pods_by_node.end()) {
      for (const PodOnNode& pod : pods->second) listed += pod.epc_bytes;
    }
    EXPECT_EQ(listed, node.epc.committed_bytes) << node.name;
  }
}

}  // namespace
}  // namespace epc
