#include "model/epc_usage.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string_view>

#include "builders.h"
#include "model/fit.h"

namespace epc {
namespace {

using namespace testing_builders;

Node pooled(const std::string& name, const std::string& epc, const std::string& pool) {
  Node node = epc_node(name, epc);
  node.labels = {{"agentpool", pool}};
  return node;
}

PlacementPolicy pools_by_agentpool() {
  PlacementPolicy policy;
  policy.pool_label_key = "agentpool";
  return policy;
}

TEST(EpcUsage, CountsCommittedReservedAndFreePerNodeAndPool) {
  ClusterState state(EpcResources::defaults());
  state.modify([](EpcLedger& ledger) {
    ledger.upsert_node(pooled("conf-b", "128Mi", "confpool"));
    ledger.upsert_node(pooled("conf-a", "64Mi", "confpool"));
    ledger.upsert_node(pooled("big-1", "1Gi", "bigpool"));
    ledger.upsert_node(pooled("general-1", "", "general"));
    ASSERT_TRUE(ledger.upsert_pod(epc_pod("p1", "32Mi", "conf-b", PodPhase::Running)).ok());
    ASSERT_TRUE(ledger.upsert_pod(epc_pod("p2", "16Mi", "conf-b", PodPhase::Running)).ok());
  });
  const EpcUsage usage = epc_usage(*state.snapshot(), pools_by_agentpool());

  ASSERT_EQ(usage.nodes.size(), 3u);
  EXPECT_EQ(usage.nodes[0].name, "big-1");
  EXPECT_EQ(usage.nodes[1].name, "conf-a");
  const NodeUsage& b = usage.nodes[2];
  EXPECT_EQ(b.name, "conf-b");
  EXPECT_EQ(b.pool, "confpool");
  EXPECT_EQ(b.epc.capacity_bytes, 128 * kMi);
  EXPECT_EQ(b.epc.committed_bytes, 48 * kMi);
  EXPECT_EQ(b.epc.free_bytes, 80 * kMi);
  EXPECT_EQ(b.epc.epc_pods, 2);
  EXPECT_EQ(usage.general_nodes, 1u);

  ASSERT_EQ(usage.pools.size(), 2u);
  EXPECT_EQ(usage.pools[0].name, "bigpool");
  EXPECT_EQ(usage.pools[1].name, "confpool");
  EXPECT_EQ(usage.pools[1].nodes, 2u);
  EXPECT_EQ(usage.pools[1].epc.capacity_bytes, 192 * kMi);
  EXPECT_EQ(usage.pools[1].epc.committed_bytes, 48 * kMi);
  EXPECT_EQ(usage.total.capacity_bytes, 1024 * kMi + 192 * kMi);
  EXPECT_EQ(usage.total.epc_pods, 2);
}

TEST(EpcUsage, ReservationsCountAgainstFreeEpc) {
  ClusterState state(EpcResources::defaults());
  state.modify([](EpcLedger& ledger) {
    ledger.upsert_node(epc_node("n1", "128Mi"));
    ledger.remember_pending(epc_pod("p", "40Mi"), EpcDemand{40 * kMi, kIntelEpc});
  });
  const SteadyTime now = std::chrono::steady_clock::now();
  state.reserve({"default", "p", "uid-p", "n1"}, now, now + std::chrono::seconds(30));

  const EpcUsage usage = epc_usage(*state.snapshot(), PlacementPolicy{});
  ASSERT_EQ(usage.nodes.size(), 1u);
  EXPECT_EQ(usage.nodes[0].epc.reserved_bytes, 40 * kMi);
  EXPECT_EQ(usage.nodes[0].epc.free_bytes, 88 * kMi);
  EXPECT_EQ(usage.total.reserved_bytes, 40 * kMi);
  ASSERT_EQ(usage.pools.size(), 1u);
  EXPECT_EQ(usage.pools[0].name, "");
}

TEST(EpcUsage, FreeNeverGoesBelowZeroAndCordonedNodesAreMarked) {
  ClusterState state(EpcResources::defaults());
  state.modify([](EpcLedger& ledger) {
    Node node = epc_node("n1", "32Mi");
    node.unschedulable = true;
    ledger.upsert_node(node);
    ASSERT_TRUE(ledger.upsert_pod(epc_pod("p", "64Mi", "n1", PodPhase::Running)).ok());
  });
  const EpcUsage usage = epc_usage(*state.snapshot(), PlacementPolicy{});
  ASSERT_EQ(usage.nodes.size(), 1u);
  EXPECT_FALSE(usage.nodes[0].schedulable);
  EXPECT_EQ(usage.nodes[0].unschedulable_cause, FitCause::kCordoned);
  EXPECT_EQ(usage.nodes[0].epc.committed_bytes, 64 * kMi);
  EXPECT_EQ(usage.nodes[0].epc.free_bytes, 0);
}

TEST(FitCause, EveryCauseHasADistinctLabel) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < kFitCauseCount; ++i) {
    names.insert(to_string(static_cast<FitCause>(i)));
  }
  EXPECT_EQ(names.size(), kFitCauseCount);
  EXPECT_EQ(names.count("unknown"), 0u);
}

TEST(FitCause, VerdictsCarryTheirCause) {
  const PlacementPolicy policy;
  const EpcDemand demand{64 * kMi, kIntelEpc};
  const NodeRecord small = record("small", 32 * kMi);
  EXPECT_EQ(check_fit(demand, &small, "small", policy).cause, FitCause::kEpcTooSmall);
  const NodeRecord full = record("full", 128 * kMi, 100 * kMi);
  EXPECT_EQ(check_fit(demand, &full, "full", policy).cause, FitCause::kInsufficientEpc);
  const NodeRecord general = record("general", 0);
  EXPECT_EQ(check_fit(demand, &general, "general", policy).cause, FitCause::kNoEpc);
  EXPECT_EQ(check_fit(demand, nullptr, "ghost", policy).cause, FitCause::kUnknownNode);
  const NodeRecord roomy = record("roomy", 128 * kMi);
  EXPECT_EQ(check_fit(demand, &roomy, "roomy", policy).cause, FitCause::kNone);
}

}  // namespace
}  // namespace epc
