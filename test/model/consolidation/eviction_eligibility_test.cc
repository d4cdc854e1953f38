#include "model/consolidation/eviction_eligibility.h"

#include <gtest/gtest.h>

#include "test/model/consolidation/consolidation_fixture.h"

namespace epc {
namespace {

using testing_builders::movable_pod;

DisruptionBudget budget(const std::string& name, const std::string& selector, int32_t allowed,
                        const std::string& ns = "default") {
  DisruptionBudget b;
  b.namespace_name = ns;
  b.name = name;
  auto parsed = LabelSelector::parse(selector);
  EXPECT_TRUE(parsed.ok());
  if (parsed) b.selector = *parsed;
  b.disruptions_allowed = allowed;
  return b;
}

std::string blocker(const Pod& pod, const EvictionRules& rules = {},
                    std::vector<DisruptionBudget> budgets = {}) {
  return eviction_blocker(pod, rules, budgets).value_or("");
}

TEST(EvictionEligibility, APodOfAControllerMayMove) {
  EXPECT_FALSE(eviction_blocker(movable_pod("a", 16, "n1"), {}, {}).has_value());
}

TEST(EvictionEligibility, DefaultsMeanNotMovable) {
  Pod pod = movable_pod("a", 16, "n1");
  pod.controller_kind.clear();  // what a decoder leaves when there is no controller reference
  EXPECT_EQ(blocker(pod), "no controller would recreate it");
}

TEST(EvictionEligibility, EachRuleNamesItsReason) {
  Pod daemon = movable_pod("d", 16, "n1");
  daemon.controller_kind = "DaemonSet";
  EXPECT_EQ(blocker(daemon), "a DaemonSet pod: it is recreated on the same node");
  EXPECT_TRUE(stays_with_node(daemon));

  Pod mirror = movable_pod("m", 16, "n1");
  mirror.mirror = true;
  EXPECT_EQ(blocker(mirror), "a mirror (static) pod: the kubelet runs it from a file");
  // kubectl drain skips both: they belong to the node and do not keep it busy.
  EXPECT_TRUE(stays_with_node(mirror));
  EXPECT_FALSE(stays_with_node(movable_pod("r", 16, "n1")));

  Pod opted = movable_pod("o", 16, "n1");
  opted.annotations = {{"epc-extender.io/evict", "never"}};
  EXPECT_EQ(blocker(opted), "annotated epc-extender.io/evict: \"never\"");
  opted.annotations = {{"epc-extender.io/evict", "ok"}};
  EXPECT_EQ(blocker(opted), "");

  Pod important = movable_pod("p", 16, "n1");
  important.priority = 1000;
  EXPECT_EQ(blocker(important), "priority 1000 is above the limit 0");
  EXPECT_EQ(blocker(important, EvictionRules{1000, 0, 0}), "");

  Pod critical = movable_pod("c", 16, "n1");
  critical.priority = kSystemCriticalPriority;
  EXPECT_EQ(blocker(critical, EvictionRules{std::numeric_limits<int32_t>::max(), 0, 0}),
            "system-critical priority 2000000000");
}

TEST(EvictionEligibility, MinimumAgeAppliesOnlyWhenTheCreationTimeIsKnown) {
  Pod pod = movable_pod("a", 16, "n1");
  const EvictionRules rules{0, 600, 10000};
  EXPECT_EQ(blocker(pod, rules), "");  // unknown creation time
  pod.created_unix_seconds = 9700;
  EXPECT_EQ(blocker(pod, rules), "younger than 600s (created 300s ago)");
  pod.created_unix_seconds = 9400;
  EXPECT_EQ(blocker(pod, rules), "");
}

TEST(EvictionEligibility, DisruptionBudgetsAsTheEvictionApiReadsThem) {
  const Pod pod = movable_pod("web", 16, "n1");  // labels app=web
  EXPECT_EQ(blocker(pod, {}, {budget("web", "app=web", 1)}), "");
  EXPECT_EQ(blocker(pod, {}, {budget("web", "app=web", 0)}),
            "PodDisruptionBudget default/web allows no more disruptions");
  EXPECT_EQ(blocker(pod, {}, {budget("web", "app=web", 1), budget("all", "app", 5)}),
            "covered by more than one PodDisruptionBudget (default/web, default/all), which the "
            "eviction API refuses");
  // Another namespace's budget, and a null selector, cover nothing.
  EXPECT_EQ(blocker(pod, {}, {budget("web", "app=web", 0, "other")}), "");
  EXPECT_EQ(blocker(pod, {}, {budget("none", "", 0)}), "");
  // policy/v1's empty selector ({}) covers every pod of its namespace, labelled or not.
  DisruptionBudget every = budget("every", "", 0);
  every.selects_every_pod = true;
  Pod bare = pod;
  bare.labels.clear();
  EXPECT_EQ(blocker(bare, {}, {every}),
            "PodDisruptionBudget default/every allows no more disruptions");
  // A pod without labels matches what a selector's negations match, as labels.Selector does.
  EXPECT_EQ(blocker(bare, {}, {budget("web", "app", 0)}), "");
  EXPECT_EQ(blocker(bare, {}, {budget("not-web", "app!=web", 0)}),
            "PodDisruptionBudget default/not-web allows no more disruptions");
}

}  // namespace
}  // namespace epc
