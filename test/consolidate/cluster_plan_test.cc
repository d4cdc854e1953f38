// plan_cluster: a fragmented cluster, as Kubernetes objects, planned through the ledger. The plan
// must replay, count EPC as the filter does, leave every pod that may not move where it is, keep
// the config's per-run budgets, and say why each node it leaves alone stays.
#include "scheduler/consolidate/cluster_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "scheduler/consolidate/plan_report.h"
#include "scheduler/wire/extender_codec.h"

namespace epc {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kGi = int64_t{1} << 30;
// 2026-12-06T12:00:00Z; pods below were created a day earlier unless they say otherwise.
constexpr int64_t kNow = 1796558400;

std::string node(const std::string& name, const std::string& epc) {
  return R"({"kind":"Node","metadata":{"name":")" + name + R"(","labels":{"agentpool":"conf"}},)" +
         R"("status":{"allocatable":{"sgx.intel.com/epc":")" + epc +
         R"("},"conditions":[{"type":"Ready","status":"True"}]}})";
}

// `owner` is the controller's kind ("" for none); `extra_meta` is spliced into metadata.
std::string pod(const std::string& name, const std::string& node_name, const std::string& epc,
                const std::string& owner = "ReplicaSet", const std::string& extra_meta = "",
                const std::string& created = "2026-12-05T12:00:00Z") {
  std::string meta = R"("name":")" + name + R"(","namespace":"team","uid":"uid-)" + name +
                     R"(","creationTimestamp":")" + created + R"(","labels":{"app":")" + name +
                     R"("})";
  if (!owner.empty()) {
    meta += R"(,"ownerReferences":[{"kind":")" + owner + R"(","name":"o","controller":true}])";
  }
  meta += extra_meta;
  std::string resources = epc.empty()
                              ? "{}"
                              : R"({"requests":{"sgx.intel.com/epc":")" + epc +
                                    R"("},"limits":{"sgx.intel.com/epc":")" + epc + R"("}})";
  return R"({"kind":"Pod","metadata":{)" + meta + R"(},"spec":{"nodeName":")" + node_name +
         R"(","containers":[{"name":"c","resources":)" + resources +
         R"(}]},"status":{"phase":"Running"}})";
}

ClusterObjects objects(const std::string& items) {
  std::string json = R"({"kind":"List","items":[)" + items + "]}";
  pad_body(json);
  Result<ClusterObjects> read =
      read_cluster_objects(json, EpcResources::defaults(), PodDetail::kDisruption);
  EXPECT_TRUE(read.ok()) << read.error().message;
  return read.ok() ? *read : ClusterObjects{};
}

ScoringConfig config(const std::string& consolidation) {
  Result<ScoringConfig> parsed =
      parse_config("apiVersion: epc-extender.io/v1alpha1\nkind: ScoringConfig\n" + consolidation);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? *parsed : ScoringConfig{};
}

std::set<std::string> moved_pods(const ClusterPlan& plan) {
  std::set<std::string> moved;
  for (const DrainedNode& node : plan.plan.drained) {
    for (const PlannedMove& move : node.moves) moved.insert(move.name);
  }
  return moved;
}

std::string kept_reason(const ClusterPlan& plan, const std::string& node) {
  for (const KeptNode& kept : plan.plan.kept) {
    if (kept.node == node) return kept.pod + ": " + kept.reason;
  }
  return "(not kept)";
}

// Five 32Gi nodes, each a quarter to half full: room for everything on two or three of them.
std::string fragmented() {
  return node("n1", "32Gi") + "," + node("n2", "32Gi") + "," + node("n3", "32Gi") + "," +
         node("n4", "32Gi") + "," + node("n5", "32Gi") + "," + pod("a", "n1", "8Gi") + "," +
         pod("b", "n1", "8Gi") + "," + pod("c", "n2", "8Gi") + "," + pod("d", "n3", "16Gi") + "," +
         pod("e", "n4", "8Gi") + "," + pod("e2", "n4", "4Gi") + "," + pod("f", "n5", "12Gi");
}

