#include "model/epc_ledger.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "builders.h"

namespace epc {
namespace {

using namespace testing_builders;

class EpcLedgerTest : public ::testing::Test {
 protected:
  EpcLedger ledger{EpcResources::defaults()};

  void upsert(const Pod& pod) {
    const auto result = ledger.upsert_pod(pod);
    ASSERT_TRUE(result.ok()) << result.error().message;
  }
  Result<EpcLedger::BindOutcome> bind(const std::string& pod, const std::string& node) {
    return ledger.bind(BindRequest{"default", pod, "uid-" + pod, node});
  }
  const NodeRecord& node_record(const std::string& name) {
    records_ = ledger.node_records();
    return records_.at(name);
  }

 private:
  NodeRecordMap records_;
};

TEST_F(EpcLedgerTest, BoundActivePodsCommitTheirEpc) {
  ledger.upsert_node(epc_node("n1", "128Mi"));
  upsert(epc_pod("a", "32Mi", "n1", PodPhase::Running));
  upsert(epc_pod("b", "16Mi", "n1", PodPhase::Pending));
  EXPECT_EQ(ledger.committed_bytes("n1"), 48 * kMi);
  EXPECT_EQ(node_record("n1").committed_bytes, 48 * kMi);
  EXPECT_EQ(node_record("n1").epc_pods, 2);
  EXPECT_EQ(node_record("n1").epc.bytes, 128 * kMi);
}

TEST_F(EpcLedgerTest, UpsertsAreIdempotent) {
  ledger.upsert_node(epc_node("n1", "128Mi"));
  ledger.upsert_node(epc_node("n1", "128Mi"));
  const Pod pod = epc_pod("a", "32Mi", "n1", PodPhase::Running);
  upsert(pod);
  upsert(pod);
  upsert(pod);
  EXPECT_EQ(ledger.committed_bytes("n1"), 32 * kMi);
  EXPECT_EQ(node_record("n1").epc_pods, 1);
  EXPECT_EQ(ledger.node_count(), 1u);
  EXPECT_EQ(ledger.pod_count(), 1u);
}

TEST_F(EpcLedgerTest, TerminatedPodsReleaseTheirEpc) {
  upsert(epc_pod("a", "32Mi", "n1", PodPhase::Running));
  upsert(epc_pod("b", "16Mi", "n1", PodPhase::Running));
  upsert(epc_pod("a", "32Mi", "n1", PodPhase::Succeeded));
  EXPECT_EQ(ledger.committed_bytes("n1"), 16 * kMi);
  upsert(epc_pod("b", "16Mi", "n1", PodPhase::Failed));
  EXPECT_EQ(ledger.committed_bytes("n1"), 0);
  // Re-applying a termination changes nothing.
  upsert(epc_pod("b", "16Mi", "n1", PodPhase::Failed));
  EXPECT_EQ(ledger.committed_bytes("n1"), 0);
  EXPECT_EQ(ledger.pod_by_uid("uid-a"), nullptr);
}

TEST_F(EpcLedgerTest, RemovePodReleases) {
  upsert(epc_pod("a", "32Mi", "n1", PodPhase::Running));
  ledger.remove_pod("uid-a");
  EXPECT_EQ(ledger.committed_bytes("n1"), 0);
  EXPECT_EQ(ledger.pod_count(), 0u);
  ledger.remove_pod("uid-a");
  EXPECT_EQ(ledger.committed_bytes("n1"), 0);
}

TEST_F(EpcLedgerTest, AChangedNodeOrDemandRecommits) {
  upsert(epc_pod("a", "32Mi", "n1", PodPhase::Running));
  upsert(epc_pod("a", "48Mi", "n1", PodPhase::Running));
  EXPECT_EQ(ledger.committed_bytes("n1"), 48 * kMi);
  upsert(epc_pod("a", "48Mi", "n2", PodPhase::Running));
  EXPECT_EQ(ledger.committed_bytes("n1"), 0);
  EXPECT_EQ(ledger.committed_bytes("n2"), 48 * kMi);
}

TEST_F(EpcLedgerTest, PodsWithoutUidAreKnownByNamespaceAndName) {
  Pod pod = epc_pod("a", "32Mi", "n1", PodPhase::Running);
  pod.uid.clear();
  upsert(pod);
  upsert(pod);
  EXPECT_EQ(ledger.committed_bytes("n1"), 32 * kMi);
  ASSERT_NE(ledger.pod_by_name("default", "a"), nullptr);
  EXPECT_EQ(ledger.pod_by_name("default", "a")->node_name, "n1");
  ledger.remove_pod("default/a");
  EXPECT_EQ(ledger.committed_bytes("n1"), 0);
}

TEST_F(EpcLedgerTest, ARecreatedPodReplacesTheOldOneOfTheSameName) {
  upsert(epc_pod("a", "32Mi", "n1", PodPhase::Running));
  Pod recreated = epc_pod("a", "8Mi", "n2", PodPhase::Running);
  recreated.uid = "uid-a-2";
  upsert(recreated);
  EXPECT_EQ(ledger.committed_bytes("n1"), 0);
  EXPECT_EQ(ledger.committed_bytes("n2"), 8 * kMi);
  EXPECT_EQ(ledger.pod_by_uid("uid-a"), nullptr);
  EXPECT_EQ(ledger.pod_by_name("default", "a")->uid, "uid-a-2");
}

TEST_F(EpcLedgerTest, UsageIsKeptForNodesNotYetKnown) {
  upsert(epc_pod("a", "32Mi", "later", PodPhase::Running));
  EXPECT_EQ(ledger.committed_bytes("later"), 32 * kMi);
  EXPECT_TRUE(ledger.node_records().empty());
  ledger.upsert_node(epc_node("later", "64Mi"));
  EXPECT_EQ(node_record("later").committed_bytes, 32 * kMi);
  // Removing the node keeps the usage of the pods still bound to it.
  ledger.remove_node("later");
  EXPECT_EQ(ledger.committed_bytes("later"), 32 * kMi);
  EXPECT_EQ(ledger.node_count(), 0u);
}

TEST_F(EpcLedgerTest, AStalePendingViewDoesNotUnbindAPod) {
  ledger.upsert_node(epc_node("n1", "128Mi"));
  upsert(epc_pod("a", "32Mi"));
  ASSERT_TRUE(bind("a", "n1").ok());
  upsert(epc_pod("a", "32Mi"));
  EXPECT_EQ(ledger.committed_bytes("n1"), 32 * kMi);
  EXPECT_EQ(ledger.pod_by_uid("uid-a")->node_name, "n1");
}

TEST_F(EpcLedgerTest, APendingPodThatBecomesBoundMovesFromPendingToBound) {
  EpcLedger small(EpcResources::defaults(), 1);
  ASSERT_TRUE(small.upsert_pod(epc_pod("a", "32Mi")).ok());
  EXPECT_EQ(small.pod_by_uid("uid-a")->node_name, "");
  EXPECT_EQ(small.committed_bytes("n1"), 0);
  ASSERT_TRUE(small.upsert_pod(epc_pod("a", "32Mi", "n1", PodPhase::Running)).ok());
  EXPECT_EQ(small.committed_bytes("n1"), 32 * kMi);
  // It no longer takes the one pending slot: remembering another pending pod keeps it.
  ASSERT_TRUE(small.upsert_pod(epc_pod("b", "1Mi")).ok());
  EXPECT_NE(small.pod_by_uid("uid-a"), nullptr);
  EXPECT_NE(small.pod_by_uid("uid-b"), nullptr);
}

TEST_F(EpcLedgerTest, AnUnreadablePodIsAnErrorAndChangesNothing) {
  upsert(epc_pod("a", "32Mi", "n1", PodPhase::Running));
  const auto result = ledger.upsert_pod(epc_pod("a", "lots", "n1", PodPhase::Running));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(
      result.error().message,
      R"(pod default/a: container #0: sgx.intel.com/epc: invalid quantity "lots": no digits)");
  EXPECT_EQ(ledger.committed_bytes("n1"), 32 * kMi);
}

TEST_F(EpcLedgerTest, RememberPendingForgetsTheOldestBeyondCapacity) {
  EpcLedger small(EpcResources::defaults(), 2);
  small.remember_pending(epc_pod("a", "1Mi"), EpcDemand{kMi, kIntelEpc});
  small.remember_pending(epc_pod("b", "1Mi"), EpcDemand{kMi, kIntelEpc});
  small.remember_pending(epc_pod("c", "1Mi"), EpcDemand{kMi, kIntelEpc});
  EXPECT_EQ(small.pod_by_uid("uid-a"), nullptr);
  EXPECT_EQ(small.pod_by_name("default", "a"), nullptr);
  EXPECT_NE(small.pod_by_uid("uid-b"), nullptr);
  EXPECT_NE(small.pod_by_uid("uid-c"), nullptr);
  EXPECT_EQ(small.pod_count(), 2u);
}

// The pending memory against a plain list of what it should hold, over random remembers, binds,
// unbinds and deletions: the oldest still-pending pods are forgotten first, and pods that were
// bound or deleted meanwhile neither count towards the capacity nor are forgotten in their place.
TEST_F(EpcLedgerTest, PendingMemoryKeepsTheNewestPendingPodsOverRandomChanges) {
  constexpr size_t kCapacity = 8;
  EpcLedger small(EpcResources::defaults(), kCapacity);
  small.upsert_node(epc_node("n1", "64Gi"));
  std::vector<std::string> expected_pending;  // oldest first
  std::vector<std::string> bound;
  std::mt19937 random(7);
  for (int step = 0; step < 3000; ++step) {
    const int action = static_cast<int>(random() % 10);
    if (action < 5) {
      const std::string name = "p" + std::to_string(step);
      small.remember_pending(epc_pod(name, "1Mi"), EpcDemand{kMi, kIntelEpc});
      expected_pending.push_back(name);
      if (expected_pending.size() > kCapacity) expected_pending.erase(expected_pending.begin());
    } else if (action < 8 && !expected_pending.empty()) {
      // kube-scheduler binds any waiting pod, not only the newest.
      const size_t index = random() % expected_pending.size();
      const std::string name = expected_pending[index];
      ASSERT_TRUE(small.bind(BindRequest{"default", name, "uid-" + name, "n1"}).ok()) << name;
      expected_pending.erase(expected_pending.begin() + static_cast<ptrdiff_t>(index));
      bound.push_back(name);
    } else if (action == 8 && !bound.empty()) {
      // The API server refused the Binding: the pod waits again, as the newest.
      const std::string name = bound.back();
      bound.pop_back();
      small.unbind(BindRequest{"default", name, "uid-" + name, "n1"});
      expected_pending.push_back(name);
      if (expected_pending.size() > kCapacity) expected_pending.erase(expected_pending.begin());
    } else if (!expected_pending.empty()) {
      const size_t index = random() % expected_pending.size();
      small.remove_pod("uid-" + expected_pending[index]);
      expected_pending.erase(expected_pending.begin() + static_cast<ptrdiff_t>(index));
    }
    std::vector<std::string> held;
    for (const auto& [id, pod] : small.pods()) {
      if (pod.node_name.empty()) held.push_back(pod.name);
    }
    std::vector<std::string> want = expected_pending;
    std::sort(held.begin(), held.end());
    std::sort(want.begin(), want.end());
    ASSERT_EQ(held, want) << "after step " << step;
    ASSERT_EQ(small.pod_count(), want.size() + bound.size()) << "after step " << step;
  }
}

TEST_F(EpcLedgerTest, RememberPendingNeverDowngradesABoundPod) {
  upsert(epc_pod("a", "32Mi", "n1", PodPhase::Running));
  ledger.remember_pending(epc_pod("a", "64Mi"), EpcDemand{64 * kMi, kIntelEpc});
  EXPECT_EQ(ledger.pod_by_uid("uid-a")->node_name, "n1");
  EXPECT_EQ(ledger.pod_by_uid("uid-a")->epc_bytes, 32 * kMi);
  EXPECT_EQ(ledger.committed_bytes("n1"), 32 * kMi);
}

TEST_F(EpcLedgerTest, BindCommitsARememberedPod) {
  ledger.upsert_node(epc_node("n1", "128Mi"));
  ledger.remember_pending(epc_pod("a", "64Mi"), EpcDemand{64 * kMi, kIntelEpc});
  ASSERT_TRUE(bind("a", "n1").ok());
  EXPECT_EQ(ledger.committed_bytes("n1"), 64 * kMi);
  EXPECT_EQ(ledger.pod_by_uid("uid-a")->node_name, "n1");
  // Binding again to the same node is accepted and changes nothing.
  ASSERT_TRUE(bind("a", "n1").ok());
  EXPECT_EQ(ledger.committed_bytes("n1"), 64 * kMi);
}

TEST_F(EpcLedgerTest, BindFindsPodsByNameWhenTheUidIsUnknown) {
  ledger.upsert_node(epc_node("n1", "128Mi"));
  Pod pod = epc_pod("a", "8Mi");
  pod.uid.clear();
  upsert(pod);
  ASSERT_TRUE(ledger.bind(BindRequest{"default", "a", "", "n1"}).ok());
  EXPECT_EQ(ledger.committed_bytes("n1"), 8 * kMi);
}

TEST_F(EpcLedgerTest, BindRefusesUnknownPods) {
  ledger.upsert_node(epc_node("n1", "128Mi"));
  const auto result = ledger.bind(BindRequest{"default", "x", "u-1", "n1"});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            "pod default/x (uid u-1) is not known: no filter or prioritize call and no cluster "
            "record for it");
  // The same name under another UID is another pod.
  upsert(epc_pod("x", "1Mi"));
  EXPECT_FALSE(ledger.bind(BindRequest{"default", "x", "u-other", "n1"}).ok());
}

TEST_F(EpcLedgerTest, BindRefusesUnknownNodesAndUnreadableCapacity) {
  upsert(epc_pod("a", "8Mi"));
  auto result = bind("a", "ghost");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            R"(cannot bind pod default/a (uid uid-a) to node "ghost": node "ghost" is not in )"
            R"(epc-extender's cluster state)");
  ledger.upsert_node(epc_node("broken", "1.5"));
  result = bind("a", "broken");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            R"(cannot bind pod default/a (uid uid-a) to node "broken": node "broken": )"
            R"(status.allocatable sgx.intel.com/epc: invalid quantity "1.5": not a whole number)");
  EXPECT_EQ(ledger.pod_by_uid("uid-a")->node_name, "");
}

