#include "model/consolidation/planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "model/consolidation/plan_replay.h"
#include "test/model/consolidation/consolidation_fixture.h"

namespace epc {
namespace {

using testing_builders::binpack_policy;
using testing_builders::drained_names;
using testing_builders::fragmented;
using testing_builders::generous_limits;
using testing_builders::kMi;
using testing_builders::SmallCluster;

const EpcResources kResources = EpcResources::defaults();

ConsolidationPlan plan(const SmallCluster& cluster, const ConsolidationLimits& limits,
                       std::span<const DisruptionBudget> budgets = {},
                       std::span<const std::string> excluded = {},
                       std::shared_ptr<const PlacementPolicy> policy = binpack_policy()) {
  ConsolidationInput input{cluster.nodes, cluster.pods, budgets, excluded, {}};
  ConsolidationPlan result = plan_consolidation(input, policy, kResources, limits);
  const Result<void> replay = replay_plan(result, cluster.nodes, cluster.pods, policy, kResources);
  EXPECT_TRUE(replay.ok()) << replay.error().message;
  return result;
}

TEST(Planner, FreesTheEmptiestNodesOntoTheFullest) {
  const ConsolidationPlan result = plan(fragmented(), generous_limits());
  EXPECT_EQ(drained_names(result), (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(result.drained[0].moves.size(), 1u);
  const PlannedMove& move = result.drained[0].moves[0];
  EXPECT_EQ(move.name, "p1");
  EXPECT_EQ(move.pod, "uid-p1");
  EXPECT_EQ(move.from, "a");
  EXPECT_EQ(move.to, "c");
  EXPECT_EQ(move.epc_bytes, 16 * kMi);
  EXPECT_EQ(result.evictions, 2u);
  EXPECT_EQ(result.freed_epc_bytes, 128 * kMi);
  // c receives, so it is not drained in the same plan.
  ASSERT_EQ(result.kept.size(), 1u);
  EXPECT_EQ(result.kept[0].node, "c");
  EXPECT_EQ(result.kept[0].reason, "receives pods in this plan");
}

TEST(Planner, NothingToDoOnAPackedCluster) {
  SmallCluster cluster;
  cluster.node("a", 64);
  cluster.node("b", 64);
  cluster.pod("p1", 48, "a");
  cluster.pod("p2", 48, "b");
  cluster.settle();
  const ConsolidationPlan result = plan(cluster, generous_limits());
  EXPECT_TRUE(result.empty());
  ASSERT_EQ(result.kept.size(), 2u);
  EXPECT_EQ(result.kept[0].pod, "default/p1");
  EXPECT_EQ(result.kept[0].reason.rfind("fits no remaining node (b: insufficient", 0), 0u)
      << result.kept[0].reason;
}

TEST(Planner, AnIdleNodeNeverReceives) {
  // Moving p1 onto the empty b would only swap which node is busy.
  SmallCluster cluster;
  cluster.node("a", 64);
  cluster.node("b", 64);
  cluster.pod("p1", 16, "a");
  cluster.settle();
  const ConsolidationPlan result = plan(cluster, generous_limits());
  EXPECT_TRUE(result.empty());
  ASSERT_EQ(result.kept.size(), 1u);
  EXPECT_EQ(result.kept[0].reason, "fits no remaining node");
}

TEST(Planner, APodThatMustNotMoveHoldsItsNodeAndRollsBackTheOthers) {
  SmallCluster cluster = fragmented();
  cluster.pod("p4", 8, "a").controller_kind.clear();  // a bare pod next to p1
  cluster.settle();
  const ConsolidationPlan result = plan(cluster, generous_limits());
  // a is held; b drains onto c. Nothing lands for p1: a's trial was rolled back whole.
  EXPECT_EQ(drained_names(result), (std::vector<std::string>{"b"}));
  const auto kept_a = std::find_if(result.kept.begin(), result.kept.end(),
                                   [](const KeptNode& k) { return k.node == "a"; });
  ASSERT_NE(kept_a, result.kept.end());
  EXPECT_EQ(kept_a->pod, "default/p4");
  EXPECT_EQ(kept_a->reason, "no controller would recreate it");
  for (const DrainedNode& node : result.drained) {
    for (const PlannedMove& move : node.moves) EXPECT_NE(move.name, "p4");
  }
}

TEST(Planner, DaemonSetPodsStayAndDoNotHoldTheNode) {
  SmallCluster cluster = fragmented();
  cluster.pod("agent", 0, "a").controller_kind = "DaemonSet";
  cluster.pods.back().containers.clear();
  cluster.settle();
  const ConsolidationPlan result = plan(cluster, generous_limits());
  EXPECT_EQ(drained_names(result), (std::vector<std::string>{"a", "b"}));
  for (const DrainedNode& node : result.drained) {
    for (const PlannedMove& move : node.moves) EXPECT_NE(move.name, "agent");
  }
}

TEST(Planner, BudgetsLimitEvictionsAndDrainedNodes) {
  ConsolidationLimits limits = generous_limits();
  limits.max_drained_nodes = 1;
  EXPECT_EQ(drained_names(plan(fragmented(), limits)), (std::vector<std::string>{"a"}));

  SmallCluster two_on_a = fragmented();
  two_on_a.pod("p0", 8, "a");
  two_on_a.settle();
  limits = generous_limits();
  limits.max_evictions = 1;
  const ConsolidationPlan result = plan(two_on_a, limits);
  EXPECT_EQ(drained_names(result), (std::vector<std::string>{"b"}));
  EXPECT_EQ(result.evictions, 1u);
  const auto kept_a = std::find_if(result.kept.begin(), result.kept.end(),
                                   [](const KeptNode& k) { return k.node == "a"; });
  ASSERT_NE(kept_a, result.kept.end());
  EXPECT_EQ(kept_a->reason, "its 2 pods to move exceed the 0 evictions left in this plan");
}

TEST(Planner, DisruptionAllowancesAreSpentAcrossNodes) {
  SmallCluster cluster = fragmented();
  for (Pod& pod : cluster.pods) pod.labels = {{"app", "web"}};
  DisruptionBudget web;
  web.namespace_name = "default";
  web.name = "web";
  web.selector = *LabelSelector::parse("app=web");
  web.disruptions_allowed = 1;
  const std::vector<DisruptionBudget> budgets{web};
  const ConsolidationPlan result = plan(cluster, generous_limits(), budgets);
  EXPECT_EQ(drained_names(result), (std::vector<std::string>{"a"}));
  const auto kept_b = std::find_if(result.kept.begin(), result.kept.end(),
                                   [](const KeptNode& k) { return k.node == "b"; });
  ASSERT_NE(kept_b, result.kept.end());
  EXPECT_EQ(kept_b->reason, "PodDisruptionBudget default/web allows no more disruptions");
}

TEST(Planner, ExcludedNodesNeitherDrainNorReceive) {
  const std::vector<std::string> excluded{"c"};
  const ConsolidationPlan result = plan(fragmented(), generous_limits(), {}, excluded);
  // Without c, a's pod goes to b (the fuller of the rest is a tie: the first name), then b holds.
  EXPECT_EQ(drained_names(result), (std::vector<std::string>{"a"}));
  EXPECT_EQ(result.drained[0].moves[0].to, "b");
}

TEST(Planner, LandingsRespectTheHeadroom) {
  auto policy = std::make_shared<PlacementPolicy>();
  policy->headroom.bytes = 32 * kMi;
  policy->headroom.min_priority = 1000;
  // c has 32Mi free, all of it headroom: p1 cannot land there although it fits by capacity.
  const ConsolidationPlan result = plan(fragmented(), generous_limits(), {}, {}, policy);
  // p1 goes to b instead (16 + 16 within the 32Mi outside the headroom); c's pod then has nowhere.
  EXPECT_EQ(drained_names(result), (std::vector<std::string>{"a"}));
  EXPECT_EQ(result.drained[0].moves[0].to, "b");
  const auto kept_c = std::find_if(result.kept.begin(), result.kept.end(),
                                   [](const KeptNode& k) { return k.node == "c"; });
  ASSERT_NE(kept_c, result.kept.end());
  EXPECT_NE(kept_c->reason.find("32Mi is kept for pods of priority >= 1000"), std::string::npos)
      << kept_c->reason;
}

TEST(Planner, APodWhoseDemandCannotBeReadHoldsItsNode) {
  SmallCluster cluster = fragmented();
  cluster.pods[0].containers[0].requests[0].second = "lots";
  const ConsolidationPlan result = plan(cluster, generous_limits());
  const auto kept_a = std::find_if(result.kept.begin(), result.kept.end(),
                                   [](const KeptNode& k) { return k.node == "a"; });
  ASSERT_NE(kept_a, result.kept.end());
  EXPECT_NE(kept_a->reason.find("lots"), std::string::npos) << kept_a->reason;
}

TEST(Planner, AnExtraFitNarrowsTheLandings) {
  const SmallCluster cluster = fragmented();
  const ExtraFit only_one_per_node = [](const Pod&, const NodeRecord&,
                                        std::span<const Pod* const> landing) {
    return landing.empty() ? std::nullopt : std::optional<std::string>("full");
  };
  ConsolidationInput input{cluster.nodes, cluster.pods, {}, {}, {}};
  const ConsolidationPlan result =
      plan_consolidation(input, binpack_policy(), kResources, generous_limits(), only_one_per_node);
  // a's pod takes c's only slot; b's pod finds none (a drains, c received).
  EXPECT_EQ(drained_names(result), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(replay_plan(result, cluster.nodes, cluster.pods, binpack_policy(), kResources,
                          only_one_per_node)
                  .ok());
}

TEST(Planner, PricesAreReportedAsFreed) {
  const SmallCluster cluster = fragmented();
  const std::vector<std::optional<double>> prices{1.5, std::nullopt, 2.0};
  ConsolidationInput input{cluster.nodes, cluster.pods, {}, {}, prices};
  const ConsolidationPlan result =
      plan_consolidation(input, binpack_policy(), kResources, generous_limits());
  ASSERT_EQ(result.drained.size(), 2u);
  EXPECT_EQ(result.drained[0].price_per_hour, 1.5);
  EXPECT_FALSE(result.drained[1].price_per_hour.has_value());
  EXPECT_DOUBLE_EQ(result.freed_price_per_hour, 1.5);
}

TEST(PlanReplay, CatchesAnOverCommittingPlan) {
  SmallCluster cluster;
  cluster.node("a", 64);
  cluster.node("b", 64);
  cluster.pod("p1", 32, "a");
  cluster.pod("p2", 48, "b");
  cluster.settle();
  ConsolidationPlan bad;
  bad.drained.push_back({"b", {{"uid-p2", "default", "p2", 48 * kMi, "b", "a"}}, 64 * kMi, {}});
  const Result<void> replay =
      replay_plan(bad, cluster.nodes, cluster.pods, binpack_policy(), kResources);
  ASSERT_FALSE(replay.ok());
  EXPECT_NE(replay.error().message.find("move of default/p2 from b to a: insufficient"),
            std::string::npos)
      << replay.error().message;
  ConsolidationPlan wrong_node;
  wrong_node.drained.push_back({"a", {{"uid-p2", "default", "p2", 48 * kMi, "a", "b"}}, 0, {}});
  const Result<void> wrong =
      replay_plan(wrong_node, cluster.nodes, cluster.pods, binpack_policy(), kResources);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message, "move of default/p2 from a to b: the pod runs on b");
}

// Random clusters: every plan replays without over-committing, and no pod that must not move is in
// one.
TEST(Planner, RandomClustersGiveFeasiblePlansOfMovablePodsOnly) {
  std::mt19937 random(7);
  for (int round = 0; round < 200; ++round) {
    SmallCluster cluster;
    const int nodes = 2 + static_cast<int>(random() % 8);
    for (int n = 0; n < nodes; ++n) cluster.node("n" + std::to_string(n), 32 << (random() % 3));
    for (int n = 0; n < nodes; ++n) {
      const std::string node = "n" + std::to_string(n);
      int64_t free = cluster.nodes[n].epc.bytes / kMi;
      for (int k = 0; k < 4; ++k) {
        const int64_t size = int64_t{4} << (random() % 4);
        if (size > free || random() % 3 == 0) continue;
        free -= size;
        Pod& pod = cluster.pod("p" + std::to_string(n) + "-" + std::to_string(k), size, node);
        switch (random() % 8) {
          case 0:
            pod.controller_kind.clear();
            break;
          case 1:
            pod.controller_kind = "DaemonSet";
            break;
          case 2:
            pod.annotations = {{"epc-extender.io/evict", "never"}};
            break;
          case 3:
            pod.priority = 100;
            break;
          default:
            break;
        }
      }
    }
    cluster.settle();
    ConsolidationLimits limits = generous_limits();
    limits.max_evictions = random() % 6;
    limits.max_drained_nodes = random() % 4;
    const ConsolidationPlan result = plan(cluster, limits);
    EXPECT_LE(result.evictions, limits.max_evictions);
    EXPECT_LE(result.drained.size(), limits.max_drained_nodes);
    for (const DrainedNode& node : result.drained) {
      for (const PlannedMove& move : node.moves) {
        const auto pod = std::find_if(cluster.pods.begin(), cluster.pods.end(),
                                      [&](const Pod& p) { return p.name == move.name; });
        ASSERT_NE(pod, cluster.pods.end());
        EXPECT_FALSE(eviction_blocker(*pod, limits.eviction, {}).has_value()) << move.name;
      }
    }
  }
}

}  // namespace
}  // namespace epc