TEST(ClusterPlan, EmptiesNodesOfAFragmentedClusterWithinTheBudget) {
  const Result<ClusterPlan> plan =
      plan_cluster(objects(fragmented()), config("consolidation:\n  maxDrainingNodes: 5\n"), kNow);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  // 64Gi of pods on 160Gi: at least two nodes can go; the fewest-pods nodes first.
  EXPECT_GE(plan->plan.drained.size(), 2u);
  EXPECT_EQ(plan->plan.freed_epc_bytes, static_cast<int64_t>(plan->plan.drained.size()) * 32 * kGi);
  size_t moves = 0;
  for (const DrainedNode& drained : plan->plan.drained) moves += drained.moves.size();
  EXPECT_EQ(plan->plan.evictions, moves);
  EXPECT_FALSE(plan->live_run_skipped);
}

TEST(ClusterPlan, TheConfigsPerRunBudgetsHold) {
  const Result<ClusterPlan> one_node = plan_cluster(objects(fragmented()), config(""), kNow);
  ASSERT_TRUE(one_node.ok()) << one_node.error().message;
  EXPECT_EQ(one_node->plan.drained.size(), 1u);  // maxDrainingNodes defaults to 1

  const Result<ClusterPlan> two_evictions = plan_cluster(
      objects(fragmented()),
      config("consolidation:\n  maxDrainingNodes: 5\n  maxEvictionsPerRun: 2\n"), kNow);
  ASSERT_TRUE(two_evictions.ok()) << two_evictions.error().message;
  EXPECT_LE(two_evictions->plan.evictions, 2u);
}

TEST(ClusterPlan, PodsThatMayNotMoveStayAndSayWhy) {
  const std::string items =
      node("n1", "32Gi") + "," + node("n2", "32Gi") + "," + node("n3", "32Gi") + "," +
      node("n4", "32Gi") + "," + node("n5", "32Gi") + "," + node("big", "64Gi") + "," +
      pod("orphan", "n1", "4Gi", "") + "," +
      pod("opted", "n2", "4Gi", "ReplicaSet",
          R"(,"annotations":{"epc-extender.io/evict":"never"})") +
      "," + pod("young", "n3", "4Gi", "ReplicaSet", "", "2026-12-06T11:59:00Z") + "," +
      pod("guarded", "n4", "4Gi") + "," +
      // A DaemonSet's and a static pod's mirror stay with their node and do not hold it.
      pod("agent", "n5", "", "DaemonSet") + "," +
      pod("static", "n5", "", "Node", R"(,"annotations":{"kubernetes.io/config.mirror":"x"})") +
      "," + pod("mover", "n5", "4Gi") + "," + pod("anchor", "big", "8Gi") + "," +
      R"({"kind":"PodDisruptionBudget","metadata":{"name":"guard","namespace":"team"},)"
      R"("spec":{"selector":{"matchLabels":{"app":"guarded"}}},"status":{"disruptionsAllowed":0}})";
  const Result<ClusterPlan> plan =
      plan_cluster(objects(items), config("consolidation:\n  maxDrainingNodes: 6\n"), kNow);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  const std::set<std::string> moved = moved_pods(*plan);
  for (const char* stays : {"orphan", "opted", "young", "guarded", "agent", "static"}) {
    EXPECT_FALSE(moved.contains(stays)) << stays;
  }
  EXPECT_TRUE(moved.contains("mover"));
  EXPECT_EQ(kept_reason(*plan, "n1"), "team/orphan: no controller would recreate it");
  EXPECT_EQ(kept_reason(*plan, "n2"), R"(team/opted: annotated epc-extender.io/evict: "never")");
  EXPECT_THAT(kept_reason(*plan, "n3"), HasSubstr("team/young: younger than"));
  EXPECT_EQ(kept_reason(*plan, "n4"),
            "team/guarded: PodDisruptionBudget team/guard allows no more disruptions");
}

