// The API state source against the fake API server: sync, events, faults, convergence.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

#include "exposition.h"
#include "kube_test_support.h"
#include "scheduler/kube/api_state_source.h"
#include "scheduler/observability/extender_metrics.h"

namespace epc {
namespace {

using test::FakeApiServer;
using test::node_object;
using test::pod_object;
using test::wait_converged;
using test::wait_until;
using ::testing::HasSubstr;

constexpr int64_t kGi = int64_t{1} << 30;

ApiStateSourceOptions fast_options() {
  ApiStateSourceOptions options;
  options.client.request_timeout = std::chrono::seconds(5);
  options.client.watch_timeout = std::chrono::seconds(60);
  options.reflector.page_size = 3;
  options.reflector.watch_timeout = std::chrono::seconds(30);
  options.reflector.backoff = {std::chrono::milliseconds(50), std::chrono::milliseconds(500), 0.2};
  options.stale_after = std::chrono::seconds(1);
  return options;
}

class ApiSource : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.started()); }
  void TearDown() override {
    if (source_) source_->stop();
  }

  void start(ApiStateSourceOptions options = fast_options()) {
    KubeConnection connection;
    connection.server = server_.url();
    source_ = std::make_unique<ApiStateSource>(
        connection, state_,
        [this](std::string_view message) {
          std::lock_guard lock(log_mutex_);
          log_.emplace_back(message);
        },
        options);
    ASSERT_TRUE(source_->start());
  }

  bool wait_ready() {
    return wait_until([&] { return source_->readiness().ready; });
  }

  uint64_t total(uint64_t ReflectorStatus::*counter) const {
    return source_->status(ResourceKind::Nodes).*counter +
           source_->status(ResourceKind::Pods).*counter;
  }

  void add_cluster(int nodes, int pods_per_node) const {
    for (int n = 0; n < nodes; ++n) {
      const std::string node = "node-" + std::to_string(n);
      server_.put(node_object(node));
      for (int p = 0; p < pods_per_node; ++p) {
        server_.put(pod_object("ns", node + "-pod-" + std::to_string(p), "256Mi", node));
      }
    }
  }

  int64_t committed(const std::string& node) const {
    return state_.snapshot()->committed_bytes(node);
  }

  FakeApiServer server_;
  ClusterState state_{EpcResources::defaults()};
  std::unique_ptr<ApiStateSource> source_;
  std::mutex log_mutex_;
  std::vector<std::string> log_;
};

TEST_F(ApiSource, InitialSyncListsInPagesAndConverges) {
  add_cluster(7, 2);
  server_.put(pod_object("ns", "pending", "1Gi"));
  server_.put(pod_object("ns", "done", "1Gi", "node-0", "Succeeded"));
  start();
  ASSERT_TRUE(wait_ready()) << source_->readiness().reason;
  EXPECT_EQ(wait_converged(state_, server_), "");
  EXPECT_EQ(committed("node-0"), kGi / 2);
  EXPECT_EQ(state_.snapshot()->nodes().size(), 7u);

  int continued_node_pages = 0;
  int continued_pod_pages = 0;
  for (const auto& request : server_.requests()) {
    const std::string query = request.value("query", "");
    if (query.find("continue=") == std::string::npos) continue;
    if (request["path"] == "/api/v1/nodes") ++continued_node_pages;
    if (request["path"] == "/api/v1/pods") ++continued_pod_pages;
  }
  EXPECT_EQ(continued_node_pages, 2);  // 7 nodes in pages of 3
  EXPECT_EQ(continued_pod_pages, 5);   // 16 pods in pages of 3
}

TEST_F(ApiSource, EventsReachTheLedger) {
  add_cluster(1, 0);
  start();
  ASSERT_TRUE(wait_ready()) << source_->readiness().reason;

  server_.put(node_object("node-9", "16Gi"));
  server_.put(pod_object("ns", "a", "2Gi", "node-9"));
  server_.put(pod_object("ns", "b", "1Gi", "node-9"));
  EXPECT_EQ(wait_converged(state_, server_), "");
  EXPECT_EQ(committed("node-9"), 3 * kGi);

  // A pod that terminates releases its EPC while its object still exists.
  server_.put(pod_object("ns", "a", "2Gi", "node-9", "Succeeded"));
  EXPECT_EQ(wait_converged(state_, server_), "");
  EXPECT_EQ(committed("node-9"), kGi);

  server_.remove("Pod", "ns", "b");
  EXPECT_EQ(wait_converged(state_, server_), "");
  EXPECT_EQ(committed("node-9"), 0);

  server_.remove("Node", "", "node-9");
  EXPECT_EQ(wait_converged(state_, server_), "");
  EXPECT_EQ(state_.snapshot()->node("node-9"), nullptr);
  EXPECT_GE(total(&ReflectorStatus::events_applied), 5u);
}