// Bind re-checks as filter judges: by the EPC name, each against what the node publishes under it.
TEST_F(EpcLedgerTest, BindChecksEachEpcNameTheNodeMustPublish) {
  const std::string azure = "kubernetes.azure.com/sgx_epc_mem_in_MiB";
  Node intel = epc_node("intel", "128Mi");
  ledger.upsert_node(intel);
  Node both = epc_node("both", "16Mi");
  both.allocatable.emplace_back(azure, "16");
  ledger.upsert_node(both);

  Pod azure_pod = epc_pod("a", "");
  azure_pod.containers = {container({{azure, "8"}})};
  upsert(azure_pod);
  auto result = bind("a", "intel");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            R"(cannot bind pod default/a (uid uid-a) to node "intel": node publishes no )"
            R"(kubernetes.azure.com/sgx_epc_mem_in_MiB (it publishes sgx.intel.com/epc))");
  EXPECT_EQ(ledger.committed_bytes("intel"), 0);

  // 12Mi under each name: 24Mi in all, more than either name's 16Mi, yet each fits.
  Pod two_names = epc_pod("b", "");
  two_names.containers = {container({{kIntelEpc, "12Mi"}, {azure, "12"}})};
  upsert(two_names);
  result = bind("b", "both");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(ledger.committed_bytes("both"), 24 * kMi);
}

