#include "model/consolidation/plan_confirmation.h"

#include <gtest/gtest.h>

#include "model/consolidation/plan_replay.h"
#include "model/consolidation/planner.h"
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

ConsolidationPlan plan_for(const SmallCluster& cluster) {
  const ConsolidationInput input{cluster.nodes, cluster.pods, {}, {}, {}};
  return plan_consolidation(input, binpack_policy(), kResources, generous_limits());
}

ConsolidationPlan confirm(const ConsolidationPlan& plan, const SmallCluster& fresh,
                          std::span<const std::string> draining = {},
                          const EvictionRules& rules = {}) {
  return confirm_plan(plan, fresh.nodes, fresh.pods, draining, binpack_policy(), kResources, rules);
}

TEST(PlanConfirmation, AnUnchangedClusterKeepsTheWholePlan) {
  const SmallCluster cluster = fragmented();
  const ConsolidationPlan planned = plan_for(cluster);
  ASSERT_EQ(drained_names(planned), (std::vector<std::string>{"a", "b"}));
  const ConsolidationPlan checked = confirm(planned, cluster);
  EXPECT_EQ(drained_names(checked), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(checked.kept.empty());
  EXPECT_EQ(checked.evictions, 2u);
  EXPECT_EQ(checked.freed_epc_bytes, 128 * kMi);
}

TEST(PlanConfirmation, DropsTheNodeWhoseMoveNoLongerFits) {
  const SmallCluster cluster = fragmented();
  const ConsolidationPlan planned = plan_for(cluster);
  // c filled up meanwhile: room for one of the two 16Mi pods only.
  SmallCluster fresh = cluster;
  fresh.pod("newcomer", 16, "c");
  fresh.settle();
  const ConsolidationPlan checked = confirm(planned, fresh);
  EXPECT_EQ(drained_names(checked), (std::vector<std::string>{"a"}));
  ASSERT_EQ(checked.kept.size(), 1u);
  EXPECT_EQ(checked.kept[0].node, "b");
  EXPECT_NE(checked.kept[0].reason.find("move of default/p2 from b to c"), std::string::npos)
      << checked.kept[0].reason;
  EXPECT_EQ(checked.evictions, 1u);
  EXPECT_EQ(checked.freed_epc_bytes, 64 * kMi);
  // What survives still replays on the fresh state.
  EXPECT_TRUE(replay_plan(checked, fresh.nodes, fresh.pods, binpack_policy(), kResources).ok());
}

TEST(PlanConfirmation, DropsANodeThatGainedAPodOrLostOne) {
  const SmallCluster cluster = fragmented();
  const ConsolidationPlan planned = plan_for(cluster);
  SmallCluster fresh = cluster;
  fresh.pod("arrived", 1, "a");              // a would stay busy
  fresh.pods.erase(fresh.pods.begin() + 1);  // p2 left b
  fresh.settle();
  const ConsolidationPlan checked = confirm(planned, fresh);
  EXPECT_TRUE(checked.drained.empty());
  ASSERT_EQ(checked.kept.size(), 2u);
  EXPECT_EQ(checked.kept[0].node, "a");
  EXPECT_EQ(checked.kept[0].pod, "default/arrived");
  EXPECT_EQ(checked.kept[0].reason, "arrived after the plan was made");
  EXPECT_EQ(checked.kept[1].node, "b");
  EXPECT_EQ(checked.kept[1].pod, "default/p2");
  EXPECT_EQ(checked.kept[1].reason, "is gone since the plan was made");
}

TEST(PlanConfirmation, DropsANodeWhosePodMayNoLongerMove) {
  const SmallCluster cluster = fragmented();
  const ConsolidationPlan planned = plan_for(cluster);
  SmallCluster fresh = cluster;
  fresh.pods[0].annotations.emplace_back("epc-extender.io/evict", "never");
  fresh.pods[1].terminating = true;
  const ConsolidationPlan checked = confirm(planned, fresh);
  EXPECT_TRUE(checked.drained.empty());
  ASSERT_EQ(checked.kept.size(), 2u);
  EXPECT_EQ(checked.kept[0].reason, "annotated epc-extender.io/evict: \"never\"");
  EXPECT_EQ(checked.kept[1].reason, "it is being deleted already");
}

TEST(PlanConfirmation, DropsANodeThatIsGoneOrDrainingAlready) {
  const SmallCluster cluster = fragmented();
  const ConsolidationPlan planned = plan_for(cluster);
  SmallCluster fresh = cluster;
  fresh.nodes.erase(fresh.nodes.begin());  // a is gone (with p1 still listed on it)
  const std::vector<std::string> draining{"b"};
  const ConsolidationPlan checked = confirm(planned, fresh, draining);
  EXPECT_TRUE(checked.drained.empty());
  ASSERT_EQ(checked.kept.size(), 2u);
  EXPECT_EQ(checked.kept[0].reason, "the node is gone");
  EXPECT_EQ(checked.kept[1].reason, "an earlier run is draining it");
}

TEST(PlanConfirmation, ADroppedNodeLeavesNoTraceOnTheNext) {
  // c has 40Mi free. a's first move lands 16Mi there, its second fails; b's 32Mi fits only if
  // a's landing was undone.
  SmallCluster cluster;
  cluster.node("a", 64);
  cluster.node("b", 64);
  cluster.node("c", 64);
  cluster.pod("a1", 16, "a");
  cluster.pod("a2", 8, "a");
  cluster.pod("b1", 32, "b");
  cluster.pod("c1", 24, "c");
  cluster.settle();
  const auto move = [](const std::string& pod, int64_t mi, const std::string& from,
                       const std::string& to) {
    return PlannedMove{"uid-" + pod, "default", pod, mi * kMi, from, to};
  };
  ConsolidationPlan planned;
  planned.drained.push_back(
      {"a", {move("a1", 16, "a", "c"), move("a2", 8, "a", "gone")}, 64 * kMi});
  planned.drained.push_back({"b", {move("b1", 32, "b", "c")}, 64 * kMi});
  const ConsolidationPlan checked = confirm(planned, cluster);
  EXPECT_EQ(drained_names(checked), (std::vector<std::string>{"b"}));
  ASSERT_EQ(checked.kept.size(), 1u);
  EXPECT_NE(checked.kept[0].reason.find("move of default/a2 from a to gone: unknown node"),
            std::string::npos)
      << checked.kept[0].reason;
  // Without the undo, b's move would over-commit c.
  ConsolidationPlan both_on_c;
  both_on_c.drained.push_back({"a", {move("a1", 16, "a", "c"), move("a2", 8, "a", "c")}, 64 * kMi});
  both_on_c.drained.push_back({"b", {move("b1", 32, "b", "c")}, 64 * kMi});
  EXPECT_EQ(drained_names(confirm(both_on_c, cluster)), (std::vector<std::string>{"a"}));
}

}  // namespace
}  // namespace epc
