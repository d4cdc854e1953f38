// plan_recheck and apply_fresh_reads: what a filter about to reject every node reads again, and
// how the answers change the view.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "builders.h"
#include "model/epc_ledger.h"
#include "model/filter_decision.h"
#include "model/fresh_reads.h"
#include "model/pod_request.h"
#include "model/recheck_plan.h"

namespace epc {
namespace {

using namespace testing_builders;

// A ledger, and filter decisions made from it the way the NodeNames verb makes them.
class View {
 public:
  View() : ledger_(EpcResources::defaults()) {}

  EpcLedger& ledger() { return ledger_; }
  void node(const std::string& name, const std::string& epc) {
    ledger_.upsert_node(epc_node(name, epc));
  }
  void bound(const std::string& name, const std::string& epc, const std::string& node) {
    ASSERT_TRUE(ledger_.upsert_pod(epc_pod(name, epc, node, PodPhase::Running)).ok());
  }

  struct Decided {
    PodRequest pod;
    FilterDecision decision;
    RecheckPlan plan;
  };
  // Decides for `pod` over `names`, then plans its recheck with `max_reads`.
  Decided decide(const Pod& pod, const std::vector<std::string>& names, size_t max_reads = 16,
                 bool node_facts_sent = false) {
    records_ = ledger_.node_records();
    names_.assign(names.begin(), names.end());
    pointers_.clear();
    for (const std::string& name : names) {
      auto it = records_.find(name);
      pointers_.push_back(it == records_.end() ? nullptr : &it->second);
    }
    Decided decided{
        resolve_pod_request(pod, std::make_shared<PlacementPolicy>(), ledger_.resources()), {}, {}};
    const CandidateView view{names_, pointers_};
    decided.decision = decide_filter(decided.pod, view, ledger_.resources(), false);
    decided.plan =
        plan_recheck(decided.pod, view, decided.decision, ledger_, node_facts_sent, max_reads);
    return decided;
  }