TEST_F(EpcLedgerTest, BindRefusesMovingABoundPod) {
  ledger.upsert_node(epc_node("n1", "128Mi"));
  ledger.upsert_node(epc_node("n2", "128Mi"));
  upsert(epc_pod("a", "8Mi", "n1", PodPhase::Running));
  const auto result = bind("a", "n2");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(
      result.error().message,
      R"(cannot bind pod default/a (uid uid-a) to node "n2": it is already bound to node "n1")");
  EXPECT_EQ(ledger.committed_bytes("n2"), 0);
}

TEST_F(EpcLedgerTest, BindRechecksFreeEpcWithFitsNumbers) {
  ledger.upsert_node(epc_node("n1", "128Mi"));
  upsert(epc_pod("holder", "96Mi", "n1", PodPhase::Running));
  upsert(epc_pod("a", "64Mi"));
  auto result = bind("a", "n1");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            R"(cannot bind pod default/a (uid uid-a) to node "n1": insufficient )"
            R"(sgx.intel.com/epc: requested 64Mi, free 32Mi of 128Mi)");
  upsert(epc_pod("huge", "256Mi"));
  result = bind("huge", "n1");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            R"(cannot bind pod default/huge (uid uid-huge) to node "n1": insufficient )"
            R"(sgx.intel.com/epc: requested 256Mi, node total 128Mi)");
  EXPECT_EQ(ledger.committed_bytes("n1"), 96 * kMi);
  // Exactly the free amount fits.
  upsert(epc_pod("exact", "32Mi"));
  EXPECT_TRUE(bind("exact", "n1").ok());
  EXPECT_EQ(ledger.committed_bytes("n1"), 128 * kMi);
}

