#include "model/candidate_nodes.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "builders.h"
#include "model/cluster_state.h"
#include "model/epc_demand.h"

namespace epc {
namespace {

using namespace testing_builders;

const SteadyTime kExpires = SteadyTime() + std::chrono::hours(1);

// n1 holds pod a's reservation, n2 pod b's; n3 holds none.
void place_two_pods(ClusterState& state) {
  state.modify([](EpcLedger& ledger) {
    for (const char* name : {"n1", "n2", "n3"}) ledger.upsert_node(epc_node(name, "64Mi"));
    for (const char* name : {"a", "b"}) {
      const Pod pod = epc_pod(name, "16Mi");
      ledger.remember_pending(pod, *epc_demand(pod, ledger.resources()));
    }
  });
  state.reserve(BindRequest{"default", "a", "uid-a", "n1"}, SteadyTime(), kExpires);
  state.reserve(BindRequest{"default", "b", "uid-b", "n2"}, SteadyTime(), kExpires);
}

TEST(CandidateNodes, ByNameAPodSeesOthersReservationsButNotItsOwn) {
  ClusterState state(EpcResources::defaults());
  place_two_pods(state);
  const auto snapshot = state.snapshot();
  const std::vector<std::string_view> names = {"n1", "n2", "n3", "n1", "gone"};
  CandidateNodes seen(CandidateNodes::Mode::kNodeNames, *snapshot, "uid-a", names.size());
  seen.add_names(names);
  ASSERT_EQ(seen.size(), names.size());
  const std::vector<const NodeRecord*>& records = seen.records();
  ASSERT_NE(records[0], nullptr);
  EXPECT_EQ(records[0]->name, "n1");
  EXPECT_EQ(records[0]->reserved_bytes, 0) << "its own reservation does not count against it";
  EXPECT_NE(records[0], snapshot->node("n1")) << "a copy: the snapshot's record is shared";
  EXPECT_EQ(snapshot->node("n1")->reserved_bytes, 16 * kMi);
  EXPECT_EQ(records[3], records[0]) << "a name sent twice shares the one copy";
  EXPECT_EQ(records[1], snapshot->node("n2")) << "another pod's reservation counts, uncopied";
  EXPECT_EQ(records[1]->reserved_bytes, 16 * kMi);
  EXPECT_EQ(records[2], snapshot->node("n3"));
  EXPECT_EQ(records[4], nullptr);
  EXPECT_EQ(seen.name(4), "gone");

  CandidateNodes other(CandidateNodes::Mode::kNodeNames, *snapshot, "uid-c", names.size());
  other.add_names(names);
  EXPECT_EQ(other.records()[0], snapshot->node("n1")) << "a pod holding nothing copies nothing";
  EXPECT_EQ(other.records()[0]->reserved_bytes, 16 * kMi);
}

TEST(CandidateNodes, ByNodeTheCapacityIsTheRequestsAndTheUseTheSnapshots) {
  ClusterState state(EpcResources::defaults());
  place_two_pods(state);
  state.modify([](EpcLedger& ledger) {
    ASSERT_TRUE(ledger.upsert_pod(epc_pod("bound", "8Mi", "n1", PodPhase::Running)).ok());
  });
  const auto snapshot = state.snapshot();
  const Node n1 = epc_node("n1", "128Mi");  // kube-scheduler's view: grown since the last event
  const Node fresh = epc_node("n9", "32Mi");
  for (const char* pod : {"uid-a", "uid-b"}) {
    CandidateNodes seen(CandidateNodes::Mode::kNodes, *snapshot, pod, 2);
    seen.add_node(n1, EpcResources::defaults());
    seen.add_node(fresh, EpcResources::defaults());
    const NodeRecord& first = *seen.records()[0];
    EXPECT_EQ(first.epc.bytes, 128 * kMi);
    EXPECT_EQ(first.committed_bytes, 8 * kMi);
    EXPECT_EQ(first.reserved_bytes, std::string(pod) == "uid-a" ? 0 : 16 * kMi) << pod;
    const NodeRecord& second = *seen.records()[1];
    EXPECT_EQ(second.epc.bytes, 32 * kMi);
    EXPECT_EQ(second.committed_bytes, 0);
    EXPECT_EQ(second.reserved_bytes, 0);
  }
}

}  // namespace
}  // namespace epc
