#include "model/cluster_state.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "builders.h"

namespace epc {
namespace {

using namespace testing_builders;

TEST(ClusterState, StartsWithAnEmptySnapshot) {
  const ClusterState state(EpcResources::defaults());
  ASSERT_NE(state.snapshot(), nullptr);
  EXPECT_TRUE(state.snapshot()->nodes().empty());
  EXPECT_EQ(state.snapshot()->node("n1"), nullptr);
  EXPECT_EQ(state.snapshot()->committed_bytes("n1"), 0);
}

TEST(ClusterState, ModifyPublishesAndOldSnapshotsStayUnchanged) {
  ClusterState state(EpcResources::defaults());
  state.modify([](EpcLedger& ledger) { ledger.upsert_node(epc_node("n1", "128Mi")); });
  const auto before = state.snapshot();

  const auto result = state.modify([](EpcLedger& ledger) {
    ledger.upsert_node(epc_node("n2", "64Mi"));
    return ledger.upsert_pod(epc_pod("a", "32Mi", "n1", PodPhase::Running));
  });
  ASSERT_TRUE(result.ok());

  ASSERT_NE(before->node("n1"), nullptr);
  EXPECT_EQ(before->committed_bytes("n1"), 0);
  EXPECT_EQ(before->node("n2"), nullptr);
  EXPECT_EQ(before->nodes().size(), 1u);

  const auto after = state.snapshot();
  EXPECT_EQ(after->committed_bytes("n1"), 32 * kMi);
  EXPECT_EQ(after->node("n1")->epc_pods, 1);
  ASSERT_NE(after->node("n2"), nullptr);
  EXPECT_EQ(after->node("n2")->epc.bytes, 64 * kMi);
}

TEST(ClusterState, ModifyReturnsTheChangesResult) {
  ClusterState state(EpcResources::defaults());
  const auto result =
      state.modify([](EpcLedger& ledger) { return ledger.upsert_pod(epc_pod("a", "oops", "n1")); });
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find(R"(invalid quantity "oops")"), std::string::npos);
}

TEST(ClusterState, RememberPendingServesALaterBindWithoutPublishing) {
  ClusterState state(EpcResources::defaults());
  state.modify([](EpcLedger& ledger) { ledger.upsert_node(epc_node("n1", "128Mi")); });
  const auto before = state.snapshot();
  state.remember_pending(epc_pod("a", "16Mi"), EpcDemand{16 * kMi, kIntelEpc});
  EXPECT_EQ(state.snapshot(), before);
  EXPECT_TRUE(state.inspect([](const EpcLedger& l) { return l.pod_by_uid("uid-a") != nullptr; }));
  const auto bound = state.modify([](EpcLedger& ledger) {
    return ledger.bind({"default", "a", "uid-a", "n1"});
  });
  ASSERT_TRUE(bound.ok()) << bound.error().message;
  EXPECT_EQ(state.snapshot()->committed_bytes("n1"), 16 * kMi);
}

// Each batch replaces the one node and its one pod; a reader must never see a node without its
// pod's EPC, or two nodes at once, which a half-published batch would show.
TEST(ClusterState, ReadersOnlyEverSeeWholeBatches) {
  ClusterState state(EpcResources::defaults());
  constexpr int kBatches = 2000;
  std::atomic<bool> done{false};
  std::atomic<int> inconsistent{0};
  std::atomic<int64_t> snapshots_read{0};

  std::atomic<int> readers_started{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      bool first = true;
      do {
        const auto snapshot = state.snapshot();
        const auto& nodes = snapshot->nodes();
        if (nodes.size() > 1) ++inconsistent;
        for (const auto& [name, node] : nodes) {
          if (node.committed_bytes != node.epc.bytes || node.epc_pods != 1) ++inconsistent;
          if (snapshot->committed_bytes(name) != node.committed_bytes) ++inconsistent;
        }
        ++snapshots_read;
        if (std::exchange(first, false)) ++readers_started;
      } while (!done.load());
    });
  }
  // On a loaded machine the writer could otherwise finish before any reader has run.
  while (readers_started.load() < 3) std::this_thread::yield();
  for (int i = 1; i <= kBatches; ++i) {
    state.modify([i](EpcLedger& ledger) {
      const std::string previous = "n" + std::to_string(i - 1);
      ledger.remove_pod("uid-p" + std::to_string(i - 1));
      ledger.remove_node(previous);
      const std::string name = "n" + std::to_string(i);
      const std::string epc = std::to_string(i) + "Mi";
      ledger.upsert_node(epc_node(name, epc));
      const auto result =
          ledger.upsert_pod(epc_pod("p" + std::to_string(i), epc, name, PodPhase::Running));
      ASSERT_TRUE(result.ok());
    });
  }
  done = true;
  for (auto& reader : readers) reader.join();

  EXPECT_EQ(inconsistent.load(), 0);
  EXPECT_GT(snapshots_read.load(), 0);
  const auto last = state.snapshot();
  ASSERT_EQ(last->nodes().size(), 1u);
  EXPECT_EQ(last->committed_bytes("n" + std::to_string(kBatches)), kBatches * kMi);
}