TEST_F(ApiSource, UnreadablePodIsSkippedAndTheRestApplies) {
  add_cluster(1, 0);
  start();
  ASSERT_TRUE(wait_ready()) << source_->readiness().reason;
  server_.put(pod_object("ns", "bad", "12x", "node-0"));
  server_.put(pod_object("ns", "good", "1Gi", "node-0"));
  ASSERT_TRUE(wait_until([&] { return committed("node-0") == kGi; }));
  EXPECT_TRUE(wait_until([&] { return total(&ReflectorStatus::decode_errors) == 1; }));
  EXPECT_TRUE(source_->readiness().ready);
}

class CutWatch : public ApiSource, public ::testing::WithParamInterface<const char*> {};

TEST_P(CutWatch, NoEventIsLostOrDoubled) {
  add_cluster(2, 1);
  start();
  ASSERT_TRUE(wait_ready()) << source_->readiness().reason;
  server_.set_faults({{"cut_watch_mid_event", {{"count", 2}, {"mode", GetParam()}}}});
  for (int i = 0; i < 6; ++i) {
    server_.put(
        pod_object("ns", "p" + std::to_string(i), "128Mi", "node-" + std::to_string(i % 2)));
  }
  server_.put(pod_object("ns", "p0", "128Mi", "node-0", "Failed"));
  server_.remove("Pod", "ns", "p1");
  EXPECT_EQ(wait_converged(state_, server_), "");
  // Each cut breaks one watch, which resumes from its last complete event without a re-list.
  EXPECT_GE(total(&ReflectorStatus::watch_restarts), 2u);
  EXPECT_EQ(total(&ReflectorStatus::relists), 0u);
}

INSTANTIATE_TEST_SUITE_P(Modes, CutWatch, ::testing::Values("truncate_chunk", "partial_line"));

TEST_F(ApiSource, GoneAsHttpStatusMeansRelist) {
  add_cluster(2, 1);
  start();
  ASSERT_TRUE(wait_ready()) << source_->readiness().reason;
  server_.set_faults({{"watch_gone_status", 2}});
  server_.close_watches("clean");
  server_.put(pod_object("ns", "late", "1Gi", "node-1"));
  EXPECT_TRUE(wait_until([&] { return total(&ReflectorStatus::relists) >= 2; }));
  EXPECT_EQ(wait_converged(state_, server_), "");
  EXPECT_TRUE(wait_ready()) << source_->readiness().reason;
}

TEST_F(ApiSource, GoneAsErrorEventMeansRelist) {
  add_cluster(2, 1);
  start();
  ASSERT_TRUE(wait_ready()) << source_->readiness().reason;
  server_.set_faults({{"watch_gone_event", 2}});
  server_.close_watches("abrupt");
  server_.remove("Pod", "ns", "node-0-pod-0");
  server_.put(pod_object("ns", "late", "1Gi", "node-1"));
  EXPECT_TRUE(wait_until([&] { return total(&ReflectorStatus::relists) >= 2; }));
  EXPECT_EQ(wait_converged(state_, server_), "");
}

// The watch metric families follow the reflectors: events, restarts, re-lists, the last event's
// age.
TEST_F(ApiSource, WatchMetricsFollowTheReflectors) {
  add_cluster(2, 1);
  start();
  ASSERT_TRUE(wait_ready()) << source_->readiness().reason;
  const ExtenderMetrics metrics("test", {.watches = [this] { return source_->watches(); }});
  const auto pods = [&](const char* name) {
    return test::sample_value(metrics.exposition(), name, {{"resource", "pods"}}).value_or(-1);
  };
  const double events = pods("epc_extender_watch_events_total");
  const double relists = pods("epc_extender_watch_relists_total");
  const double restarts = pods("epc_extender_watch_restarts_total");
  EXPECT_TRUE(wait_until([&] { return pods("epc_extender_watch_open") == 1; }));

  server_.put(pod_object("ns", "new", "1Gi", "node-1"));
  EXPECT_TRUE(wait_until([&] { return pods("epc_extender_watch_events_total") > events; }));
  const double age = pods("epc_extender_watch_seconds_since_last_event");
  EXPECT_GE(age, 0);
  EXPECT_LT(age, 60);

  server_.set_faults({{"watch_gone_status", 2}});
  server_.close_watches("clean");
  server_.put(pod_object("ns", "late", "1Gi", "node-1"));
  EXPECT_TRUE(wait_until([&] { return pods("epc_extender_watch_relists_total") > relists; }));
  EXPECT_GT(pods("epc_extender_watch_restarts_total"), restarts);
}

