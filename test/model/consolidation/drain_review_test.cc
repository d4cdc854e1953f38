#include "model/consolidation/drain_review.h"

#include <gtest/gtest.h>

#include "model/consolidation/drain_taint.h"
#include "test/model/consolidation/consolidation_fixture.h"

namespace epc {
namespace {

using testing_builders::movable_pod;

Node draining_node(const std::string& name, std::optional<int64_t> since) {
  Node node;
  node.name = name;
  node.draining_since = since;
  return node;
}

TEST(DrainReview, AnEmptyNodeDrainsUntilTheHoldHasPassed) {
  const std::vector<Node> nodes{draining_node("a", 1000), draining_node("b", 100),
                                draining_node("plain", std::nullopt)};
  Pod daemon = movable_pod("agent", 0, "a");
  daemon.controller_kind = "DaemonSet";
  Pod leaving = movable_pod("leaving", 16, "a");
  leaving.terminating = true;
  const std::vector<Pod> pods{daemon, leaving, movable_pod("elsewhere", 16, "plain")};
  const DrainReview review = review_drains(nodes, pods, 1800, 1900 + 100);
  EXPECT_EQ(review.draining, (std::vector<std::string>{"a"}));
  ASSERT_EQ(review.ended.size(), 1u);
  EXPECT_EQ(review.ended[0].node, "b");
  EXPECT_TRUE(review.ended[0].emptied);
  EXPECT_EQ(review.ended[0].reason, "empty, 1900s after the drain began");
}

TEST(DrainReview, PodsStillThereEndTheDrainUnfinished) {
  const std::vector<Node> nodes{draining_node("a", 1000)};
  Pod done = movable_pod("done", 16, "a");
  done.phase = PodPhase::Succeeded;
  const std::vector<Pod> pods{movable_pod("zeta", 16, "a"), movable_pod("back", 8, "a"), done};
  const DrainReview review = review_drains(nodes, pods, 1800, 1060);
  EXPECT_TRUE(review.draining.empty());
  ASSERT_EQ(review.ended.size(), 1u);
  EXPECT_FALSE(review.ended[0].emptied);
  EXPECT_EQ(review.ended[0].reason,
            "2 pods still keep it busy (default/back), 60s after the drain began");
}

TEST(DrainTaint, ValuesAreUnixSecondsAndAnythingElseIsOld) {
  EXPECT_EQ(drain_taint_value(1765000000), "1765000000");
  EXPECT_EQ(drain_started_at("1765000000"), 1765000000);
  EXPECT_EQ(drain_started_at(""), 0);
  EXPECT_EQ(drain_started_at("true"), 0);
  EXPECT_EQ(drain_started_at("12x"), 0);
  EXPECT_EQ(drain_started_at("-5"), 0);
  EXPECT_EQ(drain_started_at("99999999999999999999999"), 0);
}

}  // namespace
}  // namespace epc
