// /debug/state JSON: field names and numbers of the small cluster.
#include "scheduler/observability/debug_state.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test/observability/observability_test_support.h"

namespace epc {
namespace {

using Json = nlohmann::json;
using test::kMi;

Json debug_state_of_small_cluster(Readiness readiness) {
  ClusterState state(EpcResources::defaults());
  test::fill_small_cluster(state);
  return Json::parse(
      encode_debug_state(state_report(state, test::pools_by_agentpool(), std::move(readiness))));
}

TEST(DebugState, CarriesNodesWithTheirPodsPoolsAndTotals) {
  const Json state = debug_state_of_small_cluster(Readiness{true, ""});

  EXPECT_EQ(state["ready"], true);
  EXPECT_EQ(state["reason"], "");
  EXPECT_EQ(state["generalNodes"], 1);
  EXPECT_EQ(state["pendingPods"], 1);
  ASSERT_EQ(state["nodes"].size(), 3u);
  const Json& big = state["nodes"][0];
  EXPECT_EQ(big["name"], "big-1");
  EXPECT_EQ(big["pool"], "bigpool");
  EXPECT_EQ(big["schedulable"], true);
  EXPECT_EQ(big["capacityBytes"], 1024 * kMi);
  EXPECT_EQ(big["committedBytes"], 256 * kMi);
  EXPECT_EQ(big["reservedBytes"], 8 * kMi);
  EXPECT_EQ(big["freeBytes"], 760 * kMi);
  EXPECT_EQ(big["epcPods"], 1);
  ASSERT_EQ(big["pods"].size(), 1u);
  EXPECT_EQ(big["pods"][0], (Json{{"namespace", "prod"}, {"name", "p3"}, {"epcBytes", 256 * kMi}}));

  const Json& cordoned = state["nodes"][2];
  EXPECT_EQ(cordoned["name"], "conf-b");
  EXPECT_EQ(cordoned["schedulable"], false);
  EXPECT_EQ(cordoned["unschedulableReason"], "cordoned");
  EXPECT_EQ(cordoned["pods"], Json::array());

  ASSERT_EQ(state["pools"].size(), 2u);
  const Json& confpool = state["pools"][1];
  EXPECT_EQ(confpool["name"], "confpool");
  EXPECT_EQ(confpool["nodes"], 2);
  EXPECT_EQ(confpool["capacityBytes"], 192 * kMi);
  EXPECT_EQ(confpool["committedBytes"], 48 * kMi);
  EXPECT_EQ(confpool["freeBytes"], 144 * kMi);
  EXPECT_EQ(confpool["epcPods"], 2);

  EXPECT_EQ(state["total"]["nodes"], 3);
  EXPECT_EQ(state["total"]["capacityBytes"], (1024 + 192) * kMi);
  EXPECT_EQ(state["total"]["reservedBytes"], 8 * kMi);
  EXPECT_EQ(state["total"]["epcPods"], 3);
}

TEST(DebugState, SaysWhyItIsNotReady) {
  const Json state = debug_state_of_small_cluster(Readiness{false, "pods not listed yet"});
  EXPECT_EQ(state["ready"], false);
  EXPECT_EQ(state["reason"], "pods not listed yet");
}

TEST(DebugState, InvalidUtf8FromTheClusterDoesNotBreakTheDocument) {
  StateReport report;
  report.usage.nodes.push_back(NodeUsage{.name = "bad-\xff-node", .pool = "", .epc = {}});
  const Json state = Json::parse(encode_debug_state(report));
  EXPECT_EQ(state["nodes"].size(), 1u);
}

}  // namespace
}  // namespace epc