// One pod's watch event changes one node's record: the new snapshot must leave the one before it
// as it was, and share with it every shard of the node table but the one holding that node.
TEST(ClusterState, OnePodsChangeSharesAllButTheTouchedShard) {
  ClusterState state(EpcResources::defaults());
  constexpr int kNodes = 500;
  state.modify([](EpcLedger& ledger) {
    for (int i = 0; i < kNodes; ++i) ledger.upsert_node(epc_node("n" + std::to_string(i), "1Gi"));
  });
  const auto before = state.snapshot();
  std::vector<const NodeRecord*> records_before;
  for (int i = 0; i < kNodes; ++i) records_before.push_back(before->node("n" + std::to_string(i)));

  const auto result = state.modify([](EpcLedger& ledger) {
    return ledger.upsert_pod(epc_pod("a", "32Mi", "n7", PodPhase::Running));
  });
  ASSERT_TRUE(result.ok());
  const auto after = state.snapshot();

  EXPECT_EQ(before->committed_bytes("n7"), 0) << "an old snapshot never changes";
  EXPECT_EQ(before->node("n7")->epc_pods, 0);
  EXPECT_EQ(before->node("n7"), records_before[7]);
  EXPECT_EQ(after->committed_bytes("n7"), 32 * kMi);
  EXPECT_EQ(after->node("n7")->epc_pods, 1);
  EXPECT_NE(after->node("n7"), records_before[7]);

  const size_t in_use = before->nodes().shards_in_use();
  EXPECT_EQ(after->nodes().shards_shared_with(before->nodes()), in_use - 1);
  // Records of nodes outside n7's shard are the very same objects in both snapshots.
  int same = 0;
  for (int i = 0; i < kNodes; ++i) {
    if (after->node("n" + std::to_string(i)) == records_before[static_cast<size_t>(i)]) ++same;
  }
  EXPECT_GE(same, kNodes - 20);
  EXPECT_LT(same, kNodes);
}

// Most snapshots are published for a change that leaves the node table as it was (a pending pod's
// event). Such a snapshot shares the table with the one before, the same objects. A reservation
// or a binding changes one node's record: its shard is new, every other shard is shared, and the
// old snapshot still shows what it showed.
TEST(ClusterState, ASnapshotSharesWhatTheChangeLeftAlone) {
  ClusterState state(EpcResources::defaults());
  state.modify([](EpcLedger& ledger) {
    for (int i = 0; i < 40; ++i) ledger.upsert_node(epc_node("n" + std::to_string(i), "128Mi"));
    ASSERT_TRUE(ledger.upsert_pod(epc_pod("held", "16Mi")).ok());
  });
  const auto start = state.snapshot();
  const size_t in_use = start->nodes().shards_in_use();
  const auto now = std::chrono::steady_clock::now();
  state.reserve(BindRequest{"default", "held", "uid-held", "n1"}, now,
                now + std::chrono::minutes(1));
  const auto reserved = state.snapshot();
  EXPECT_EQ(reserved->nodes().shards_shared_with(start->nodes()), in_use - 1)
      << "a reservation clones the one shard holding its node";
  EXPECT_EQ(start->reserved_bytes("n1"), 0);
  EXPECT_EQ(reserved->reserved_bytes("n1"), 16 * kMi);
  EXPECT_EQ(reserved->node("n1")->reservations,
            (std::vector<NodeReservation>{{"uid-held", 16 * kMi}}));
  EXPECT_TRUE(start->node("n1")->reservations.empty());

  // A pending pod's event touches no node and no reservation: no new snapshot.
  ASSERT_TRUE(
      state.modify([](EpcLedger& ledger) { return ledger.upsert_pod(epc_pod("waiting", "8Mi")); })
          .ok());
  const auto pending = state.snapshot();
  EXPECT_EQ(pending, reserved);

  // The binding ends the reservation and commits the EPC in one record; the old one is unchanged.
  ASSERT_TRUE(state
                  .modify([](EpcLedger& ledger) {
                    return ledger.upsert_pod(epc_pod("held", "16Mi", "n1", PodPhase::Running));
                  })
                  .ok());
  const auto bound = state.snapshot();
  EXPECT_EQ(bound->nodes().shards_shared_with(pending->nodes()), in_use - 1);
  EXPECT_EQ(bound->reserved_bytes("n1"), 0);
  EXPECT_TRUE(bound->node("n1")->reservations.empty());
  EXPECT_EQ(bound->committed_bytes("n1"), 16 * kMi);
  EXPECT_EQ(pending->reserved_bytes("n1"), 16 * kMi);
  EXPECT_EQ(pending->committed_bytes("n1"), 0);
  EXPECT_FALSE(bound->has_expired_reservations(now + std::chrono::hours(1)));
  EXPECT_TRUE(pending->has_expired_reservations(now + std::chrono::minutes(1)));
  EXPECT_FALSE(pending->has_expired_reservations(now));
}

// A reservation on a node that has since gone: dropping it touches no record, only the earliest
// expiry. The snapshot must carry that, or every reader would keep finding reservations to expire.
TEST(ClusterState, AnExpiryThatTouchesNoNodeIsStillPublished) {
  ClusterState state(EpcResources::defaults());
  state.modify([](EpcLedger& ledger) {
    ledger.upsert_node(epc_node("n1", "128Mi"));
    ledger.upsert_node(epc_node("n2", "128Mi"));
    ASSERT_TRUE(ledger.upsert_pod(epc_pod("held", "16Mi")).ok());
  });
  const auto now = std::chrono::steady_clock::now();
  const auto expires = now + std::chrono::seconds(10);
  state.reserve(BindRequest{"default", "held", "uid-held", "n1"}, now, expires);
  state.modify([](EpcLedger& ledger) { ledger.remove_node("n1"); });
  const auto before = state.snapshot();
  ASSERT_TRUE(before->has_expired_reservations(expires));

  state.expire_reservations(expires);
  const auto after = state.snapshot();
  EXPECT_NE(after, before);
  EXPECT_EQ(&after->nodes(), &before->nodes()) << "no record changed";
  EXPECT_FALSE(after->has_expired_reservations(expires));
}

}  // namespace
}  // namespace epc
