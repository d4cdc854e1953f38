// /status HTML: a bar per confidential node carrying its exact numbers, pools, decisions, the
// not-ready banner, escaping of everything that comes from the cluster, and no external assets.
#include "scheduler/observability/status_page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "test/observability/observability_test_support.h"

namespace epc {
namespace {

using test::kMi;
using ::testing::HasSubstr;
using ::testing::Not;

StatusPageInput small_cluster_page(Readiness readiness = {true, ""}) {
  ClusterState state(EpcResources::defaults());
  test::fill_small_cluster(state);
  StatusPageInput input;
  input.state = state_report(state, test::pools_by_agentpool(), std::move(readiness));
  input.version = "0.1.0";
  input.now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  return input;
}

// The opening tag of the first element whose text starts with `start`, e.g. `<div class="node"
// data-node="conf-a"`; empty when there is none.
std::string opening_tag(const std::string& html, const std::string& start) {
  const size_t begin = html.find(start);
  if (begin == std::string::npos) return {};
  return html.substr(begin, html.find('>', begin) - begin + 1);
}

std::string attribute(const std::string& name, int64_t value) {
  return name + "=\"" + std::to_string(value) + "\"";
}

TEST(StatusPage, DrawsABarPerConfidentialNodeWithItsNumbers) {
  const std::string html = render_status_page(small_cluster_page());

  const std::string conf_a = opening_tag(html, "<div class=\"node\" data-node=\"conf-a\"");
  ASSERT_NE(conf_a, "") << html;
  EXPECT_THAT(conf_a, HasSubstr("data-pool=\"confpool\""));
  EXPECT_THAT(conf_a, HasSubstr("data-schedulable=\"true\""));
  EXPECT_THAT(conf_a, HasSubstr(attribute("data-capacity-bytes", 64 * kMi)));
  EXPECT_THAT(conf_a, HasSubstr(attribute("data-committed-bytes", 48 * kMi)));
  EXPECT_THAT(conf_a, HasSubstr(attribute("data-reserved-bytes", 0)));
  EXPECT_THAT(conf_a, HasSubstr(attribute("data-free-bytes", 16 * kMi)));
  EXPECT_THAT(conf_a, HasSubstr(attribute("data-epc-pods", 2)));

  const std::string big = opening_tag(html, "<div class=\"node\" data-node=\"big-1\"");
  EXPECT_THAT(big, HasSubstr(attribute("data-reserved-bytes", 8 * kMi)));
  EXPECT_THAT(big, HasSubstr(attribute("data-free-bytes", 760 * kMi)));

  // Segments are proportional: conf-a is 48 of 64Mi committed, big-1 has 8 of 1024Mi reserved.
  EXPECT_THAT(html, HasSubstr("class=\"seg committed\" style=\"width:75.00%\""));
  EXPECT_THAT(html, HasSubstr("class=\"seg free\" style=\"width:25.00%\""));
  EXPECT_THAT(html, HasSubstr("class=\"seg reserved\" style=\"width:0.78%\""));
  // Numbers as text, and the pods on the node.
  EXPECT_THAT(html, HasSubstr("<span class=\"c\">48Mi</span>"));
  EXPECT_THAT(html, HasSubstr("prod/p3 256Mi"));
  EXPECT_THAT(html, Not(HasSubstr("data-node=\"general-1\"")));
}

TEST(StatusPage, ShowsRechecksAndTheWaitsOfPodsTurnedAway) {
  StatusPageInput input = small_cluster_page();
  input.stale_views.reversed = 3;
  input.stale_views.confirmed = 5;
  input.stale_views.failed = 1;
  input.stale_views.reads = 40;
  input.stale_views.turned_away = 2;
  input.stale_views.waits = 4;
  input.stale_views.wait_p50_seconds = 0.25;
  input.stale_views.wait_max_seconds = 301;
  const std::string html = render_status_page(input);
  EXPECT_THAT(html, HasSubstr("class=\"card rechecks\" data-reversed=\"3\" data-confirmed=\"5\" "
                              "data-failed=\"1\" data-reads=\"40\""));
  EXPECT_THAT(html, HasSubstr("data-turned-away=\"2\" data-waits=\"4\""));
  EXPECT_THAT(html, HasSubstr("waited 0.25 s (median), 301 s (max)"));
}

TEST(StatusPage, MarksUnschedulableNodes) {
  const std::string html = render_status_page(small_cluster_page());
  const std::string cordoned =
      opening_tag(html, "<div class=\"node unschedulable\" data-node=\"conf-b\"");
  ASSERT_NE(cordoned, "");
  EXPECT_THAT(cordoned, HasSubstr("data-schedulable=\"false\""));
  EXPECT_THAT(html,
              HasSubstr("class=\"badge unschedulable\" title=\"takes no new pods\">cordoned<"));
}

TEST(StatusPage, ShowsPoolTotalsAndClusterTotals) {
  const std::string html = render_status_page(small_cluster_page());
  const std::string confpool = opening_tag(html, "<tr class=\"pool\" data-pool=\"confpool\"");
  ASSERT_NE(confpool, "");
  EXPECT_THAT(confpool, HasSubstr("data-nodes=\"2\""));
  EXPECT_THAT(confpool, HasSubstr(attribute("data-capacity-bytes", 192 * kMi)));
  EXPECT_THAT(confpool, HasSubstr(attribute("data-committed-bytes", 48 * kMi)));
  EXPECT_THAT(confpool, HasSubstr(attribute("data-free-bytes", 144 * kMi)));
  EXPECT_NE(opening_tag(html, "<tr class=\"pool\" data-pool=\"bigpool\""), "");

  const std::string summary = opening_tag(html, "<section class=\"summary\"");
  EXPECT_THAT(summary, HasSubstr(attribute("data-capacity-bytes", 1216 * kMi)));
  EXPECT_THAT(summary, HasSubstr("data-general-nodes=\"1\""));
  EXPECT_THAT(summary, HasSubstr("data-pending-pods=\"1\""));
}

TEST(StatusPage, ListsDecisionsInTheOrderGiven) {
  StatusPageInput input = small_cluster_page();
  DecisionEntry bound{.at = input.now - std::chrono::seconds(3),
                      .verb = Verb::kBind,
                      .outcome = Outcome::kSuccess,
                      .pod = "default/enclave-0",
                      .node = "conf-a",
                      .epc_bytes = 16 * kMi,
                      .duration = std::chrono::microseconds(420),
                      .reason = ""};
  DecisionEntry rejected{.at = input.now - std::chrono::seconds(5),
                         .verb = Verb::kFilter,
                         .outcome = Outcome::kUnschedulable,
                         .pod = "default/huge-0",
                         .node = "",
                         .epc_bytes = 4096 * kMi,
                         .duration = std::chrono::microseconds(80),
                         .reason = "0/3 nodes fit: 3 epc_too_small"};
  input.decisions = {bound, rejected};
  const std::string html = render_status_page(input);

  const size_t first = html.find(
      "<tr class=\"decision\" data-verb=\"bind\" data-outcome=\"success\" "
      "data-pod=\"default/enclave-0\" data-node=\"conf-a\">");
  const size_t second = html.find(
      "<tr class=\"decision\" data-verb=\"filter\" data-outcome=\"unschedulable\" "
      "data-pod=\"default/huge-0\"");
  ASSERT_NE(first, std::string::npos) << html;
  ASSERT_NE(second, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_THAT(html, HasSubstr("0/3 nodes fit: 3 epc_too_small"));
  EXPECT_THAT(html, HasSubstr("3s ago"));
  EXPECT_THAT(html, HasSubstr("420 µs"));
  EXPECT_THAT(html, Not(HasSubstr("No decisions yet")));
}

TEST(StatusPage, EscapesNamesAndReasonsFromTheCluster) {
  StatusPageInput input = small_cluster_page();
  input.state.usage.nodes.push_back(
      NodeUsage{.name = "<script>alert(1)</script>", .pool = "\"pool\"", .epc = {}});
  DecisionEntry refused;
  refused.outcome = Outcome::kError;
  refused.pod = "ns/<b>pod</b>";
  refused.reason = "bad annotation <script>x()</script> & more";
  input.decisions.push_back(refused);
  const std::string html = render_status_page(input);

  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<b>pod")));
  EXPECT_THAT(html, HasSubstr("data-node=\"&lt;script&gt;alert(1)&lt;/script&gt;\""));
  EXPECT_THAT(html, HasSubstr("data-pool=\"&quot;pool&quot;\""));
  EXPECT_THAT(html, HasSubstr("bad annotation &lt;script&gt;x()&lt;/script&gt; &amp; more"));
}

TEST(StatusPage, ShowsABannerWithTheReasonWhenNotReady) {
  const std::string ready = render_status_page(small_cluster_page());
  EXPECT_THAT(ready, Not(HasSubstr("class=\"banner not-ready\"")));
  EXPECT_THAT(ready, HasSubstr("data-ready=\"true\""));

  const std::string html = render_status_page(small_cluster_page({false, "watch <down> for 45s"}));
  const size_t banner = html.find("<div class=\"banner not-ready\"");
  ASSERT_NE(banner, std::string::npos);
  EXPECT_NE(html.find("watch &lt;down&gt; for 45s", banner), std::string::npos);
  EXPECT_THAT(html, HasSubstr("data-ready=\"false\""));
}

TEST(StatusPage, IsSelfContainedAndRefreshesItself) {
  StatusPageInput input = small_cluster_page();
  input.refresh_seconds = 7;
  const std::string html = render_status_page(input);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_THAT(html, HasSubstr("<meta http-equiv=\"refresh\" content=\"7\">"));
  EXPECT_THAT(html, HasSubstr("<span class=\"version\">0.1.0</span>"));
  for (const char* external : {"http://", "https://", "src=", "<link", "@import", "url("}) {
    EXPECT_THAT(html, Not(HasSubstr(external))) << external;
  }
  EXPECT_THAT(html, HasSubstr("No decisions yet"));
}

TEST(StatusPage, RoundsOddSumsForReadingAndKeepsTheExactBytesInTheTitle) {
  StatusPageInput input;
  input.state.usage.total.capacity_bytes = 168 * 1024 * kMi + 112 * kMi;  // "172144Mi" exactly
  input.state.usage.total.committed_bytes = 24 * 1024 * kMi;
  const std::string html = render_status_page(input);
  EXPECT_THAT(html, HasSubstr("<span title=\"180506066944 bytes\">168.1Gi</span>"));
  EXPECT_THAT(html, HasSubstr("<span title=\"25769803776 bytes\">24Gi</span>"));
}

TEST(StatusPage, SaysSoWhenThereAreNoConfidentialNodes) {
  StatusPageInput input;
  input.version = "0.1.0";
  const std::string html = render_status_page(input);
  EXPECT_THAT(html, HasSubstr("No confidential nodes"));
  EXPECT_THAT(html, Not(HasSubstr("data-node=")));
}

TEST(StatusPage, ShowsConsolidationOnlyWhenItRuns) {
  StatusPageInput input = small_cluster_page();
  EXPECT_THAT(render_status_page(input), Not(HasSubstr("class=\"consolidation\"")));
  ConsolidationStatus status;
  status.enabled = true;
  status.leader = true;
  status.role = "leader";
  status.last_run_at = "2026-12-06T18:00:00Z";
  status.last_outcome = "drained 1 node(s), 2 eviction(s), 8Gi of EPC";
  status.draining = {"conf-<b>"};
  status.last_plan = {"conf-b: 2 pods (team/p1 to conf-a, team/p2 to conf-a), frees 8Gi of EPC"};
  status.evictions = 2;
  status.evictions_refused = 1;
  input.consolidation = status;
  const std::string html = render_status_page(input);
  EXPECT_THAT(opening_tag(html, "<section class=\"consolidation\""),
              HasSubstr("data-enabled=\"true\" data-dry-run=\"false\" data-leader=\"true\" "
                        "data-evictions=\"2\" data-refused=\"1\" data-failed=\"0\" "
                        "data-draining=\"1\""));
  EXPECT_THAT(html, HasSubstr("<li class=\"draining\">conf-&lt;b&gt;</li>"));
  EXPECT_THAT(html, HasSubstr("<li class=\"planned\">conf-b: 2 pods"));
  EXPECT_THAT(html, HasSubstr("drained 1 node(s), 2 eviction(s)"));
}

}  // namespace
}  // namespace epc
