// run_limits: quiet hours stop a run; the per-hour budget counts only the last hour's evictions;
// nodes still draining count against maxDrainingNodes; what is left bounds the plan.
#include "model/consolidation/run_limits.h"

#include <gtest/gtest.h>

#include <variant>
#include <vector>

namespace epc {
namespace {

constexpr int64_t kNoon = 1796558400;  // 2026-12-06T12:00:00Z

ConsolidationSettings settings() {
  ConsolidationSettings s;
  s.max_evictions_per_run = 10;
  s.max_evictions_per_hour = 30;
  s.max_draining_nodes = 2;
  s.max_priority = 100;
  s.min_pod_age_seconds = 600;
  return s;
}

std::string skipped(const std::variant<ConsolidationLimits, RunSkipped>& limits) {
  const auto* why = std::get_if<RunSkipped>(&limits);
  return why ? why->reason : "(runs)";
}

TEST(RunLimits, AFreshRunGetsTheConfigsBudgets) {
  const auto limits = run_limits(settings(), {}, 0, kNoon);
  ASSERT_TRUE(std::holds_alternative<ConsolidationLimits>(limits)) << skipped(limits);
  const auto& l = std::get<ConsolidationLimits>(limits);
  EXPECT_EQ(l.max_evictions, 10u);
  EXPECT_EQ(l.max_drained_nodes, 2u);
  EXPECT_EQ(l.eviction.max_priority, 100);
  EXPECT_EQ(l.eviction.min_age_seconds, 600);
  EXPECT_EQ(l.eviction.now_unix_seconds, kNoon);
}

TEST(RunLimits, TheHoursBudgetCountsOnlyTheLastHour) {
  std::vector<int64_t> times(25, kNoon - 60);  // 25 a minute ago
  times.push_back(kNoon - 3600);               // exactly an hour ago: no longer counts
  times.push_back(kNoon - 7200);
  const auto limits = run_limits(settings(), times, 0, kNoon);
  ASSERT_TRUE(std::holds_alternative<ConsolidationLimits>(limits)) << skipped(limits);
  EXPECT_EQ(std::get<ConsolidationLimits>(limits).max_evictions, 5u);  // 30 − 25 < 10 per run
  times.insert(times.end(), 5, kNoon - 1);                             // 30 within the hour
  EXPECT_EQ(skipped(run_limits(settings(), times, 0, kNoon)),
            "the hour's eviction budget is spent (30 of 30)");
}

TEST(RunLimits, NodesStillDrainingCountAgainstTheDrainBudget) {
  const auto one_left = run_limits(settings(), {}, 1, kNoon);
  ASSERT_TRUE(std::holds_alternative<ConsolidationLimits>(one_left));
  EXPECT_EQ(std::get<ConsolidationLimits>(one_left).max_drained_nodes, 1u);
  EXPECT_EQ(skipped(run_limits(settings(), {}, 2, kNoon)),
            "2 node(s) still draining (maxDrainingNodes 2)");
}

TEST(RunLimits, QuietHoursStopTheRunAndAreNamed) {
  ConsolidationSettings quiet = settings();
  quiet.quiet_hours = {QuietWindow{22 * 60, 6 * 60}, QuietWindow{11 * 60 + 30, 12 * 60 + 30}};
  EXPECT_EQ(skipped(run_limits(quiet, {}, 0, kNoon)), "quiet hours (11:30-12:30 UTC)");
  EXPECT_EQ(skipped(run_limits(quiet, {}, 0, kNoon + 14 * 3600)), "quiet hours (22:00-06:00 UTC)");
  EXPECT_EQ(skipped(run_limits(quiet, {}, 0, kNoon + 3600)), "(runs)");
}

}  // namespace
}  // namespace epc
