// The scoring config's options as the model applies them: ratio, proportional normalisation,
// bestfit, headroom, confidential selector, per-pod overrides. Formulas mirrored from
// kube-scheduler are checked against upstream's numbers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "builders.h"
#include "model/fit.h"
#include "model/pod_policy.h"
#include "model/scoring/bestfit.h"
#include "model/scoring/node_scorer.h"
#include "model/scoring/proportional.h"
#include "model/scoring/ratio.h"
#include "model/scoring/spread.h"

namespace epc {
namespace {

using namespace testing_builders;
using ::testing::ElementsAre;

constexpr int64_t kGi = int64_t{1} << 30;

PlacementPolicy with_strategy(const ScoringStrategy* strategy, Normalization normalization) {
  PlacementPolicy policy;
  policy.strategy = strategy;
  policy.normalization = normalization;
  return policy;
}

// kubernetes.io/docs/concepts/scheduling-eviction/resource-bin-packing: shape {0,0},{100,10},
// weights foo 5, memory 1, cpu 3; node 1 scores 5 and node 2 scores 7.
TEST(RequestedToCapacityRatio, ReproducesTheKubernetesDocsExample) {
  const std::vector<ShapePoint> shape{{0, 0}, {100, 10}};
  constexpr int64_t kMB = 1024 * 1024;
  const std::vector<ResourceRequest> node1{
      {2 + 1, 4, 5}, {256 * kMB + 256 * kMB, 1024 * kMB, 1}, {2 + 1, 8, 3}};
  const std::vector<ResourceRequest> node2{
      {2 + 2, 8, 5}, {256 * kMB + 512 * kMB, 1024 * kMB, 1}, {2 + 6, 8, 3}};
  // The per-resource steps of the docs: 75 → 7, 50 → 5, 37 → 3; 50 → 5, 75 → 7, 100 → 10.
  EXPECT_EQ(shape_score(shape, 75), 7);
  EXPECT_EQ(shape_score(shape, 37), 3);
  EXPECT_EQ(requested_to_capacity_ratio(node1, shape), 5);
  EXPECT_EQ(requested_to_capacity_ratio(node2, shape), 7);
}

TEST(RequestedToCapacityRatio, TheSingleResourceEpcCaseFollowsTheSameArithmetic) {
  const std::vector<ShapePoint> shape{{0, 0}, {100, 10}};
  // intel.com/foo of the docs' node 1 as EPC: 3 of 4 → 75 % → 7; node 2: 4 of 8 → 5.
  EXPECT_EQ(ratio_score(EpcDemand{2 * kGi, kIntelEpc}, record("n1", 4 * kGi, 1 * kGi), shape), 7);
  EXPECT_EQ(ratio_score(EpcDemand{2 * kGi, kIntelEpc}, record("n2", 8 * kGi, 2 * kGi), shape), 5);
}

TEST(RequestedToCapacityRatio, InterpolatesAndClampsLikeBuildBrokenLinearFunction) {
  const std::vector<ShapePoint> shape{{20, 10}, {50, 4}, {80, 10}};
  EXPECT_EQ(shape_score(shape, 0), 10);  // before the first point: its score
  EXPECT_EQ(shape_score(shape, 20), 10);
  EXPECT_EQ(shape_score(shape, 35), 7);    // 10 + (4-10)*15/30 = 10 - 3
  EXPECT_EQ(shape_score(shape, 36), 7);    // 10 + (-6*16)/30 = 10 - 3 (Go truncates toward 0)
  EXPECT_EQ(shape_score(shape, 65), 7);    // 4 + 6*15/30
  EXPECT_EQ(shape_score(shape, 100), 10);  // beyond the last point: its score
  // Upstream skips zero scores from the mean: a resource scoring 0 does not dilute the others.
  const std::vector<ShapePoint> line{{0, 0}, {100, 10}};
  const std::vector<ResourceRequest> one_idle{{0, 10, 1}, {10, 10, 1}};
  EXPECT_EQ(requested_to_capacity_ratio(one_idle, line), 10);
  // Over capacity scores the shape at 100 %.
  const std::vector<ResourceRequest> over{{11, 10, 1}};
  EXPECT_EQ(requested_to_capacity_ratio(over, shape), 10);
}

TEST(ProportionalScores, TruncateAsMostAndLeastAllocatedDo) {
  EXPECT_EQ(most_allocated_score(69, 100), 6);
  EXPECT_EQ(most_allocated_score(61, 100), 6);
  EXPECT_EQ(most_allocated_score(150, 100), 10);  // requested clamped to capacity
  EXPECT_EQ(least_allocated_score(69, 100), 3);   // (100-69)*10/100 = 3.1
  EXPECT_EQ(least_allocated_score(150, 100), 0);
  EXPECT_EQ(most_allocated_score(5, 0), 0);
}

TEST(ScoreNodes, NormalizationProportionalMergesWhatRankKeepsApart) {
  const EpcDemand demand{1 * kGi, kIntelEpc};
  const NodeRecord a = record("a", 100 * kGi, 60 * kGi);  // 61 % after placement
  const NodeRecord b = record("b", 100 * kGi, 68 * kGi);  // 69 %
  const NodeRecord c = record("c", 100 * kGi, 9 * kGi);   // 10 %
  const std::vector<const NodeRecord*> nodes{&a, &b, &c};
  EXPECT_THAT(score_nodes(demand, nodes, with_strategy(&kBinPack, Normalization::kRank)),
              ElementsAre(9, 10, 8));
  EXPECT_THAT(score_nodes(demand, nodes, with_strategy(&kBinPack, Normalization::kProportional)),
              ElementsAre(6, 6, 1));
  EXPECT_THAT(score_nodes(demand, nodes, with_strategy(&kSpread, Normalization::kProportional)),
              ElementsAre(3, 3, 9));
}

TEST(ScoreNodes, RatioFollowsTheShape) {
  // Prefer half-full nodes: 0 % → 0, 50 % → 10, 100 % → 0.
  PlacementPolicy policy = with_strategy(&kRatio, Normalization::kProportional);
  policy.shape = {{0, 0}, {50, 10}, {100, 0}};
  const EpcDemand demand{10 * kGi, kIntelEpc};
  const NodeRecord empty = record("empty", 100 * kGi);          // 10 % → 2
  const NodeRecord half = record("half", 100 * kGi, 40 * kGi);  // 50 % → 10
  const NodeRecord full = record("full", 100 * kGi, 85 * kGi);  // 95 % → 1
  const NodeRecord fuller = record("f", 100 * kGi, 90 * kGi);   // 100 % → 0
  const std::vector<const NodeRecord*> nodes{&empty, &half, &full, &fuller};
  EXPECT_THAT(score_nodes(demand, nodes, policy), ElementsAre(2, 10, 1, 0));
  // Rank uses the exact shape value, so 95 % and 96 % stay apart.
  policy.normalization = Normalization::kRank;
  EXPECT_THAT(score_nodes(demand, nodes, policy), ElementsAre(9, 10, 8, 7));
}

TEST(ScoreNodes, RatioWithoutAShapeIsMostAllocated) {
  const EpcDemand demand{1 * kGi, kIntelEpc};
  const NodeRecord a = record("a", 100 * kGi, 60 * kGi);
  const NodeRecord b = record("b", 100 * kGi, 68 * kGi);
  const std::vector<const NodeRecord*> nodes{&a, &b};
  EXPECT_THAT(score_nodes(demand, nodes, with_strategy(&kRatio, Normalization::kProportional)),
              ElementsAre(6, 6));
  EXPECT_THAT(score_nodes(demand, nodes, with_strategy(&kRatio, Normalization::kRank)),
              ElementsAre(9, 10));
}

TEST(BestFit, LeftoverSmallerThanEveryRecentPodIsStranded) {
  const EpcDemand demand{4 * kGi, kIntelEpc};
  const std::vector<int64_t> recent{4 * kGi, 8 * kGi};
  // 8Gi node with 2Gi used: 2Gi left, smaller than any recent pod → stranded.
  EXPECT_EQ(bestfit_preference(demand, record("a", 8 * kGi, 2 * kGi), recent),
            (BestFitPreference{2 * kGi, 2 * kGi}));
  // 16Gi node with 4Gi used: 8Gi left, fits recent pods → nothing stranded.
  EXPECT_EQ(bestfit_preference(demand, record("b", 16 * kGi, 4 * kGi), recent),
            (BestFitPreference{0, 8 * kGi}));
  // Without history nothing is stranded.
  EXPECT_EQ(bestfit_preference(demand, record("a", 8 * kGi, 2 * kGi), {}).stranded_bytes, 0);
}

TEST(ScoreNodes, BestFitAvoidsStrandingEpcThatBinpackWouldStrand) {
  const EpcDemand demand{4 * kGi, kIntelEpc};
  const NodeRecord tight = record("tight", 8 * kGi, 2 * kGi);      // 75 % after, 2Gi stranded
  const NodeRecord exact = record("exact", 32 * kGi, 20 * kGi);    // 75 % after, 8Gi usable
  const NodeRecord perfect = record("perfect", 8 * kGi, 4 * kGi);  // 100 %, nothing left
  const NodeRecord roomy = record("roomy", 64 * kGi);              // 60Gi usable
  const std::vector<const NodeRecord*> nodes{&tight, &exact, &perfect, &roomy};
  const std::vector<int64_t> recent{4 * kGi, 8 * kGi};
  const PlacementPolicy binpack = with_strategy(&kBinPack, Normalization::kRank);
  EXPECT_THAT(score_nodes(demand, nodes, binpack, recent), ElementsAre(9, 9, 10, 8));
  const PlacementPolicy bestfit = with_strategy(&kBestFit, Normalization::kRank);
  EXPECT_THAT(score_nodes(demand, nodes, bestfit, recent), ElementsAre(7, 9, 10, 8));
  // Proportional: a stranding node scores 0, the others as binpack.
  const PlacementPolicy proportional = with_strategy(&kBestFit, Normalization::kProportional);
  EXPECT_THAT(score_nodes(demand, nodes, proportional, recent), ElementsAre(0, 7, 10, 0));
}

PlacementPolicy with_headroom() {
  PlacementPolicy policy;
  policy.headroom.bytes = 4 * kGi;
  policy.headroom.min_priority = 1000;
  return policy;
}

TEST(Headroom, LowerPriorityPodsFailOnTheKeptEpcWithAReasonThatSaysSo) {
  const NodeRecord node = record("n", 32 * kGi, 22 * kGi);  // 10Gi free
  const EpcDemand demand{8 * kGi, kIntelEpc};
  const FitVerdict verdict = check_fit(demand, &node, "n", with_headroom());
  EXPECT_EQ(verdict.fit, Fit::kUnschedulable);
  EXPECT_EQ(verdict.reason,
            "insufficient sgx.intel.com/epc: requested 8Gi, free 10Gi of 32Gi but 4Gi is kept "
            "for pods of priority >= 1000");
  EXPECT_EQ(check_fit(EpcDemand{6 * kGi, kIntelEpc}, &node, "n", with_headroom()).fit, Fit::kFits);
  // More than the node's total minus the headroom: no eviction can help.
  const FitVerdict never = check_fit(EpcDemand{30 * kGi, kIntelEpc}, &node, "n", with_headroom());
  EXPECT_EQ(never.fit, Fit::kUnresolvable);
  EXPECT_EQ(never.reason,
            "insufficient sgx.intel.com/epc: requested 30Gi, node total 32Gi but 4Gi is kept for "
            "pods of priority >= 1000");
}

TEST(Headroom, PercentAndNamespacesAppearInTheReason) {
  PlacementPolicy policy;
  policy.headroom.percent = 25;
  policy.headroom.namespaces = {"kube-system", "prod"};
  const NodeRecord node = record("n", 32 * kGi, 22 * kGi);
  EXPECT_EQ(check_fit(EpcDemand{8 * kGi, kIntelEpc}, &node, "n", policy).reason,
            "insufficient sgx.intel.com/epc: requested 8Gi, free 10Gi of 32Gi but 8Gi (25%) is "
            "kept for pods in namespaces kube-system, prod");
}

TEST(Headroom, PodsItIsKeptForGetAPolicyWithoutIt) {
  auto base = std::make_shared<const PlacementPolicy>(with_headroom());
  Pod low = epc_pod("low", "8Gi");
  low.priority = 999;
  Pod high = epc_pod("high", "8Gi");
  high.priority = 1000;
  const NodeRecord node = record("n", 32 * kGi, 22 * kGi);
  const EpcDemand demand{8 * kGi, kIntelEpc};
  auto low_policy = policy_for_pod(base, low);
  auto high_policy = policy_for_pod(base, high);
  ASSERT_TRUE(low_policy.ok() && high_policy.ok());
  EXPECT_EQ(low_policy->get(), base.get());  // unchanged: shared, not copied
  EXPECT_EQ(check_fit(demand, &node, "n", **low_policy).fit, Fit::kUnschedulable);
  EXPECT_EQ(check_fit(demand, &node, "n", **high_policy).fit, Fit::kFits);
  // Prioritize agrees: the node is no candidate for the low-priority pod.
  const std::vector<const NodeRecord*> nodes{&node};
  EXPECT_THAT(score_nodes(demand, nodes, **low_policy), ElementsAre(0));
  EXPECT_THAT(score_nodes(demand, nodes, **high_policy), ElementsAre(10));
}

TEST(Headroom, PreemptionThatFreesEnoughOutsideTheHeadroomHelps) {
  const NodeRecord node = record("n", 32 * kGi, 22 * kGi);
  const EpcDemand demand{8 * kGi, kIntelEpc};
  EXPECT_EQ(check_fit_after_eviction(demand, node, 1 * kGi, with_headroom()).fit,
            Fit::kUnschedulable);
  EXPECT_EQ(check_fit_after_eviction(demand, node, 2 * kGi, with_headroom()).fit, Fit::kFits);
}

NodeRecord labelled(const std::string& name, int64_t epc, Labels labels) {
  NodeRecord node = record(name, epc);
  node.labels = std::make_shared<const Labels>(std::move(labels));
  return node;
}

TEST(ConfidentialNodes, TheSelectorMakesAnUnlabelledEpcNodeGeneralOrALabelledOneConfidential) {
  PlacementPolicy policy;
  policy.confidential_selector = *LabelSelector::parse("agentpool in (confpool)");
  policy.non_epc_pods = NonEpcPolicy::kRequireGeneral;
  const NodeRecord starting = labelled("c0", 0, {{"agentpool", "confpool"}});  // no EPC yet
  const NodeRecord other = labelled("x0", 8 * kGi, {{"agentpool", "other"}});
  const EpcDemand none{};
  // epc-or-selector (default): both count as confidential.
  EXPECT_EQ(check_fit(none, &starting, "c0", policy).fit, Fit::kUnresolvable);
  EXPECT_EQ(check_fit(none, &starting, "c0", policy).reason,
            "node matches confidentialNodes.selector \"agentpool in (confpool)\" and nonEpcPods "
            "policy require-general keeps pods without EPC off confidential nodes");
  EXPECT_EQ(check_fit(none, &other, "x0", policy).fit, Fit::kUnresolvable);
  // epc-and-selector: the EPC node outside the pool is general, and EPC pods may not use it.
  policy.confidential_rule = ConfidentialRule::kEpcAndSelector;
  EXPECT_EQ(check_fit(none, &other, "x0", policy).fit, Fit::kFits);
  const FitVerdict epc_pod = check_fit(EpcDemand{1 * kGi, kIntelEpc}, &other, "x0", policy);
  EXPECT_EQ(epc_pod.fit, Fit::kUnresolvable);
  EXPECT_EQ(epc_pod.reason,
            "node does not match confidentialNodes.selector \"agentpool in (confpool)\", which "
            "EPC pods require (confidentialNodes.rule epc-and-selector)");
  // Scores for pods without EPC follow the same rule.
  policy.non_epc_pods = NonEpcPolicy::kPreferGeneral;
  policy.confidential_node_score = 3;
  const std::vector<const NodeRecord*> nodes{&starting, &other};
  EXPECT_THAT(score_nodes(none, nodes, policy), ElementsAre(10, 10));
  policy.confidential_rule = ConfidentialRule::kEpcOrSelector;
  EXPECT_THAT(score_nodes(none, nodes, policy), ElementsAre(3, 3));
}

TEST(NodeRecord, ThePoolIsTheValueOfThePoolLabel) {
  Node node = epc_node("n", "8Gi");
  node.labels = {{"agentpool", "confpool"}};
  const NodeRecord record = make_node_record(node, EpcResources::defaults());
  EXPECT_EQ(record.label("agentpool"), "confpool");
  EXPECT_EQ(record.label("zone"), "");
  EXPECT_EQ(record.label(""), "");
}

TEST(Overrides, AnAllowedAnnotationChangesTheStrategyForThatPodOnly) {
  PlacementPolicy config;
  config.allowed_overrides = {OverrideKey::kStrategy};
  auto base = std::make_shared<const PlacementPolicy>(config);
  Pod pod = epc_pod("p", "1Gi");
  pod.annotations = {{"epc-extender.io/strategy", "spread"}};
  auto policy = policy_for_pod(base, pod);
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ((*policy)->strategy, &kSpread);
  EXPECT_EQ(base->strategy, &kBinPack);
  const EpcDemand demand{1 * kGi, kIntelEpc};
  const NodeRecord empty = record("empty", 8 * kGi);
  const NodeRecord half = record("half", 8 * kGi, 4 * kGi);
  const std::vector<const NodeRecord*> nodes{&empty, &half};
  EXPECT_THAT(score_nodes(demand, nodes, *base), ElementsAre(9, 10));
  EXPECT_THAT(score_nodes(demand, nodes, **policy), ElementsAre(10, 9));
}

TEST(Overrides, InvalidOrDisallowedAnnotationsAreErrorsNamingThem) {
  PlacementPolicy config;
  config.allowed_overrides = {OverrideKey::kStrategy};
  auto base = std::make_shared<const PlacementPolicy>(config);
  Pod pod = epc_pod("p", "1Gi");
  pod.annotations = {{"epc-extender.io/strategy", "x"}};
  EXPECT_EQ(policy_for_pod(base, pod).error().message,
            "invalid annotation epc-extender.io/strategy \"x\": must be one of binpack, spread, "
            "ratio, bestfit; got \"x\"");
  pod.annotations = {{"epc-extender.io/normalization", "proportional"}};
  EXPECT_EQ(policy_for_pod(base, pod).error().message,
            "annotation epc-extender.io/normalization \"proportional\" is not allowed by the "
            "scoring config (overrides.allowed: [strategy])");
  pod.annotations = {{"epc-extender.io/something-else", "x"}};  // not ours: ignored
  EXPECT_TRUE(policy_for_pod(base, pod).ok());
}

}  // namespace
}  // namespace epc
