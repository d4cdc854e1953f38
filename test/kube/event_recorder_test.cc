// EventRecorder against the fake API server: the Events it creates, one per pod per interval, the
// token bucket over all Events, and failures that are counted and logged without blocking.
// gtest first: cpprestsdk defines a macro U that breaks gtest's templates when included before.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/kube/event_recorder.h"

#include <atomic>
#include <mutex>
#include <regex>
#include <set>
#include <vector>

#include "fake_api_client.h"
#include "kube_test_support.h"
#include "scheduler/kube/pod_event.h"

namespace epc {
namespace {

using test::FakeApiServer;
using test::wait_until;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

Decision unschedulable(const std::string& pod, const std::string& ns = "ns") {
  Decision decision;
  decision.verb = Verb::kFilter;
  decision.outcome = Outcome::kUnschedulable;
  decision.pod_namespace = ns;
  decision.pod_name = pod;
  decision.pod_uid = "uid-" + pod;
  decision.nodes_considered = 12;
  decision.rejected = {
      {"confpool", FitCause::kInsufficientEpc, 4,
       "conf-1: insufficient sgx.intel.com/epc: requested 64Mi, free 32Mi of 128Mi"},
      {"general", FitCause::kNoEpc, 8, "gen-1: no sgx.intel.com/epc"}};
  decision.at = std::chrono::system_clock::from_time_t(1714564800);
  return decision;
}

class EventRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    client_ = test::fake_api_client(server_);
    ASSERT_NE(client_, nullptr);
  }

  std::unique_ptr<EventRecorder> make_recorder(EventRecorderOptions options = {}) {
    options.clock = [this] { return Clock::time_point(std::chrono::nanoseconds(now_ns_.load())); };
    options.reporting_instance = "extender-0";
    return std::make_unique<EventRecorder>(
        *client_,
        [this](std::string_view line) {
          std::lock_guard lock(mutex_);
          log_.emplace_back(line);
        },
        options);
  }

  void advance(Clock::duration by) {
    now_ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(by).count();
  }

  // The Events the server holds in `ns`, in creation order.
  nlohmann::json events(const std::string& ns = "ns") const {
    const ApiResponse listed = client_->get("/api/v1/namespaces/" + ns + "/events").get();
    EXPECT_TRUE(listed.ok()) << listed.describe();
    return listed.ok() ? nlohmann::json::parse(listed.body)["items"] : nlohmann::json::array();
  }

  // POSTs to the events resource the server has seen.
  size_t event_posts() const {
    size_t posts = 0;
    for (const auto& request : server_.requests()) {
      if (request["method"] == "POST" && request["path"].get<std::string>().ends_with("/events")) {
        ++posts;
      }
    }
    return posts;
  }

  std::vector<std::string> log() {
    std::lock_guard lock(mutex_);
    return log_;
  }

  FakeApiServer server_;
  std::unique_ptr<ApiClient> client_;
  std::atomic<int64_t> now_ns_{std::chrono::nanoseconds(std::chrono::hours(1)).count()};
  std::mutex mutex_;
  std::vector<std::string> log_;
};