TEST_F(EpcLedgerTest, PodsWithoutEpcBindAnywhereKnown) {
  ledger.upsert_node(epc_node("general", ""));
  upsert(epc_pod("plain", ""));
  ASSERT_TRUE(bind("plain", "general").ok());
  EXPECT_EQ(ledger.pod_by_uid("uid-plain")->node_name, "general");
  EXPECT_EQ(ledger.committed_bytes("general"), 0);
}

TEST_F(EpcLedgerTest, NodeRecordsCarryCommittedAndReservedEpc) {
  ledger.upsert_node(epc_node("n1", "128Mi"));
  upsert(epc_pod("a", "32Mi", "n1", PodPhase::Running));
  upsert(epc_pod("b", "16Mi"));
  ledger.reserve(BindRequest{"default", "b", "uid-b", "n1"}, SteadyTime::max());
  ASSERT_NE(ledger.node("n1"), nullptr);
  EXPECT_EQ(ledger.node("n1")->committed_bytes, 32 * kMi);
  EXPECT_EQ(ledger.node("n1")->epc_pods, 1);
  EXPECT_EQ(ledger.node("n1")->reserved_bytes, 16 * kMi);
  EXPECT_EQ(ledger.node("n1")->reservations, (std::vector<NodeReservation>{{"uid-b", 16 * kMi}}));
  EXPECT_EQ(ledger.node("n1")->reserved_for("uid-b"), 16 * kMi);
  EXPECT_EQ(ledger.node("n1")->reserved_for("uid-a"), 0);
  EXPECT_EQ(ledger.node_table().find("n1"), ledger.node("n1"));
  EXPECT_EQ(node_record("n1").reserved_bytes, 16 * kMi);
}

