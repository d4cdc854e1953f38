// The ledger under a list/watch source (re-lists) and under back-to-back decisions (reservations).
#include <gtest/gtest.h>

#include <chrono>

#include "builders.h"
#include "model/cluster_state.h"
#include "model/epc_ledger.h"
#include "model/fit.h"

namespace epc {
namespace {

using namespace testing_builders;
using std::chrono::seconds;

const SteadyTime kT0{};

class RelistAndReservationTest : public ::testing::Test {
 protected:
  EpcLedger ledger{EpcResources::defaults()};

  void upsert(const Pod& pod) {
    const auto result = ledger.upsert_pod(pod);
    ASSERT_TRUE(result.ok()) << result.error().message;
  }
  static BindRequest placement(const std::string& pod, const std::string& node) {
    return BindRequest{"default", pod, "uid-" + pod, node};
  }
  NodeRecord node_record(const std::string& name) { return ledger.node_records().at(name); }
  void remember(const std::string& pod, const std::string& epc) {
    const Pod p = epc_pod(pod, epc);
    auto demand = epc_demand(p, ledger.resources());
    ASSERT_TRUE(demand.ok());
    ledger.remember_pending(p, *demand);
  }
};

TEST_F(RelistAndReservationTest, ReplaceNodesRemovesNodesMissingFromTheList) {
  ledger.upsert_node(epc_node("old", "64Mi"));
  ledger.upsert_node(epc_node("kept", "64Mi"));
  ledger.replace_nodes({epc_node("kept", "128Mi"), epc_node("new", "32Mi")});
  const NodeRecordMap records = ledger.node_records();
  EXPECT_FALSE(records.contains("old"));
  EXPECT_EQ(records.at("kept").epc.bytes, 128 * kMi);
  EXPECT_EQ(records.at("new").epc.bytes, 32 * kMi);
}

TEST_F(RelistAndReservationTest, ReplacePodsReleasesPodsDeletedWhileTheWatchWasDown) {
  ledger.upsert_node(epc_node("n1", "128Mi"));
  upsert(epc_pod("gone", "32Mi", "n1", PodPhase::Running));
  upsert(epc_pod("stays", "16Mi", "n1", PodPhase::Running));
  const uint64_t since = ledger.generation();
  const auto errors =
      ledger.replace_pods({epc_pod("stays", "16Mi", "n1", PodPhase::Running)}, since);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(ledger.committed_bytes("n1"), 16 * kMi);
  EXPECT_EQ(ledger.pod_by_uid("uid-gone"), nullptr);
}

TEST_F(RelistAndReservationTest, ReplacePodsKeepsBindsNewerThanTheListButDropsOlderOnes) {
  ledger.upsert_node(epc_node("n1", "128Mi"));
  remember("before", "8Mi");
  ASSERT_TRUE(ledger.bind(placement("before", "n1")).ok());
  const uint64_t since = ledger.generation();  // the list is requested here
  remember("after", "4Mi");
  ASSERT_TRUE(ledger.bind(placement("after", "n1")).ok());
  const auto errors = ledger.replace_pods({}, since);
  EXPECT_TRUE(errors.empty());
  // "before" was bound before the list began, so a list without it means it is gone; "after"
  // may simply be newer than the list.
  EXPECT_EQ(ledger.pod_by_uid("uid-before"), nullptr);
  ASSERT_NE(ledger.pod_by_uid("uid-after"), nullptr);
  EXPECT_EQ(ledger.committed_bytes("n1"), 4 * kMi);
}

TEST_F(RelistAndReservationTest, ReplacePodsAppliesTheRestWhenOnePodIsUnreadable) {
  ledger.upsert_node(epc_node("n1", "128Mi"));
  Pod bad = epc_pod("bad", "1.5", "n1", PodPhase::Running);
  const auto errors = ledger.replace_pods({bad, epc_pod("good", "16Mi", "n1", PodPhase::Running)},
                                          ledger.generation());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("default/bad"), std::string::npos) << errors[0].message;
  EXPECT_EQ(ledger.committed_bytes("n1"), 16 * kMi);
}

TEST_F(RelistAndReservationTest, AReservationHoldsEpcUntilThePodIsBound) {
  ledger.upsert_node(epc_node("n1", "64Mi"));
  remember("a", "48Mi");
  ledger.reserve(placement("a", "n1"), kT0 + seconds(30));
  EXPECT_EQ(node_record("n1").reserved_bytes, 48 * kMi);
  EXPECT_EQ(node_record("n1").free_bytes(), 16 * kMi);

  // The next pod's decision sees the reservation and says so.
  const FitVerdict verdict =
      check_fit(EpcDemand{32 * kMi, kIntelEpc}, &ledger.node_records().at("n1"), "n1",
                PlacementPolicy{}, ledger.resources());
  EXPECT_EQ(verdict.fit, Fit::kUnschedulable);
  EXPECT_EQ(verdict.reason,
            "insufficient sgx.intel.com/epc: requested 32Mi, free 16Mi of 64Mi (48Mi reserved for "
            "pods being placed)");

  // The pod's binding arrives as a watch event: the reservation becomes a commitment, not both.
  upsert(epc_pod("a", "48Mi", "n1", PodPhase::Pending));
  EXPECT_EQ(node_record("n1").reserved_bytes, 0);
  EXPECT_EQ(node_record("n1").committed_bytes, 48 * kMi);
  EXPECT_TRUE(ledger.reservations().empty());
}

TEST_F(RelistAndReservationTest, BindReplacesTheReservationEvenOnAnotherNode) {
  ledger.upsert_node(epc_node("n1", "64Mi"));
  ledger.upsert_node(epc_node("n2", "64Mi"));
  remember("a", "16Mi");
  ledger.reserve(placement("a", "n1"), kT0 + seconds(30));
  ASSERT_TRUE(ledger.bind(placement("a", "n2")).ok());
  EXPECT_EQ(node_record("n1").reserved_bytes, 0);
  EXPECT_EQ(node_record("n2").committed_bytes, 16 * kMi);
}

TEST_F(RelistAndReservationTest, ReservingAgainMovesTheReservation) {
  ledger.upsert_node(epc_node("n1", "64Mi"));
  ledger.upsert_node(epc_node("n2", "64Mi"));
  remember("a", "16Mi");
  ledger.reserve(placement("a", "n1"), kT0 + seconds(30));
  ledger.reserve(placement("a", "n2"), kT0 + seconds(30));
  EXPECT_EQ(node_record("n1").reserved_bytes, 0);
  EXPECT_EQ(node_record("n2").reserved_bytes, 16 * kMi);
  EXPECT_EQ(ledger.reservations().size(), 1u);
}

TEST_F(RelistAndReservationTest, ReservationsExpireAndVanishWithTheirPod) {
  ledger.upsert_node(epc_node("n1", "64Mi"));
  remember("a", "16Mi");
  remember("b", "8Mi");
  ledger.reserve(placement("a", "n1"), kT0 + seconds(10));
  ledger.reserve(placement("b", "n1"), kT0 + seconds(60));
  EXPECT_EQ(ledger.expire_reservations(kT0 + seconds(9)), 0u);
  EXPECT_EQ(ledger.expire_reservations(kT0 + seconds(10)), 1u);
  EXPECT_EQ(node_record("n1").reserved_bytes, 8 * kMi);
  ledger.remove_pod("uid-b");
  EXPECT_EQ(node_record("n1").reserved_bytes, 0);
}

TEST_F(RelistAndReservationTest, NothingIsReservedForUnknownBoundOrEpcFreePods) {
  ledger.upsert_node(epc_node("n1", "64Mi"));
  ledger.reserve(placement("unknown", "n1"), kT0 + seconds(30));
  remember("plain", "");
  ledger.reserve(placement("plain", "n1"), kT0 + seconds(30));
  remember("bound", "8Mi");
  ASSERT_TRUE(ledger.bind(placement("bound", "n1")).ok());
  ledger.reserve(placement("bound", "n1"), kT0 + seconds(30));
  remember("elsewhere", "8Mi");
  ledger.reserve(placement("elsewhere", "no-such-node"), kT0 + seconds(30));
  EXPECT_TRUE(ledger.reservations().empty());
  EXPECT_EQ(node_record("n1").reserved_bytes, 0);
}

// ClusterState copies reservations into a snapshot only when the ledger says they changed, so
// every change must say so, and nothing else may.
TEST_F(RelistAndReservationTest, TheLedgerTellsWhenItsReservationsChanged) {
  EXPECT_TRUE(ledger.take_reservations_changed()) << "a new ledger's reservations are news";
  EXPECT_FALSE(ledger.take_reservations_changed()) << "asking clears it";
  ledger.upsert_node(epc_node("n1", "64Mi"));
  remember("a", "16Mi");
  ledger.reserve(placement("unknown", "n1"), kT0 + seconds(30));
  EXPECT_FALSE(ledger.take_reservations_changed()) << "nodes, pending pods and no-op reserves";
  ledger.reserve(placement("a", "n1"), kT0 + seconds(10));
  EXPECT_TRUE(ledger.take_reservations_changed());
  EXPECT_EQ(ledger.expire_reservations(kT0 + seconds(9)), 0u);
  EXPECT_FALSE(ledger.take_reservations_changed());
  EXPECT_EQ(ledger.expire_reservations(kT0 + seconds(10)), 1u);
  EXPECT_TRUE(ledger.take_reservations_changed());
  ledger.reserve(placement("a", "n1"), kT0 + seconds(30));
  ASSERT_TRUE(ledger.take_reservations_changed());
  ledger.remove_pod("uid-a");
  EXPECT_TRUE(ledger.take_reservations_changed()) << "a deleted pod's reservation goes with it";
  EXPECT_TRUE(ledger.reservations().empty());
}

// The cluster file replaces the whole ledger; its snapshot must not keep the old reservations.
TEST(ClusterSnapshotReservations, AReplacedLedgerPublishesItsOwnReservations) {
  ClusterState state(EpcResources::defaults());
  const auto now = std::chrono::steady_clock::now();
  state.modify([](EpcLedger& ledger) {
    ledger.upsert_node(epc_node("n1", "128Mi"));
    ASSERT_TRUE(ledger.upsert_pod(epc_pod("held", "16Mi")).ok());
  });
  state.reserve(BindRequest{"default", "held", "uid-held", "n1"}, now, now + seconds(60));
  ASSERT_EQ(state.snapshot()->reserved_bytes("n1"), 16 * kMi);
  state.modify([](EpcLedger& ledger) {
    EpcLedger next(EpcResources::defaults());
    next.upsert_node(epc_node("n1", "128Mi"));
    ledger = std::move(next);
  });
  EXPECT_EQ(state.snapshot()->reserved_bytes("n1"), 0);
  EXPECT_TRUE(state.snapshot()->reservations().empty());
}

TEST(ClusterSnapshotReservations, APodDoesNotSeeItsOwnReservation) {
  ClusterState state(EpcResources::defaults());
  state.modify([](EpcLedger& ledger) {
    ledger.upsert_node(epc_node("n1", "64Mi"));
    ledger.upsert_node(epc_node("n2", "64Mi"));
    const Pod pod = epc_pod("a", "16Mi");
    ledger.remember_pending(pod, *epc_demand(pod, ledger.resources()));
    ledger.reserve(BindRequest{"default", "a", "uid-a", "n1"}, kT0 + seconds(30));
  });
  const auto snapshot = state.snapshot();
  EXPECT_EQ(snapshot->as_seen_by("uid-a", *snapshot->node("n1")).reserved_bytes, 0);
  EXPECT_EQ(snapshot->as_seen_by("uid-other", *snapshot->node("n1")).reserved_bytes, 16 * kMi);
  EXPECT_EQ(snapshot->as_seen_by("uid-a", *snapshot->node("n2")).reserved_bytes, 0);
  EXPECT_EQ(snapshot->reserved_bytes("n1"), 16 * kMi);
  EXPECT_EQ(snapshot->node("n1")->reserved_bytes, 0) << "nodes carry commitments only";

  const auto before = state.snapshot();
  state.expire_reservations(kT0 + seconds(29));
  EXPECT_EQ(state.snapshot(), before) << "nothing expired, so nothing was published";
  state.expire_reservations(kT0 + seconds(30));
  EXPECT_EQ(state.snapshot()->reserved_bytes("n1"), 0);
}

TEST(ClusterSnapshotReservations, AReservationIsPublishedWithoutCopyingTheNodeTable) {
  ClusterState state(EpcResources::defaults());
  state.modify([](EpcLedger& ledger) {
    ledger.upsert_node(epc_node("n1", "64Mi"));
    const Pod pod = epc_pod("a", "16Mi");
    ledger.remember_pending(pod, *epc_demand(pod, ledger.resources()));
  });
  const auto before = state.snapshot();
  state.reserve(BindRequest{"default", "a", "uid-a", "n1"}, kT0, kT0 + seconds(30));
  const auto after = state.snapshot();
  EXPECT_NE(after, before);
  EXPECT_EQ(&after->nodes(), &before->nodes()) << "one decision per pod must not copy every node";
  EXPECT_EQ(after->reserved_bytes("n1"), 16 * kMi);
  EXPECT_EQ(before->reserved_bytes("n1"), 0) << "an old snapshot never changes";
}

}  // namespace
}  // namespace epc
