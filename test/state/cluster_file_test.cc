// Cluster files: the fixture cluster, kubectl-List shapes, precise errors, and all-or-nothing
// loads.
#include "scheduler/state/cluster_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "test/extender/test_support.h"

namespace epc {
namespace {

using test::fixture_path;
using ::testing::HasSubstr;

constexpr int64_t kMi = int64_t{1} << 20;

std::string list(const std::string& items) {
  return R"({"apiVersion":"v1","kind":"List","items":[)" + items + "]}";
}

std::string node(const std::string& name, const std::string& epc) {
  return R"({"apiVersion":"v1","kind":"Node","metadata":{"name":")" + name +
         R"("},"status":{"allocatable":{"sgx.intel.com/epc":)" + epc + "}}}";
}

std::string pod(const std::string& name, const std::string& node_name, const std::string& epc,
                const std::string& phase = "Running") {
  return R"({"kind":"Pod","metadata":{"name":")" + name + R"(","namespace":"default","uid":"uid-)" +
         name + R"("},"spec":{"nodeName":")" + node_name +
         R"(","containers":[{"name":"c0","resources":{"requests":{"sgx.intel.com/epc":)" + epc +
         R"(}}}]},"status":{"phase":")" + phase + R"("}})";
}

class ClusterFileTest : public ::testing::Test {
 protected:
  Result<ClusterFileSummary> load(const std::string& json) {
    return load_cluster_json(json, "test.json", state_);
  }
  std::string load_error(const std::string& json) {
    Result<ClusterFileSummary> summary = load(json);
    EXPECT_FALSE(summary.ok());
    return summary.ok() ? std::string() : summary.error().message;
  }
  const NodeRecord* record(std::string_view name) const { return snapshot_->node(name); }
  void take_snapshot() { snapshot_ = state_.snapshot(); }

  ClusterState state_{EpcResources::defaults()};
  std::shared_ptr<const ClusterSnapshot> snapshot_;
};

TEST_F(ClusterFileTest, TheFixtureClusterLoads) {
  Result<ClusterFileSummary> summary =
      load_cluster_file(fixture_path("fixture-cluster.json"), state_);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->nodes, 4u);
  EXPECT_EQ(summary->confidential_nodes, 3u);
  EXPECT_EQ(summary->bound_pods, 8u);
  EXPECT_EQ(summary->pending_pods, 2u);

  take_snapshot();
  ASSERT_NE(record("sgx-small"), nullptr);
  EXPECT_EQ(record("sgx-small")->epc.bytes, 64 * kMi);
  EXPECT_EQ(record("sgx-small")->committed_bytes, 4 * kMi);
  EXPECT_EQ(record("sgx-small")->epc_pods, 4);
  EXPECT_EQ(record("sgx-small")->readiness, NodeReadiness::Ready);
  EXPECT_EQ(record("sgx-a")->epc.bytes, 128 * kMi);
  EXPECT_EQ(record("sgx-b")->committed_bytes, 0);
  EXPECT_FALSE(record("blocked-small")->epc.confidential());
  EXPECT_EQ(record("blocked-small")->committed_bytes, 0);

  state_.inspect([](const EpcLedger& ledger) {
    const PodRecord* pending = ledger.pod_by_uid("7f127654-34c4-4284-8855-5c7ce90b452f");
    ASSERT_NE(pending, nullptr);
    EXPECT_EQ(pending->name, "epc-1");
    EXPECT_EQ(pending->epc_bytes, kMi);
    EXPECT_TRUE(pending->node_name.empty());
    const PodRecord* victim = ledger.pod_by_uid("a2849cac-0bd7-4878-8543-2e7aed3bf478");
    ASSERT_NE(victim, nullptr);
    EXPECT_EQ(victim->node_name, "sgx-small");
  });
}

TEST_F(ClusterFileTest, LoadingTheSameFileAgainCountsNothingTwice) {
  const std::string path = fixture_path("fixture-cluster.json");
  ASSERT_TRUE(load_cluster_file(path, state_).ok());
  ASSERT_TRUE(load_cluster_file(path, state_).ok());
  take_snapshot();
  EXPECT_EQ(record("sgx-small")->committed_bytes, 4 * kMi);
}

TEST_F(ClusterFileTest, KindMayComeAnywhereAndKeysInAnyCase) {
  Result<ClusterFileSummary> summary = load(list(
      R"({"metadata":{"name":"n"},"status":{"allocatable":{"sgx.intel.com/epc":"8Mi"}},"KIND":"Node"},)"
      R"({"Spec":{"nodeName":"n","containers":[{"resources":{"limits":{"sgx.intel.com/epc":"3Mi"}}}]},)"
      R"("Metadata":{"name":"p","namespace":"ns"},"apiVersion":"v1","kind":"Pod"})"));
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->nodes, 1u);
  EXPECT_EQ(summary->bound_pods, 1u);
  take_snapshot();
  EXPECT_EQ(record("n")->committed_bytes, 3 * kMi);
}

TEST_F(ClusterFileTest, HandWrittenFilesMayUseIntegerQuantitiesAndOmitTheNamespace) {
  Result<ClusterFileSummary> summary = load(list(
      node("n", "67108864") + R"(,{"kind":"Pod","metadata":{"name":"p"},"spec":{"containers":)"
                              R"([{"resources":{"requests":{"sgx.intel.com/epc":1048576}}}]}})"));
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->pending_pods, 1u);
  take_snapshot();
  EXPECT_EQ(record("n")->epc.bytes, 64 * kMi);
  state_.inspect([](const EpcLedger& ledger) {
    const PodRecord* pending = ledger.pod_by_name("default", "p");
    ASSERT_NE(pending, nullptr);
    EXPECT_EQ(pending->epc_bytes, kMi);
  });
}

