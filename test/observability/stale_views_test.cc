// StaleViews: recheck outcomes counted from decisions, and the wait of pods filter turned away.
#include "scheduler/observability/stale_views.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace epc {
namespace {

using std::chrono::seconds;
const std::chrono::system_clock::time_point kT0{seconds(1'000'000)};

Decision filter(const std::string& pod, Outcome outcome, std::chrono::system_clock::time_point at,
                RecheckOutcome recheck = RecheckOutcome::kNone) {
  Decision decision;
  decision.verb = Verb::kFilter;
  decision.outcome = outcome;
  decision.pod_namespace = "default";
  decision.pod_name = pod;
  decision.epc_bytes = 1 << 20;
  decision.at = at;
  decision.recheck.outcome = recheck;
  decision.recheck.reads = recheck == RecheckOutcome::kNone ? 0 : 2;
  decision.recheck.failures = recheck == RecheckOutcome::kFailed ? 1 : 0;
  return decision;
}

TEST(StaleViews, CountsRecheckOutcomesAndReads) {
  StaleViews views;
  views.observe(filter("a", Outcome::kSuccess, kT0, RecheckOutcome::kReversed));
  views.observe(filter("b", Outcome::kUnschedulable, kT0, RecheckOutcome::kConfirmed));
  views.observe(filter("c", Outcome::kUnschedulable, kT0, RecheckOutcome::kFailed));
  views.observe(filter("d", Outcome::kSuccess, kT0));
  const StaleViewSummary summary = views.summary();
  EXPECT_EQ(summary.reversed, 1u);
  EXPECT_EQ(summary.confirmed, 1u);
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(summary.reads, 6u);
  EXPECT_EQ(summary.read_failures, 1u);
}

TEST(StaleViews, AWaitRunsFromTheLastRejectionToTheFilterThatLetsThePodThrough) {
  StaleViews views;
  EXPECT_FALSE(views.observe(filter("p", Outcome::kUnschedulable, kT0)));
  EXPECT_FALSE(views.observe(filter("p", Outcome::kUnschedulable, kT0 + seconds(10))));
  EXPECT_EQ(views.summary().turned_away, 1u);
  const auto waited = views.observe(filter("p", Outcome::kSuccess, kT0 + seconds(13)));
  ASSERT_TRUE(waited.has_value());
  EXPECT_DOUBLE_EQ(waited->count(), 3.0);
  // Once through, the pod is no longer waiting; passing again measures nothing.
  EXPECT_FALSE(views.observe(filter("p", Outcome::kSuccess, kT0 + seconds(14))));
  const StaleViewSummary summary = views.summary();
  EXPECT_EQ(summary.turned_away, 0u);
  EXPECT_EQ(summary.waits, 1u);
  EXPECT_DOUBLE_EQ(summary.wait_p50_seconds, 3.0);
  EXPECT_DOUBLE_EQ(summary.wait_max_seconds, 3.0);
}

TEST(StaleViews, OnlyEpcPodsNamedInFilterCallsAreTracked) {
  StaleViews views;
  Decision general = filter("g", Outcome::kUnschedulable, kT0);
  general.epc_bytes = 0;
  views.observe(general);
  Decision bind = filter("b", Outcome::kUnschedulable, kT0);
  bind.verb = Verb::kBind;
  views.observe(bind);
  EXPECT_EQ(views.summary().turned_away, 0u);
}

TEST(StaleViews, TracksAtMostItsCapacityDroppingTheOldest) {
  StaleViews views(2);
  views.observe(filter("a", Outcome::kUnschedulable, kT0));
  views.observe(filter("b", Outcome::kUnschedulable, kT0));
  views.observe(filter("c", Outcome::kUnschedulable, kT0));
  EXPECT_EQ(views.summary().turned_away, 2u);
  EXPECT_FALSE(views.observe(filter("a", Outcome::kSuccess, kT0 + seconds(1))));
  EXPECT_TRUE(views.observe(filter("c", Outcome::kSuccess, kT0 + seconds(1))));
}

TEST(StaleViews, TheMedianIsOverTheRecentWaits) {
  StaleViews views;
  for (int i = 1; i <= 5; ++i) {
    const std::string pod = "p" + std::to_string(i);
    views.observe(filter(pod, Outcome::kUnschedulable, kT0));
    views.observe(filter(pod, Outcome::kSuccess, kT0 + seconds(i)));
  }
  const StaleViewSummary summary = views.summary();
  EXPECT_EQ(summary.waits, 5u);
  EXPECT_DOUBLE_EQ(summary.wait_p50_seconds, 3.0);
  EXPECT_DOUBLE_EQ(summary.wait_max_seconds, 5.0);
}

}  // namespace
}  // namespace epc