TEST(ClusterPlan, CommittedEpcIsCountedAsTheFilterCountsIt) {
  // n2 looks half free, but a pod bound there and pods that finished say otherwise: a Succeeded
  // pod holds nothing, a bound one does. Only n1's pod can move, and only to n3.
  const std::string items =
      node("n1", "32Gi") + "," + node("n2", "32Gi") + "," + node("n3", "32Gi") + "," +
      pod("small", "n1", "12Gi") + "," + pod("heavy", "n2", "24Gi") + "," +
      pod("filler", "n3", "16Gi") + "," +
      R"({"kind":"Pod","metadata":{"name":"done","namespace":"team","uid":"uid-done"},)"
      R"("spec":{"nodeName":"n3","containers":[{"name":"c","resources":{"requests":)"
      R"({"sgx.intel.com/epc":"16Gi"}}}]},"status":{"phase":"Succeeded"}})";
  const Result<ClusterPlan> plan = plan_cluster(objects(items), config(""), kNow);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  ASSERT_EQ(plan->plan.drained.size(), 1u);
  EXPECT_EQ(plan->plan.drained[0].node, "n1");
  ASSERT_EQ(plan->plan.drained[0].moves.size(), 1u);
  EXPECT_EQ(plan->plan.drained[0].moves[0].to, "n3");
}

TEST(ClusterPlan, QuietHoursStillPlanButSayALiveRunWouldWait) {
  const Result<ClusterPlan> plan = plan_cluster(
      objects(fragmented()), config("consolidation:\n  quietHours: [\"11:00-13:00\"]\n"), kNow);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->live_run_skipped, "quiet hours (11:00-13:00 UTC)");
  EXPECT_FALSE(plan->plan.drained.empty());
}

// Nodes serve's live loop is draining (the drain taint) are neither drained again nor landed on,
// count against maxDrainingNodes, and the report says which drains a live run would end.
TEST(ClusterPlan, DrainingNodesStayOutOfThePlanAndAreReported) {
  const auto tainted = [](const std::string& name, int64_t since) {
    std::string text = node(name, "32Gi");
    text.insert(text.find(R"("status")"),
                R"("spec":{"taints":[{"key":"epc-extender.io/consolidating","value":")" +
                    std::to_string(since) + R"(","effect":"PreferNoSchedule"}]},)");
    return text;
  };
  // n1 drains since a minute ago and is empty; n2's drain is unfinished (c is still there).
  const std::string items = tainted("n1", kNow - 60) + "," + tainted("n2", kNow - 700) + "," +
                            node("n3", "32Gi") + "," + node("n4", "32Gi") + "," +
                            pod("c", "n2", "8Gi") + "," + pod("d", "n3", "16Gi") + "," +
                            pod("e", "n4", "8Gi");
  const Result<ClusterPlan> plan =
      plan_cluster(objects(items), config("consolidation:\n  maxDrainingNodes: 2\n"), kNow);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->drains.draining, std::vector<std::string>{"n1"});
  ASSERT_EQ(plan->drains.ended.size(), 1u);
  EXPECT_EQ(plan->drains.ended[0].node, "n2");
  // One node may still be drained (n1 counts); nothing lands on n1.
  ASSERT_EQ(plan->plan.drained.size(), 1u);
  for (const PlannedMove& move : plan->plan.drained[0].moves) EXPECT_NE(move.to, "n1");
  EXPECT_NE(plan->plan.drained[0].node, "n1");
  const std::string table = format_plan_table(*plan);
  EXPECT_THAT(table, HasSubstr("DRAINING NODE"));
  EXPECT_THAT(table, HasSubstr("n1             draining"));
  EXPECT_THAT(table,
              HasSubstr("n2             drain unfinished: 1 pod still keeps it busy (team/c)"));
  const std::string json = format_plan_json(*plan);
  EXPECT_THAT(json,
              HasSubstr(R"("draining":["n1"],"drainsEnding":[{"node":"n2","emptied":false,)"));

  // With maxDrainingNodes 1, n1 alone uses the budget: nothing is planned.
  const Result<ClusterPlan> full = plan_cluster(objects(items), config(""), kNow);
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_TRUE(full->plan.drained.empty());
  EXPECT_TRUE(full->live_run_skipped);
}

}  // namespace
}  // namespace epc