TEST_F(EventRecorderTest, AnUnschedulablePodGetsOneWarningWithTheSummary) {
  auto recorder = make_recorder();
  const Decision decision = unschedulable("p1");
  recorder->observe(decision);
  ASSERT_TRUE(wait_until([&] { return recorder->stats().posted == 1; }));

  const nlohmann::json items = events();
  ASSERT_EQ(items.size(), 1u);
  const nlohmann::json& event = items[0];
  EXPECT_EQ(event["involvedObject"], nlohmann::json({{"apiVersion", "v1"},
                                                     {"kind", "Pod"},
                                                     {"namespace", "ns"},
                                                     {"name", "p1"},
                                                     {"uid", "uid-p1"}}));
  EXPECT_EQ(event["type"], "Warning");
  EXPECT_EQ(event["reason"], "EPCUnschedulable");
  EXPECT_EQ(event["message"], describe_rejections(decision));
  EXPECT_THAT(event["message"].get<std::string>(),
              HasSubstr("0/12 nodes fit: 4 insufficient_epc in pool confpool (e.g. conf-1: "));
  EXPECT_EQ(event["source"]["component"], "epc-extender");
  EXPECT_EQ(event["reportingComponent"], "epc-extender");
  EXPECT_EQ(event["reportingInstance"], "extender-0");
  EXPECT_EQ(event["firstTimestamp"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(event["count"], 1);
  // The server validates the name as a DNS subdomain; the shape is client-go's.
  const std::string name = event["metadata"]["name"];
  EXPECT_TRUE(std::regex_match(name, std::regex(R"(p1\.[0-9a-f]{16})"))) << name;
  EXPECT_EQ(event["metadata"]["namespace"], "ns");
  EXPECT_EQ(recorder->stats().failed, 0u);
  EXPECT_TRUE(log().empty());
}

TEST_F(EventRecorderTest, OnePerPodPerInterval) {
  EventRecorderOptions options;
  options.per_pod_interval = std::chrono::minutes(5);
  auto recorder = make_recorder(options);
  recorder->observe(unschedulable("p1"));
  ASSERT_TRUE(wait_until([&] { return recorder->stats().posted == 1; }));

  advance(std::chrono::minutes(4));
  recorder->observe(unschedulable("p1"));
  EXPECT_EQ(recorder->stats().suppressed_per_pod, 1u);
  recorder->observe(unschedulable("p1", "other-ns"));  // another pod: not suppressed
  ASSERT_TRUE(wait_until([&] { return recorder->stats().posted == 2; }));
  EXPECT_EQ(events().size(), 1u);
  EXPECT_EQ(events("other-ns").size(), 1u);

  advance(std::chrono::minutes(1));
  recorder->observe(unschedulable("p1"));
  ASSERT_TRUE(wait_until([&] { return recorder->stats().posted == 3; }));
  const nlohmann::json items = events();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_NE(items[0]["metadata"]["name"], items[1]["metadata"]["name"]);
  EXPECT_EQ(event_posts(), 3u);
  EXPECT_EQ(recorder->stats().suppressed_per_pod, 1u);
}

TEST_F(EventRecorderTest, TheTokenBucketDropsBeyondTheBurstAndRefills) {
  EventRecorderOptions options;
  options.qps = 1;
  options.burst = 3;
  auto recorder = make_recorder(options);
  for (int i = 0; i < 5; ++i) recorder->observe(unschedulable("p" + std::to_string(i)));
  EXPECT_EQ(recorder->stats().dropped_rate_limited, 2u);
  ASSERT_TRUE(wait_until([&] { return recorder->stats().posted == 3; }));

  advance(std::chrono::seconds(1));
  // p3 was dropped, not remembered: its next rejection gets the one new token.
  recorder->observe(unschedulable("p3"));
  recorder->observe(unschedulable("p4"));
  EXPECT_EQ(recorder->stats().dropped_rate_limited, 3u);
  ASSERT_TRUE(wait_until([&] { return recorder->stats().posted == 4; }));
  std::set<std::string> pods;  // concurrent POSTs arrive in any order
  for (const auto& event : events()) pods.insert(event["involvedObject"]["name"]);
  EXPECT_EQ(pods, (std::set<std::string>{"p0", "p1", "p2", "p3"}));
  EXPECT_EQ(recorder->stats().suppressed_per_pod, 0u);
}

TEST_F(EventRecorderTest, RecordedEventsSkipThePerPodIntervalButNotTheRate) {
  EventRecorderOptions options;
  options.burst = 2;
  auto recorder = make_recorder(options);
  PodEvent evicted{"ns", "p1", "uid-p1", "ConsolidationEviction", "evicted to empty node a"};
  evicted.type = "Normal";
  recorder->record(evicted);
  recorder->record(evicted);  // consolidation's Events each report a change: both go out
  recorder->record(evicted);
  ASSERT_TRUE(wait_until([&] { return recorder->stats().posted == 2; }));
  EXPECT_EQ(recorder->stats().suppressed_per_pod, 0u);
  EXPECT_EQ(recorder->stats().dropped_rate_limited, 1u);
  const nlohmann::json items = events();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["type"], "Normal");
  EXPECT_EQ(items[0]["reason"], "ConsolidationEviction");
}

TEST_F(EventRecorderTest, NoEventForNotReadySuccessOrOtherVerbs) {
  auto recorder = make_recorder();
  Decision not_ready = unschedulable("p1");
  not_ready.outcome = Outcome::kError;
  not_ready.message = "epc-extender is not ready: nodes not listed yet";
  not_ready.rejected.clear();
  recorder->observe(not_ready);
  Decision fits = unschedulable("p2");
  fits.outcome = Outcome::kSuccess;
  fits.nodes_passing = 1;
  recorder->observe(fits);
  Decision bind = unschedulable("p3");
  bind.verb = Verb::kBind;
  bind.outcome = Outcome::kError;
  bind.message = "pod p3 is already assigned";
  recorder->observe(bind);

  // The next Event that does go out shows that none was queued before it.
  Decision unreadable = unschedulable("p4");
  unreadable.outcome = Outcome::kError;
  unreadable.message = "pod ns/p4: invalid quantity \"12x\" in sgx.intel.com/epc";
  recorder->observe(unreadable);
  ASSERT_TRUE(wait_until([&] { return recorder->stats().posted == 1; }));
  const nlohmann::json items = events();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["involvedObject"]["name"], "p4");
  EXPECT_EQ(items[0]["reason"], "InvalidEPCRequest");
  EXPECT_EQ(items[0]["message"], unreadable.message);
  EXPECT_EQ(event_posts(), 1u);
  const EventRecorderStats stats = recorder->stats();
  EXPECT_EQ(stats.suppressed_per_pod + stats.dropped_rate_limited + stats.failed, 0u);
}