TEST_F(ApiSource, CompactedHistoryMeansRelist) {
  add_cluster(1, 1);
  ApiStateSourceOptions options = fast_options();
  start(options);
  ASSERT_TRUE(wait_ready()) << source_->readiness().reason;
  // Changes the reflector cannot see (its watches are down), then the history is dropped.
  server_.set_faults({{"down", true}});
  server_.put(pod_object("ns", "unseen", "1Gi", "node-0"));
  server_.control_post("compact", {{"keep", 0}});
  server_.set_faults({{"down", false}});
  EXPECT_EQ(wait_converged(state_, server_), "");
  EXPECT_EQ(committed("node-0"), kGi + kGi / 4);
  EXPECT_GE(total(&ReflectorStatus::relists), 1u);
}

TEST_F(ApiSource, ExpiredContinueTokenMeansAFullList) {
  add_cluster(7, 0);
  server_.set_faults({{"page_expire", 1}});
  start();
  ASSERT_TRUE(wait_ready()) << source_->readiness().reason;
  EXPECT_EQ(wait_converged(state_, server_), "");
  bool expired = false;
  bool unpaged_after = false;
  for (const auto& request : server_.requests()) {
    const std::string query = request.value("query", "");
    if (request.value("status", 0) == 410) expired = true;
    if (expired && request["path"] == "/api/v1/nodes" &&
        query.find("limit=") == std::string::npos && query.find("watch") == std::string::npos) {
      unpaged_after = true;
    }
  }
  EXPECT_TRUE(expired);
  EXPECT_TRUE(unpaged_after);
}

TEST_F(ApiSource, NotReadyWhileTheApiIsDownAtStartThenReady) {
  add_cluster(2, 2);
  server_.set_faults({{"down", true}});
  start();
  ASSERT_TRUE(wait_until([&] { return !source_->status(ResourceKind::Pods).last_error.empty(); }));
  const Readiness down = source_->readiness();
  EXPECT_FALSE(down.ready);
  EXPECT_THAT(down.reason, HasSubstr("waiting for the first list of nodes"));
  EXPECT_THAT(down.reason, HasSubstr("waiting for the first list of pods"));

  server_.set_faults({{"down", false}});
  EXPECT_TRUE(wait_ready()) << source_->readiness().reason;
  EXPECT_EQ(wait_converged(state_, server_), "");
}

TEST_F(ApiSource, StaleWhileTheWatchKeepsFailingThenRecovers) {
  add_cluster(1, 1);
  start();
  ASSERT_TRUE(wait_ready()) << source_->readiness().reason;
  server_.set_faults({{"down", true}});
  ASSERT_TRUE(wait_until([&] { return !source_->readiness().ready; }));
  EXPECT_THAT(source_->readiness().reason, HasSubstr("watch failing since"));

  server_.set_faults({{"down", false}});
  server_.put(pod_object("ns", "after", "1Gi", "node-0"));
  EXPECT_TRUE(wait_ready()) << source_->readiness().reason;
  EXPECT_EQ(wait_converged(state_, server_), "");
}

TEST_F(ApiSource, StopIsPromptWithAWatchOpen) {
  add_cluster(1, 0);
  start();
  ASSERT_TRUE(wait_until([&] { return source_->status(ResourceKind::Pods).watching; }));
  source_->stop();
  EXPECT_FALSE(source_->status(ResourceKind::Pods).watching);
  // The watches' connections were closed, not left for the server to time out.
  EXPECT_TRUE(wait_until([&] { return server_.control_get("state")["watchers"] == 0; }));
}

}  // namespace
}  // namespace epc