 private:
  EpcLedger ledger_;
  NodeRecordMap records_;
  std::vector<std::string_view> names_;
  std::vector<const NodeRecord*> pointers_;
};

std::vector<std::string> pod_names(const RecheckPlan& plan) {
  std::vector<std::string> names;
  for (const HeldPod& pod : plan.pods) names.push_back(pod.name);
  return names;
}

TEST(PlanRecheck, NothingIsReadWhenANodePasses) {
  View view;
  view.node("full", "64Mi");
  view.node("free", "64Mi");
  view.bound("big", "48Mi", "full");
  EXPECT_TRUE(view.decide(epc_pod("p", "32Mi"), {"full", "free"}).plan.empty());
}

TEST(PlanRecheck, PodsHeldOnAShortNodeAreReadLargestFirst) {
  View view;
  view.node("n", "64Mi");
  view.bound("small", "8Mi", "n");
  view.bound("big", "40Mi", "n");
  const auto decided = view.decide(epc_pod("p", "32Mi"), {"n"});
  ASSERT_TRUE(decided.decision.passing.empty());
  EXPECT_EQ(pod_names(decided.plan), (std::vector<std::string>{"big", "small"}));
  EXPECT_TRUE(decided.plan.nodes.empty());
  EXPECT_EQ(decided.plan.pods[0].node_name, "n");
  EXPECT_EQ(decided.plan.pods[0].uid, "uid-big");
}

TEST(PlanRecheck, ANodeThatCannotFitWhateverGoesIsNotReadForItsPods) {
  View view;
  view.node("n", "64Mi");
  view.bound("a", "16Mi", "n");
  // 128Mi can never fit on 64Mi: the node's total would have to grow, which a node read shows.
  const auto decided = view.decide(epc_pod("p", "128Mi"), {"n"});
  EXPECT_TRUE(decided.plan.pods.empty());
  EXPECT_EQ(decided.plan.nodes, (std::vector<std::string>{"n"}));
}

TEST(PlanRecheck, UnknownNodesComeFirstThenNodeFactsThenPods) {
  View view;
  view.node("general", "");
  view.node("short", "64Mi");
  view.bound("big", "48Mi", "short");
  const auto decided = view.decide(epc_pod("p", "32Mi"), {"short", "general", "new"});
  EXPECT_EQ(decided.plan.nodes, (std::vector<std::string>{"new", "general"}));
  EXPECT_EQ(pod_names(decided.plan), std::vector<std::string>{"big"});
}

TEST(PlanRecheck, NodeFactsSentWithTheRequestAreNotReadAgain) {
  View view;
  view.node("general", "");
  view.node("short", "64Mi");
  view.bound("big", "48Mi", "short");
  const auto decided = view.decide(epc_pod("p", "32Mi"), {"short", "general"}, 16, true);
  EXPECT_TRUE(decided.plan.nodes.empty());
  EXPECT_EQ(pod_names(decided.plan), std::vector<std::string>{"big"});
}

TEST(PlanRecheck, ReadsStayWithinTheBudgetMostPromisingFirst) {
  View view;
  for (int i = 0; i < 6; ++i) view.node("n" + std::to_string(i), "64Mi");
  // n0..n4 need two of their three 20Mi pods gone; n5 needs only its one 48Mi pod gone.
  for (int i = 0; i < 5; ++i) {
    for (const char* pod : {"a", "b", "c"}) {
      view.bound(pod + std::to_string(i), "20Mi", "n" + std::to_string(i));
    }
  }
  view.bound("big", "48Mi", "n5");
  const std::vector<std::string> all{"n0", "n1", "n2", "n3", "n4", "n5"};
  const auto decided = view.decide(epc_pod("p", "32Mi"), all, 3);
  // big, then two of n0's pods, enough to see it fit; n0's third would need a fourth read.
  EXPECT_EQ(pod_names(decided.plan), (std::vector<std::string>{"big", "a0", "b0"}));
  // With two reads, no other node can be shown to fit after big's: they are skipped.
  EXPECT_EQ(pod_names(view.decide(epc_pod("p", "32Mi"), all, 2).plan),
            std::vector<std::string>{"big"});
  EXPECT_TRUE(view.decide(epc_pod("p", "32Mi"), {"n5"}, 0).plan.empty());
}

TEST(PlanRecheck, ThePodsOwnReservationIsNotRead) {
  View view;
  view.node("n", "64Mi");
  view.bound("big", "48Mi", "n");
  const Pod pod = epc_pod("p", "32Mi");
  view.ledger().remember_pending(pod, *epc_demand(pod, EpcResources::defaults()));
  view.ledger().reserve({"default", "p", "uid-p", "n"}, SteadyTime::max());
  EXPECT_EQ(pod_names(view.decide(pod, {"n"}).plan), std::vector<std::string>{"big"});
}

TEST(PlanRecheck, AnotherPodsReservationIsRead) {
  View view;
  view.node("n", "64Mi");
  const Pod other = epc_pod("other", "48Mi");
  view.ledger().remember_pending(other, *epc_demand(other, EpcResources::defaults()));
  view.ledger().reserve({"default", "other", "uid-other", "n"}, SteadyTime::max());
  EXPECT_EQ(pod_names(view.decide(epc_pod("p", "32Mi"), {"n"}).plan),
            std::vector<std::string>{"other"});
}

TEST(ApplyFreshReads, APodGoneReleasesItsEpcAndTheNodeFits) {
  View view;
  view.node("n", "64Mi");
  view.bound("big", "48Mi", "n");
  const Pod pod = epc_pod("p", "32Mi");
  const auto first = view.decide(pod, {"n"});
  ASSERT_EQ(first.plan.pods.size(), 1u);
  FreshReads reads;
  reads.pods.push_back({first.plan.pods[0], std::nullopt});
  const FreshChanges changes = apply_fresh_reads(view.ledger(), reads);
  EXPECT_EQ(changes.pods_released, 1u);
  EXPECT_EQ(view.ledger().committed_bytes("n"), 0);
  EXPECT_EQ(view.decide(pod, {"n"}).decision.passing.size(), 1u);
  // Applying the same reads again changes nothing: the watch's DELETED will do the same.
  EXPECT_FALSE(apply_fresh_reads(view.ledger(), reads).any());
}

TEST(ApplyFreshReads, APodStillThereKeepsItsEpc) {
  View view;
  view.node("n", "64Mi");
  view.bound("big", "48Mi", "n");
  const auto first = view.decide(epc_pod("p", "32Mi"), {"n"});
  FreshReads reads;
  reads.pods.push_back({first.plan.pods[0], epc_pod("big", "48Mi", "n", PodPhase::Running)});
  EXPECT_FALSE(apply_fresh_reads(view.ledger(), reads).any());
  EXPECT_EQ(view.ledger().committed_bytes("n"), 48 * kMi);
}

TEST(ApplyFreshReads, ATerminatedPodOrANewPodOfTheSameNameReleasesIt) {
  View view;
  view.node("n", "64Mi");
  view.bound("done", "16Mi", "n");
  view.bound("renamed", "16Mi", "n");
  const auto first = view.decide(epc_pod("p", "48Mi"), {"n"});
  ASSERT_EQ(first.plan.pods.size(), 2u);
  FreshReads reads;
  for (const HeldPod& held : first.plan.pods) {
    if (held.name == "done") {
      reads.pods.push_back({held, epc_pod("done", "16Mi", "n", PodPhase::Succeeded)});
    } else {
      Pod successor = epc_pod("renamed", "16Mi");  // a StatefulSet's next pod, not bound yet
      successor.uid = "uid-successor";
      reads.pods.push_back({held, successor});
    }
  }
  EXPECT_EQ(apply_fresh_reads(view.ledger(), reads).pods_released, 2u);
  EXPECT_EQ(view.ledger().committed_bytes("n"), 0);
}

TEST(ApplyFreshReads, ANewNodeIsLearntAndANodeGoneIsRemoved) {
  View view;
  view.node("old", "");
  const Pod pod = epc_pod("p", "32Mi");
  const auto first = view.decide(pod, {"old", "new"});
  ASSERT_EQ(first.plan.nodes, (std::vector<std::string>{"new", "old"}));
  FreshReads reads;
  reads.nodes.push_back({"new", epc_node("new", "64Mi")});
  reads.nodes.push_back({"old", std::nullopt});
  EXPECT_EQ(apply_fresh_reads(view.ledger(), reads).nodes_changed, 2u);
  EXPECT_EQ(view.ledger().node("old"), nullptr);
  const auto second = view.decide(pod, {"old", "new"});
  ASSERT_EQ(second.decision.passing.size(), 1u);
  EXPECT_EQ(second.decision.passing[0], 1u);
}

TEST(ApplyFreshReads, EpcBackFromTheDevicePluginCounts) {
  View view;
  view.node("n", "0");
  const Pod pod = epc_pod("p", "32Mi");
  ASSERT_EQ(view.decide(pod, {"n"}).plan.nodes, std::vector<std::string>{"n"});
  FreshReads same;
  same.nodes.push_back({"n", epc_node("n", "0")});
  EXPECT_FALSE(apply_fresh_reads(view.ledger(), same).any());
  FreshReads back;
  back.nodes.push_back({"n", epc_node("n", "64Mi")});
  EXPECT_EQ(apply_fresh_reads(view.ledger(), back).nodes_changed, 1u);
  EXPECT_EQ(view.decide(pod, {"n"}).decision.passing.size(), 1u);
}

}  // namespace
}  // namespace epc