// Random binds, reservations, releases, node upserts, removals and re-lists; after each step every
// record in the table must carry exactly what the pods bound to it hold, recomputed from pods(),
// and the reservations on it, recomputed from reservations().
TEST_F(EpcLedgerTest, NodeTableFollowsThePodsUnderRandomChanges) {
  std::mt19937 random(16);
  constexpr int kNodes = 40;
  constexpr int kPods = 300;
  auto node_name = [](unsigned i) { return "node-" + std::to_string(i); };
  auto pod_name = [](unsigned i) { return "pod-" + std::to_string(i); };
  auto some_node = [&] { return node_name(random() % kNodes); };
  auto some_pod = [&] { return pod_name(random() % kPods); };
  auto some_epc = [&] { return std::to_string(1 + random() % 64) + "Mi"; };
  for (int step = 0; step < 4000; ++step) {
    switch (random() % 10) {
      case 0:
        ledger.upsert_node(epc_node(some_node(), std::to_string(64 + random() % 4096) + "Mi"));
        break;
      case 1:
        ledger.remove_node(some_node());
        break;
      case 2:
      case 3:  // a watch event for a bound pod, possibly on a node not held (yet)
        upsert(epc_pod(some_pod(), random() % 5 == 0 ? "" : some_epc(), some_node(),
                       PodPhase::Running));
        break;
      case 4:
        upsert(epc_pod(some_pod(), some_epc(), some_node(), PodPhase::Succeeded));
        break;
      case 5:
        ledger.remove_pod("uid-" + some_pod());
        break;
      case 6: {  // kube-scheduler's path: remembered pending, reserved, then bound (or refused)
        const std::string pod = some_pod();
        const std::string node = some_node();
        upsert(epc_pod(pod, some_epc()));
        // Half the bindings are still in flight at the end of the step, some expiring later.
        const SteadyTime expires = SteadyTime() + std::chrono::seconds(step + random() % 200);
        ledger.reserve(BindRequest{"default", pod, "uid-" + pod, node}, expires);
        if (random() % 2 == 0) (void)bind(pod, node);
        if (random() % 4 == 0)
          ledger.expire_reservations(SteadyTime() + std::chrono::seconds(step));
        break;
      }
      case 7: {
        const std::string pod = some_pod();
        ledger.unbind(BindRequest{"default", pod, "uid-" + pod, some_node()});
        break;
      }
      case 8:
        if (random() % 20 == 0) {
          std::vector<Node> listed;
          for (unsigned i = 0; i < kNodes; ++i) {
            if (random() % 2 == 0) listed.push_back(epc_node(node_name(i), "1Gi"));
          }
          ledger.replace_nodes(listed);
        }
        break;
      default:
        ledger.learn_node(epc_node(some_node(), "512Mi"));
        break;
    }

    std::map<std::string, std::pair<int64_t, int32_t>> expected;  // bytes and pods by node
    for (const auto& [id, pod] : ledger.pods()) {
      if (pod.node_name.empty() || pod.epc_bytes == 0) continue;
      expected[pod.node_name].first += pod.epc_bytes;
      ++expected[pod.node_name].second;
    }
    std::map<std::string, std::vector<NodeReservation>> reserved;  // by node, in pod order
    for (const auto& [id, reservation] : ledger.reservations()) {
      reserved[reservation.node_name].push_back({id, reservation.bytes});
    }
    const auto by_pod = [](const NodeReservation& a, const NodeReservation& b) {
      return a.pod_id < b.pod_id;
    };
    for (auto& [name, list] : reserved) std::sort(list.begin(), list.end(), by_pod);
    size_t visited = 0;
    for (const auto& [name, node] : ledger.node_table()) {
      ++visited;
      const auto [bytes, pods] = expected[name];
      ASSERT_EQ(node.committed_bytes, bytes) << name << " at step " << step;
      ASSERT_EQ(node.epc_pods, pods) << name << " at step " << step;
      std::vector<NodeReservation> held = node.reservations;
      std::sort(held.begin(), held.end(), by_pod);
      ASSERT_EQ(held, reserved[name]) << name << " at step " << step;
      int64_t sum = 0;
      for (const NodeReservation& one : held) sum += one.bytes;
      ASSERT_EQ(node.reserved_bytes, sum) << name << " at step " << step;
      ASSERT_EQ(ledger.committed_bytes(name), bytes) << name << " at step " << step;
    }
    ASSERT_EQ(visited, ledger.node_count());
  }
}

}  // namespace
}  // namespace epc
