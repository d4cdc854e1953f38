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

// Snapshots carry the next expiry, so that a decision knows without a look at every reservation
// whether any has lapsed. Every way a reservation ends or moves must move it.
TEST_F(RelistAndReservationTest, TheLedgerKnowsWhenItsNextReservationExpires) {
  EXPECT_EQ(ledger.earliest_expiry(), SteadyTime::max());
  ledger.upsert_node(epc_node("n1", "64Mi"));
  remember("a", "16Mi");
  remember("b", "16Mi");
  ledger.reserve(placement("unknown", "n1"), kT0 + seconds(5));
  EXPECT_EQ(ledger.earliest_expiry(), SteadyTime::max()) << "a reserve that held nothing";
  ledger.reserve(placement("a", "n1"), kT0 + seconds(10));
  ledger.reserve(placement("b", "n1"), kT0 + seconds(20));
  EXPECT_EQ(ledger.earliest_expiry(), kT0 + seconds(10));
  ledger.reserve(placement("a", "n1"), kT0 + seconds(30));
  EXPECT_EQ(ledger.earliest_expiry(), kT0 + seconds(20)) << "a's new reservation replaced its old";
  EXPECT_EQ(ledger.expire_reservations(kT0 + seconds(19)), 0u);
  EXPECT_EQ(ledger.expire_reservations(kT0 + seconds(20)), 1u);
  EXPECT_EQ(ledger.earliest_expiry(), kT0 + seconds(30));
  EXPECT_EQ(ledger.reservations().count("uid-a"), 1u);
  ledger.remove_pod("uid-a");
  EXPECT_TRUE(ledger.reservations().empty()) << "a deleted pod's reservation goes with it";
  EXPECT_EQ(ledger.earliest_expiry(), SteadyTime::max());
  EXPECT_EQ(ledger.expire_reservations(SteadyTime::max()), 0u);
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
  EXPECT_TRUE(state.snapshot()->node("n1")->reservations.empty());
  EXPECT_FALSE(state.snapshot()->has_expired_reservations(SteadyTime::max() - seconds(1)));
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
  EXPECT_EQ(snapshot->node("n1")->as_seen_by("uid-a").reserved_bytes, 0);
  EXPECT_EQ(snapshot->node("n1")->as_seen_by("uid-other").reserved_bytes, 16 * kMi);
  EXPECT_EQ(snapshot->node("n2")->as_seen_by("uid-a").reserved_bytes, 0);
  EXPECT_EQ(snapshot->reserved_bytes("n1"), 16 * kMi);
  EXPECT_EQ(snapshot->node("n1")->reserved_bytes, 16 * kMi) << "the record carries it for all";
  EXPECT_EQ(snapshot->node("n1")->as_seen_by("uid-a").reservations, std::vector<NodeReservation>{})
      << "the pod's own reservation is left out of the list as well as the sum";

  const auto before = state.snapshot();
  state.expire_reservations(kT0 + seconds(29));
  EXPECT_EQ(state.snapshot(), before) << "nothing expired, so nothing was published";
  state.expire_reservations(kT0 + seconds(30));
  EXPECT_EQ(state.snapshot()->reserved_bytes("n1"), 0);
}

TEST(ClusterSnapshotReservations, AReservationClonesOnlyTheShardOfItsNode) {
  ClusterState state(EpcResources::defaults());
  state.modify([](EpcLedger& ledger) {
    for (int i = 0; i < 100; ++i) ledger.upsert_node(epc_node("n" + std::to_string(i), "64Mi"));
    const Pod pod = epc_pod("a", "16Mi");
    ledger.remember_pending(pod, *epc_demand(pod, ledger.resources()));
  });
  const auto before = state.snapshot();
  state.reserve(BindRequest{"default", "a", "uid-a", "n1"}, kT0, kT0 + seconds(30));
  const auto after = state.snapshot();
  EXPECT_NE(after, before);
  EXPECT_EQ(after->nodes().shards_shared_with(before->nodes()), before->nodes().shards_in_use() - 1)
      << "one decision per pod must not copy every node";
  EXPECT_EQ(after->reserved_bytes("n1"), 16 * kMi);
  EXPECT_EQ(before->reserved_bytes("n1"), 0) << "an old snapshot never changes";
  EXPECT_TRUE(after->has_expired_reservations(kT0 + seconds(30)));
  EXPECT_FALSE(after->has_expired_reservations(kT0 + seconds(29)));
}

// A node's record is rebuilt from each of its events (status, labels); the EPC reserved on it, as
// the EPC committed, must survive that, or the next pod would be offered EPC held for another.
TEST(ClusterSnapshotReservations, ANodeEventKeepsTheReservationsOnIt) {
  ClusterState state(EpcResources::defaults());
  state.modify([](EpcLedger& ledger) {
    ledger.upsert_node(epc_node("n1", "64Mi"));
    for (const char* name : {"a", "b"}) {
      const Pod pod = epc_pod(name, "16Mi");
      ledger.remember_pending(pod, *epc_demand(pod, ledger.resources()));
    }
  });
  state.reserve(BindRequest{"default", "a", "uid-a", "n1"}, kT0, kT0 + seconds(30));
  state.reserve(BindRequest{"default", "b", "uid-b", "n1"}, kT0, kT0 + seconds(40));
  state.modify([](EpcLedger& ledger) { ledger.upsert_node(epc_node("n1", "128Mi")); });
  const auto snapshot = state.snapshot();
  EXPECT_EQ(snapshot->node("n1")->epc.bytes, 128 * kMi);
  EXPECT_EQ(snapshot->reserved_bytes("n1"), 32 * kMi);
  EXPECT_EQ(snapshot->node("n1")->reservations,
            (std::vector<NodeReservation>{{"uid-a", 16 * kMi}, {"uid-b", 16 * kMi}}));
  EXPECT_EQ(snapshot->node("n1")->as_seen_by("uid-b").reserved_bytes, 16 * kMi);

  // The first to expire goes; the snapshot then waits for the second.
  state.expire_reservations(kT0 + seconds(30));
  EXPECT_EQ(state.snapshot()->node("n1")->reservations,
            (std::vector<NodeReservation>{{"uid-b", 16 * kMi}}));
  EXPECT_FALSE(state.snapshot()->has_expired_reservations(kT0 + seconds(39)));
  EXPECT_TRUE(state.snapshot()->has_expired_reservations(kT0 + seconds(40)));

  // A node that goes and comes back (a re-list that missed it) still holds the reservation, as it
  // still holds the EPC of its pods: the ledger counts both by node name until they end.
  state.modify([](EpcLedger& ledger) { ledger.remove_node("n1"); });
  EXPECT_EQ(state.snapshot()->node("n1"), nullptr);
  state.modify([](EpcLedger& ledger) { ledger.upsert_node(epc_node("n1", "64Mi")); });
  EXPECT_EQ(state.snapshot()->reserved_bytes("n1"), 16 * kMi);
}

}  // namespace
}  // namespace epc
