#include "model/fit.h"

#include <gtest/gtest.h>

#include "builders.h"
#include "model/epc_demand.h"

namespace epc {
namespace {

using namespace testing_builders;

const EpcDemand k64Mi{64 * kMi, kIntelEpc};
const EpcDemand kNone{};
const std::string kAzureEpc = "kubernetes.azure.com/sgx_epc_mem_in_MiB";

PlacementPolicy with(NonEpcPolicy non_epc) {
  PlacementPolicy policy;
  policy.non_epc_pods = non_epc;
  return policy;
}

void expect(const FitVerdict& verdict, Fit fit, const std::string& reason) {
  EXPECT_EQ(verdict.fit, fit) << verdict.reason;
  EXPECT_EQ(verdict.reason, reason);
}

TEST(CheckFit, UnknownNodesAreUnresolvableForEpcPods) {
  expect(check_fit(k64Mi, nullptr, "n9", {}), Fit::kUnresolvable,
         R"(node "n9" is not in epc-extender's cluster state)");
  EXPECT_EQ(judge_fit(k64Mi, nullptr, {}).fit, Fit::kUnresolvable);
}

// The README promises that under allow and prefer-general every node passes a pod without EPC:
// one the watch has not delivered yet included.
TEST(CheckFit, PodsWithoutEpcPassUnknownNodesUnderAllowAndPreferGeneral) {
  for (const auto policy : {NonEpcPolicy::kAllow, NonEpcPolicy::kPreferGeneral}) {
    expect(check_fit(kNone, nullptr, "n9", with(policy)), Fit::kFits, "");
    EXPECT_EQ(judge_fit(kNone, nullptr, with(policy)).fit, Fit::kFits);
  }
}

// Whether an unknown node is confidential cannot be told, so require-general turns it away; but
// only until the watch delivers it, so not as unresolvable.
TEST(CheckFit, RequireGeneralTurnsUnknownNodesAwayUntilTheyAreKnown) {
  const PlacementPolicy policy = with(NonEpcPolicy::kRequireGeneral);
  const FitVerdict verdict = check_fit(kNone, nullptr, "n9", policy);
  expect(verdict, Fit::kUnschedulable,
         R"(node "n9" is not in epc-extender's cluster state yet, and nonEpcPods policy )"
         "require-general needs to know whether it is confidential");
  EXPECT_EQ(verdict.cause, FitCause::kUnknownNode);
  const FitStatus status = judge_fit(kNone, nullptr, policy);
  EXPECT_EQ(status.fit, Fit::kUnschedulable);
  EXPECT_EQ(status.cause, FitCause::kUnknownNode);
}

TEST(CheckFit, PodsWithoutEpcFitAnyNodeUnderAllowAndPreferGeneral) {
  const NodeRecord confidential = record("c", 64 * kMi, 64 * kMi);
  NodeRecord broken = record("b", 0);
  broken.capacity_error = "unreadable";
  for (const auto policy : {NonEpcPolicy::kAllow, NonEpcPolicy::kPreferGeneral}) {
    expect(check_fit(kNone, &confidential, "c", with(policy)), Fit::kFits, "");
    expect(check_fit(kNone, &broken, "b", with(policy)), Fit::kFits, "");
  }
}

TEST(CheckFit, RequireGeneralKeepsPodsWithoutEpcOffConfidentialNodes) {
  const PlacementPolicy policy = with(NonEpcPolicy::kRequireGeneral);
  const NodeRecord confidential = record("c", 64 * kMi);
  expect(check_fit(kNone, &confidential, "c", policy), Fit::kUnresolvable,
         "node offers SGX EPC (sgx.intel.com/epc 64Mi) and nonEpcPods policy require-general "
         "keeps pods without EPC off confidential nodes");
  const NodeRecord general = record("g", 0);
  expect(check_fit(kNone, &general, "g", policy), Fit::kFits, "");
  NodeRecord broken = record("b", 0);
  broken.capacity_error = R"(node "b": status.allocatable sgx.intel.com/epc: bad)";
  expect(check_fit(kNone, &broken, "b", policy), Fit::kUnresolvable, broken.capacity_error);
}

TEST(CheckFit, EpcPodsNeedAReadableSchedulableReadyConfidentialNode) {
  NodeRecord node = record("n", 128 * kMi);
  node.capacity_error = "node \"n\": unreadable";
  expect(check_fit(k64Mi, &node, "n", {}), Fit::kUnresolvable, "node \"n\": unreadable");

  node = record("n", 128 * kMi);
  node.unschedulable = true;
  expect(check_fit(k64Mi, &node, "n", {}), Fit::kUnresolvable,
         "node is cordoned (spec.unschedulable)");

  node = record("n", 128 * kMi);
  node.readiness = NodeReadiness::NotReady;
  expect(check_fit(k64Mi, &node, "n", {}), Fit::kUnresolvable, "node is not Ready");

  node.readiness = NodeReadiness::Unknown;
  expect(check_fit(k64Mi, &node, "n", {}), Fit::kFits, "");

  const NodeRecord general = record("g", 0);
  expect(check_fit(k64Mi, &general, "g", {}), Fit::kUnresolvable,
         "node has no SGX EPC (none of sgx.intel.com/epc, kubernetes.azure.com/sgx_epc_mem_in_MiB, "
         "alibabacloud.com/sgx_epc_MiB)");
  expect(check_fit(k64Mi, &general, "g", {}, EpcResources({{"example.com/epc", 1}})),
         Fit::kUnresolvable, "node has no SGX EPC (none of example.com/epc)");
}

EpcDemand tolerating(PodTolerations tolerates) {
  EpcDemand demand = k64Mi;
  demand.tolerates = tolerates;
  return demand;
}

// kube-scheduler's NodeUnschedulable admits a pod tolerating node.kubernetes.io/unschedulable
// (NoSchedule) on a cordoned node; its TaintToleration admits one tolerating the not-ready or
// unreachable taint the node lifecycle controller puts on a NotReady node.
TEST(CheckFit, TolerationsLetEpcPodsOntoCordonedAndNotReadyNodes) {
  NodeRecord cordoned = record("n", 128 * kMi);
  cordoned.unschedulable = true;
  expect(check_fit(tolerating({.unschedulable = true}), &cordoned, "n", {}), Fit::kFits, "");
  expect(check_fit(tolerating({.not_ready = true, .unreachable = true}), &cordoned, "n", {}),
         Fit::kUnresolvable, "node is cordoned (spec.unschedulable)");

  NodeRecord not_ready = record("n", 128 * kMi);
  not_ready.readiness = NodeReadiness::NotReady;
  expect(check_fit(tolerating({.not_ready = true}), &not_ready, "n", {}), Fit::kFits, "");
  expect(check_fit(tolerating({.unschedulable = true, .unreachable = true}), &not_ready, "n", {}),
         Fit::kUnresolvable, "node is not Ready");

  NodeRecord unreachable = not_ready;
  unreachable.unreachable = true;
  expect(check_fit(tolerating({.unreachable = true}), &unreachable, "n", {}), Fit::kFits, "");
  expect(check_fit(tolerating({.unschedulable = true, .not_ready = true}), &unreachable, "n", {}),
         Fit::kUnresolvable, "node is not Ready");

  // Tolerated conditions do not excuse the rest: the EPC must still be there.
  NodeRecord full = cordoned;
  full.committed_bytes = 96 * kMi;
  expect(check_fit(tolerating({.unschedulable = true}), &full, "n", {}), Fit::kUnschedulable,
         "insufficient sgx.intel.com/epc: requested 64Mi, free 32Mi of 128Mi");
  EXPECT_EQ(judge_fit(tolerating({.unschedulable = true}), &full, {}).cause,
            FitCause::kInsufficientEpc);
}

TEST(CheckFit, DemandAboveTheTotalIsUnresolvable) {
  const NodeRecord node = record("n", 32 * kMi);
  expect(check_fit(k64Mi, &node, "n", {}), Fit::kUnresolvable,
         "insufficient sgx.intel.com/epc: requested 64Mi, node total 32Mi");
}

TEST(CheckFit, DemandAboveTheFreeEpcIsUnschedulable) {
  const NodeRecord node = record("n", 128 * kMi, 96 * kMi);
  expect(check_fit(k64Mi, &node, "n", {}), Fit::kUnschedulable,
         "insufficient sgx.intel.com/epc: requested 64Mi, free 32Mi of 128Mi");
  // Over-committed nodes (shrunk after binding) show 0 free, never a negative amount.
  const NodeRecord over = record("n", 128 * kMi, 200 * kMi);
  expect(check_fit(k64Mi, &over, "n", {}), Fit::kUnschedulable,
         "insufficient sgx.intel.com/epc: requested 64Mi, free 0 of 128Mi");
}

TEST(CheckFit, ReasonsUseThePodsResourceNameAndPlainBytes) {
  const EpcDemand azure{1000, kAzureEpc};
  NodeRecord node = record("n", 1536, 1000);
  node.epc.resource = kAzureEpc;
  expect(check_fit(azure, &node, "n", {}), Fit::kUnschedulable,
         "insufficient kubernetes.azure.com/sgx_epc_mem_in_MiB: requested 1000, free 536 of 1536");
}

// kube-scheduler's NodeResourcesFit (fitsRequest) compares each extended resource by its exact
// name: a node that does not publish the name the pod asks for has none of it, however much EPC
// it publishes under another name.
TEST(CheckFit, EpcResourceNamesAreNotInterchangeable) {
  const NodeRecord intel = record("n", 128 * kMi);
  expect(check_fit(EpcDemand{64 * kMi, kAzureEpc}, &intel, "n", {}), Fit::kUnresolvable,
         "node publishes no kubernetes.azure.com/sgx_epc_mem_in_MiB (it publishes "
         "sgx.intel.com/epc)");
  EXPECT_EQ(judge_fit(EpcDemand{64 * kMi, kAzureEpc}, &intel, {}).cause,
            FitCause::kEpcResourceMismatch);
  // Eviction cannot make the name appear.
  expect(check_fit_after_eviction(EpcDemand{64 * kMi, kAzureEpc}, intel, 64 * kMi, {}),
         Fit::kUnresolvable,
         "node publishes no kubernetes.azure.com/sgx_epc_mem_in_MiB (it publishes "
         "sgx.intel.com/epc)");
  // The same name fits.
  expect(check_fit(k64Mi, &intel, "n", {}), Fit::kFits, "");
}

NodeRecord publishing(ResourceList allocatable, int64_t committed_bytes = 0) {
  Node node = epc_node("n", "");
  node.allocatable = std::move(allocatable);
  return make_node_record(node, EpcResources::defaults(), committed_bytes);
}

EpcDemand demand_of(std::vector<ContainerResources> containers) {
  Pod pod = epc_pod("p", "");
  pod.containers = std::move(containers);
  Result<EpcDemand> demand = epc_demand(pod, EpcResources::defaults());
  EXPECT_TRUE(demand.ok()) << demand.error().message;
  return demand.ok() ? *demand : EpcDemand{};
}

// A node publishing EPC under two names (between device plugins) offers each name its own amount.
TEST(CheckFit, ANodePublishingTwoNamesOffersEachItsOwnAmount) {
  const NodeRecord both = publishing({{kIntelEpc, "64Mi"}, {kAzureEpc, "128"}});
  expect(check_fit(demand_of({container({{kAzureEpc, "100"}})}), &both, "n", {}), Fit::kFits, "");
  expect(check_fit(demand_of({container({{kIntelEpc, "100Mi"}})}), &both, "n", {}),
         Fit::kUnresolvable, "insufficient sgx.intel.com/epc: requested 100Mi, node total 64Mi");
}

// Like the kubelet and kube-scheduler, a pod asking for EPC under two names needs each on the
// node, each within what the node publishes under it.
TEST(CheckFit, APodAskingForTwoNamesNeedsBothOnTheNode) {
  const EpcDemand two =
      demand_of({container({{kIntelEpc, "16Mi"}}), container({{kAzureEpc, "16"}})});
  EXPECT_EQ(two.bytes, 32 * kMi);
  const NodeRecord intel = publishing({{kIntelEpc, "128Mi"}});
  expect(check_fit(two, &intel, "n", {}), Fit::kUnresolvable,
         "node publishes no kubernetes.azure.com/sgx_epc_mem_in_MiB (it publishes "
         "sgx.intel.com/epc)");
  const NodeRecord both = publishing({{kIntelEpc, "128Mi"}, {kAzureEpc, "128"}});
  expect(check_fit(two, &both, "n", {}), Fit::kFits, "");
  const NodeRecord small_intel = publishing({{kIntelEpc, "8Mi"}, {kAzureEpc, "128"}});
  expect(check_fit(two, &small_intel, "n", {}), Fit::kUnresolvable,
         "insufficient sgx.intel.com/epc: requested 16Mi, node total 8Mi");
  // One committed number per node, counted against each name (see model/fit.h).
  const NodeRecord busy = publishing({{kIntelEpc, "128Mi"}, {kAzureEpc, "128"}}, 100 * kMi);
  expect(check_fit(two, &busy, "n", {}), Fit::kFits, "");
  const NodeRecord full = publishing({{kIntelEpc, "128Mi"}, {kAzureEpc, "128"}}, 120 * kMi);
  expect(check_fit(two, &full, "n", {}), Fit::kUnschedulable,
         "insufficient sgx.intel.com/epc: requested 16Mi, free 8Mi of 128Mi");
}

// The names are judged in one pass; an unpublished name outranks a name that is too small, wherever
// it comes in the demand, and the selector comes after both.
TEST(CheckFit, AnUnpublishedNameOutranksATooSmallOne) {
  const EpcDemand two =
      demand_of({container({{kIntelEpc, "16Mi"}}), container({{kAzureEpc, "16"}})});
  const NodeRecord small_intel = publishing({{kIntelEpc, "8Mi"}});
  expect(check_fit(two, &small_intel, "n", {}), Fit::kUnresolvable,
         "node publishes no kubernetes.azure.com/sgx_epc_mem_in_MiB (it publishes "
         "sgx.intel.com/epc)");
  PlacementPolicy selective;
  selective.confidential_rule = ConfidentialRule::kEpcAndSelector;
  selective.confidential_selector = *LabelSelector::parse("sgx=true");
  EXPECT_EQ(judge_fit(two, &small_intel, selective).cause, FitCause::kEpcResourceMismatch);
  const NodeRecord small_both = publishing({{kIntelEpc, "8Mi"}, {kAzureEpc, "128"}});
  EXPECT_EQ(judge_fit(two, &small_both, selective).cause, FitCause::kSelectorMismatch);
  EXPECT_EQ(judge_fit(two, &small_both, {}).cause, FitCause::kEpcTooSmall);
}

TEST(CheckFit, ExactlyTheFreeAmountFits) {
  const NodeRecord node = record("n", 128 * kMi, 64 * kMi);
  expect(check_fit(k64Mi, &node, "n", {}), Fit::kFits, "");
}

TEST(CheckFitAfterEviction, VictimsFreeTheirEpc) {
  const NodeRecord node = record("n", 128 * kMi, 112 * kMi);
  expect(check_fit_after_eviction(k64Mi, node, 32 * kMi, {}), Fit::kUnschedulable,
         "insufficient sgx.intel.com/epc: requested 64Mi, free 48Mi of 128Mi");
  expect(check_fit_after_eviction(k64Mi, node, 48 * kMi, {}), Fit::kFits, "");
  // Victims cannot free more than is committed.
  const NodeRecord small = record("n", 128 * kMi, 16 * kMi);
  expect(check_fit_after_eviction(EpcDemand{128 * kMi, kIntelEpc}, small, 64 * kMi, {}), Fit::kFits,
         "");
  expect(check_fit_after_eviction(EpcDemand{129 * kMi, kIntelEpc}, small, 64 * kMi, {}),
         Fit::kUnresolvable, "insufficient sgx.intel.com/epc: requested 129Mi, node total 128Mi");
}

TEST(CheckFitAfterEviction, EvictionDoesNotHelpACordonedNode) {
  NodeRecord node = record("n", 128 * kMi, 128 * kMi);
  node.unschedulable = true;
  expect(check_fit_after_eviction(k64Mi, node, 128 * kMi, {}), Fit::kUnresolvable,
         "node is cordoned (spec.unschedulable)");
  // Unless the pod tolerates the cordon.
  expect(check_fit_after_eviction(tolerating({.unschedulable = true}), node, 64 * kMi, {}),
         Fit::kFits, "");
}

}  // namespace
}  // namespace epc