TEST_F(EventRecorderTest, FailuresAreCountedAndLoggedOncePerInterval) {
  EventRecorderOptions options;
  options.log_interval = std::chrono::minutes(1);
  auto recorder = make_recorder(options);
  server_.set_faults({{"event_fail", {{"status", 403}, {"count", "always"}}}});
  for (int i = 0; i < 3; ++i) recorder->observe(unschedulable("p" + std::to_string(i)));
  ASSERT_TRUE(wait_until([&] { return recorder->stats().failed == 3; }));
  ASSERT_EQ(log().size(), 1u);
  EXPECT_THAT(log()[0], HasSubstr("could not create event ns/p"));
  EXPECT_THAT(log()[0], HasSubstr("HTTP 403"));

  advance(std::chrono::minutes(1));
  server_.set_faults({{"event_fail", false}, {"down", true}});  // connections closed
  recorder->observe(unschedulable("p3"));
  ASSERT_TRUE(wait_until([&] { return recorder->stats().failed == 4; }));
  ASSERT_EQ(log().size(), 2u);
  EXPECT_THAT(log()[1], HasSubstr("(and 2 more Events since the last report)"));
  EXPECT_EQ(recorder->stats().posted, 0u);
}

TEST_F(EventRecorderTest, ObserveReturnsBeforeTheServerAnswers) {
  auto recorder = make_recorder();
  server_.set_faults({{"delay_ms", {{"ms", 2000}, {"resource", "events"}}}});
  const auto started = Clock::now();
  recorder->observe(unschedulable("p1"));
  const auto took = Clock::now() - started;
  EXPECT_LT(took, std::chrono::milliseconds(500));
  EXPECT_EQ(recorder->stats().posted, 0u);
  ASSERT_TRUE(wait_until([&] { return recorder->stats().posted == 1; }));
}

TEST_F(EventRecorderTest, MemoryIsBoundedByForgettingTheOldestPods) {
  EventRecorderOptions options;
  options.max_pods = 2;
  auto recorder = make_recorder(options);
  for (const char* pod : {"p1", "p2", "p3"}) recorder->observe(unschedulable(pod));
  ASSERT_TRUE(wait_until([&] { return recorder->stats().posted == 3; }));
  recorder->observe(unschedulable("p3"));  // still remembered
  EXPECT_EQ(recorder->stats().suppressed_per_pod, 1u);
  recorder->observe(unschedulable("p1"));  // forgotten to make room: a second Event
  ASSERT_TRUE(wait_until([&] { return recorder->stats().posted == 4; }));
}

TEST_F(EventRecorderTest, TheLongestPodNameStillYieldsAValidName) {
  auto recorder = make_recorder();
  const std::string label(63, 'a');
  const std::string longest = label + "." + label + "." + label + "." + std::string(61, 'b');
  recorder->observe(unschedulable(longest));
  ASSERT_TRUE(wait_until([&] { return recorder->stats().posted == 1; }));
  const std::string name = events()[0]["metadata"]["name"];
  EXPECT_LE(name.size(), 253u);
  EXPECT_EQ(recorder->stats().failed, 0u);
}

}  // namespace
}  // namespace epc