TEST_F(ClusterFileTest, TerminatedPodsHoldNothingAndCountAsNeither) {
  Result<ClusterFileSummary> summary =
      load(list(node("n", R"("64Mi")") + "," + pod("done", "n", R"("8Mi")", "Succeeded") + "," +
                pod("crashed", "n", R"("8Mi")", "Failed") + "," + pod("live", "n", R"("2Mi")")));
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->bound_pods, 1u);
  EXPECT_EQ(summary->pending_pods, 0u);
  take_snapshot();
  EXPECT_EQ(record("n")->committed_bytes, 2 * kMi);
}

// `kubectl get nodes,pods,pdb -A -o json` makes one file for serve and consolidate alike: serve
// reads the budgets and has no use for them.
TEST_F(ClusterFileTest, PodDisruptionBudgetsAreAcceptedAndChangeNothing) {
  Result<ClusterFileSummary> summary = load(list(
      node("n", R"("64Mi")") + "," + pod("p", "n", R"("8Mi")") +
      R"(,{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"b"},)"
      R"("spec":{"selector":{"matchLabels":{"app":"p"}}},"status":{"disruptionsAllowed":0}})"));
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->nodes, 1u);
  EXPECT_EQ(summary->bound_pods, 1u);
  take_snapshot();
  EXPECT_EQ(record("n")->committed_bytes, 8 * kMi);
}

TEST_F(ClusterFileTest, AnEmptyListIsFine) {
  Result<ClusterFileSummary> summary = load(list(""));
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->nodes, 0u);
}

TEST_F(ClusterFileTest, UnsupportedOrMissingKindsNameTheItem) {
  EXPECT_EQ(
      load_error(list(node("n", R"("1Mi")") + R"(,{"kind":"Service","metadata":{"name":"s"}})")),
      R"(test.json: items[1]: unsupported kind "Service" (expected Node, Pod or PodDisruptionBudget))");
  EXPECT_EQ(load_error(list(R"({"metadata":{"name":"x"}})")),
            "test.json: items[0]: missing kind (expected Node, Pod or PodDisruptionBudget)");
  EXPECT_EQ(
      load_error(list(R"({"kind":"node","metadata":{"name":"x"}})")),
      R"(test.json: items[0]: unsupported kind "node" (expected Node, Pod or PodDisruptionBudget))");
  EXPECT_EQ(load_error(list(R"({"kind":7})")),
            "test.json: items[0].kind: expected a string, got number 7");
  EXPECT_EQ(load_error(list("[]")), "test.json: items[0]: expected an object, got array");
}

TEST_F(ClusterFileTest, BadPodsAndNodesAreNamed) {
  const std::string bad_pod =
      load_error(list(node("n", R"("64Mi")") + "," + pod("bad", "n", R"("1.5")")));
  EXPECT_THAT(bad_pod, HasSubstr("test.json: items[1]: pod default/bad: "));
  EXPECT_THAT(bad_pod, HasSubstr("invalid quantity \"1.5\""));
  const std::string bad_node = load_error(list(node("n", R"("lots")")));
  EXPECT_THAT(bad_node, HasSubstr("test.json: items[0]: node \"n\": status.allocatable"));
  EXPECT_THAT(bad_node, HasSubstr("\"lots\""));
  EXPECT_EQ(load_error(list(R"({"kind":"Node","metadata":{}})")),
            "test.json: items[0]: node without metadata.name");
  EXPECT_EQ(load_error(list(R"({"kind":"Pod","spec":{}})")),
            "test.json: items[0]: pod without metadata.name");
  EXPECT_EQ(
      load_error(list(R"({"kind":"Pod","metadata":{"name":"p"},"spec":{"priority":"high"}})")),
      R"(test.json: items[0].spec.priority: expected an int32, got string "high")");
}

TEST_F(ClusterFileTest, NotAKubectlList) {
  EXPECT_EQ(load_error(node("n", R"("1Mi")")),
            "test.json: no items: expected a kubectl List (kubectl get nodes,pods -A -o json)");
  EXPECT_EQ(load_error("[]"), "test.json: file: expected an object, got array");
  EXPECT_EQ(load_error(""), "test.json: empty file");
  EXPECT_THAT(load_error(list(node("n", R"("1Mi")")) + "{}"), HasSubstr("unexpected content"));
  EXPECT_THAT(load_error(R"({"items":[)"), HasSubstr("test.json: "));
}

TEST_F(ClusterFileTest, AMissingFileIsReportedWithItsPath) {
  Result<ClusterFileSummary> summary = load_cluster_file("/nonexistent/cluster.json", state_);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().message,
            "cannot open cluster file /nonexistent/cluster.json: No such file or directory");
}

TEST_F(ClusterFileTest, AFailedLoadChangesNothing) {
  ASSERT_TRUE(load(list(node("n", R"("64Mi")") + "," + pod("first", "n", R"("4Mi")"))).ok());
  take_snapshot();
  const auto before = snapshot_;
  // A new node, a pod that would add EPC to n, then a bad item: none of it may land.
  load_error(list(node("m", R"("64Mi")") + "," + pod("second", "n", R"("8Mi")") + "," +
                  pod("third", "m", R"("8Mi")") + R"(,{"kind":"ConfigMap"})"));
  take_snapshot();
  EXPECT_EQ(snapshot_, before);  // not even republished
  EXPECT_EQ(record("m"), nullptr);
  EXPECT_EQ(record("n")->committed_bytes, 4 * kMi);
  state_.inspect([](const EpcLedger& ledger) {
    EXPECT_EQ(ledger.pod_by_uid("uid-second"), nullptr);
    EXPECT_EQ(ledger.pod_count(), 1u);
  });
}

}  // namespace
}  // namespace epc
