// Every metric family of /metrics, changed through real calls over loopback HTTP or a real state
// change, and the whole exposition checked by promtool.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "config/config_watcher.h"
#include "exposition.h"
#include "model/cluster_state.h"
#include "scheduler/extender/extender_service.h"
#include "scheduler/http/http_server.h"
#include "scheduler/observability/observability.h"
#include "test_http_client.h"

namespace epc {
namespace {

using test::HttpResponse;
using test::sample_value;

constexpr double kMi = 1 << 20;

Node node(const std::string& name, const std::string& epc, const std::string& pool) {
  Node result;
  result.name = name;
  result.readiness = NodeReadiness::Ready;
  result.allocatable = {{"cpu", "8"}};
  if (!epc.empty()) result.allocatable.push_back({"sgx.intel.com/epc", epc});
  result.labels = {{"agentpool", pool}};
  return result;
}

std::string pod_json(const std::string& name, const std::string& epc) {
  return R"({"metadata":{"name":")" + name + R"(","namespace":"default","uid":"uid-)" + name +
         R"("},"spec":{"containers":[{"name":"c","resources":{"requests":{"sgx.intel.com/epc":")" +
         epc + R"("}}}]},"status":{"phase":"Pending"}})";
}

std::string filter_body(const std::string& pod, const std::string& epc, const std::string& names) {
  return R"({"Pod":)" + pod_json(pod, epc) + R"(,"Nodes":null,"NodeNames":)" + names + "}";
}

std::string bind_body(const std::string& pod, const std::string& node) {
  return R"({"PodName":")" + pod + R"(","PodNamespace":"default","PodUID":"uid-)" + pod +
         R"(","Node":")" + node + R"("})";
}

// Creates Bindings, or refuses them while `refuse` is set (as an API server would).
class SwitchableBinder : public PodBinder {
 public:
  void bind(const BindingArgs&, Done done) const override {
    if (refuse) return done(BindError{"HTTP 409: conflict", BindFailure::kRefused});
    done(std::nullopt);
  }
  std::atomic<bool> refuse = false;
};

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_.modify([](EpcLedger& ledger) {
      ledger.upsert_node(node("conf-a", "128Mi", "confpool"));
      ledger.upsert_node(node("conf-b", "64Mi", "confpool"));
      ledger.upsert_node(node("big", "1Gi", "bigpool"));
      ledger.upsert_node(node("general-1", "", "general"));
    });
    ASSERT_TRUE(server_.start().ok());
  }

  HttpResponse call(std::string_view path, const std::string& body) {
    Result<HttpResponse> response =
        test::send_request(server_.port(), test::post_request(path, body));
    EXPECT_TRUE(response.ok()) << (response ? "" : response.error().message);
    return response ? *response : HttpResponse{};
  }

  std::string scrape() {
    Result<HttpResponse> response =
        test::send_request(server_.port(), test::get_request("/metrics"));
    EXPECT_TRUE(response.ok());
    if (!response) return {};
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->header("content-type"), ExtenderMetrics::kContentType);
    return response->body;
  }

  double value(std::string_view name, const std::map<std::string, std::string>& labels = {}) {
    const std::optional<double> found = sample_value(scrape(), name, labels);
    EXPECT_TRUE(found.has_value()) << name;
    return found.value_or(-1);
  }

  std::shared_ptr<const PlacementPolicy> policy_ = [] {
    auto policy = std::make_shared<PlacementPolicy>();
    policy->pool_label_key = "agentpool";
    return std::shared_ptr<const PlacementPolicy>(std::move(policy));
  }();
  std::atomic<bool> ready_ = true;
  ClusterState state_{EpcResources::defaults()};
  Observability observability_{state_,
                               {.version = "9.9.9-test",
                                .policy = [this] { return policy_; },
                                .readiness =
                                    [this] {
                                      return Readiness{ready_.load(), "test"};
                                    },
                                // Read at scrape time only, when server_ exists.
                                .connections = [this] { return server_.connections(); }}};
  std::shared_ptr<SwitchableBinder> binder_ = std::make_shared<SwitchableBinder>();
  ExtenderService service_{
      state_,
      [this] { return policy_; },
      {.readiness =
           [this] {
             return Readiness{ready_.load(), "test"};
           },
       .binder = binder_,
       .observe = [this](const Decision& d) { observability_.observe_decision(d); }}};
  HttpServer server_{{.host = "127.0.0.1",
                      .port = 0,
                      .pages = observability_.pages(),
                      .on_verb_reply =
                          [this](Verb verb, Outcome outcome, std::chrono::duration<double> took) {
                            observability_.observe_reply(verb, outcome, took);
                          }},
                     service_};
};

TEST_F(MetricsTest, RequestsAndDurationsCountEachCallByVerbAndOutcome) {
  const auto requests = [&](const char* verb, const char* outcome) {
    return value("epc_extender_requests_total", {{"verb", verb}, {"outcome", outcome}});
  };
  EXPECT_EQ(requests("filter", "success"), 0);
  EXPECT_EQ(call("/filter", filter_body("fits", "32Mi", R"(["conf-a"])")).status, 200);
  EXPECT_EQ(call("/filter", filter_body("huge", "2Gi", R"(["conf-a","big"])")).status, 200);
  EXPECT_EQ(call("/filter", "{").status, 400);
  EXPECT_EQ(call("/prioritize", filter_body("fits", "32Mi", R"(["conf-a"])")).status, 200);
  ready_ = false;
  EXPECT_EQ(call("/filter", filter_body("later", "32Mi", R"(["conf-a"])")).status, 200);

  EXPECT_EQ(requests("filter", "success"), 1);
  EXPECT_EQ(requests("filter", "unschedulable"), 1);
  EXPECT_EQ(requests("filter", "invalid"), 1);
  EXPECT_EQ(requests("filter", "error"), 1);
  EXPECT_EQ(requests("prioritize", "success"), 1);
  EXPECT_EQ(requests("bind", "success"), 0);
  EXPECT_EQ(value("epc_extender_request_duration_seconds_count",
                  {{"verb", "filter"}, {"outcome", "unschedulable"}}),
            1);
  EXPECT_EQ(value("epc_extender_request_duration_seconds_bucket",
                  {{"verb", "filter"}, {"outcome", "success"}, {"le", "+Inf"}}),
            1);
  EXPECT_GT(value("epc_extender_request_duration_seconds_sum",
                  {{"verb", "filter"}, {"outcome", "success"}}),
            0);
}

TEST_F(MetricsTest, NodesConsideredAndRejectedByReason) {
  call("/filter", filter_body("p", "100Mi", R"(["conf-a","conf-b","general-1","ghost"])"));
  EXPECT_EQ(value("epc_extender_nodes_considered_total", {{"verb", "filter"}}), 4);
  EXPECT_EQ(value("epc_extender_nodes_rejected_total", {{"reason", "epc_too_small"}}), 1);
  EXPECT_EQ(value("epc_extender_nodes_rejected_total", {{"reason", "no_epc"}}), 1);
  EXPECT_EQ(value("epc_extender_nodes_rejected_total", {{"reason", "unknown_node"}}), 1);
  EXPECT_EQ(value("epc_extender_nodes_rejected_total", {{"reason", "insufficient_epc"}}), 0);

  call("/prioritize", filter_body("p", "100Mi", R"(["conf-a","big"])"));
  EXPECT_EQ(value("epc_extender_nodes_considered_total", {{"verb", "prioritize"}}), 2);
}

TEST_F(MetricsTest, EpcGaugesFollowReservationsAndBinds) {
  EXPECT_EQ(value("epc_extender_node_epc_capacity_bytes", {{"node", "conf-a"}}), 128 * kMi);
  EXPECT_EQ(value("epc_extender_node_epc_free_bytes", {{"node", "conf-a"}}), 128 * kMi);
  EXPECT_EQ(value("epc_extender_pool_epc_capacity_bytes", {{"pool", "confpool"}}), 192 * kMi);
  EXPECT_EQ(value("epc_extender_pool_nodes", {{"pool", "confpool"}}), 2);
  EXPECT_EQ(value("epc_extender_general_nodes"), 1);
  EXPECT_FALSE(
      sample_value(scrape(), "epc_extender_node_epc_capacity_bytes", {{"node", "general-1"}}));

  // The only node left holds the pod's EPC until the bind.
  call("/filter", filter_body("p1", "32Mi", R"(["conf-a","general-1"])"));
  EXPECT_EQ(value("epc_extender_node_epc_reserved_bytes", {{"node", "conf-a"}}), 32 * kMi);
  EXPECT_EQ(value("epc_extender_node_epc_free_bytes", {{"node", "conf-a"}}), 96 * kMi);

  EXPECT_EQ(call("/bind", bind_body("p1", "conf-a")).status, 200);
  EXPECT_EQ(value("epc_extender_node_epc_committed_bytes", {{"node", "conf-a"}}), 32 * kMi);
  EXPECT_EQ(value("epc_extender_node_epc_reserved_bytes", {{"node", "conf-a"}}), 0);
  EXPECT_EQ(value("epc_extender_node_epc_pods", {{"node", "conf-a"}}), 1);
  EXPECT_EQ(value("epc_extender_pool_epc_committed_bytes", {{"pool", "confpool"}}), 32 * kMi);
  EXPECT_EQ(value("epc_extender_pool_epc_free_bytes", {{"pool", "confpool"}}), 160 * kMi);
  EXPECT_EQ(value("epc_extender_pool_epc_pods", {{"pool", "confpool"}}), 1);
}

TEST_F(MetricsTest, BindConflictsAndRollbacks) {
  call("/filter", filter_body("p1", "100Mi", R"(["conf-a"])"));
  binder_->refuse = true;
  call("/bind", bind_body("p1", "conf-a"));
  EXPECT_EQ(value("epc_extender_bind_rollbacks_total"), 1);
  EXPECT_EQ(value("epc_extender_node_epc_committed_bytes", {{"node", "conf-a"}}), 0);

  binder_->refuse = false;
  call("/bind", bind_body("p1", "conf-a"));
  call("/filter", filter_body("p2", "100Mi", R"(["big"])"));
  call("/bind", bind_body("p2", "conf-a"));  // 28Mi left there
  EXPECT_EQ(value("epc_extender_bind_conflicts_total"), 1);
  EXPECT_EQ(value("epc_extender_requests_total", {{"verb", "bind"}, {"outcome", "error"}}), 2);
}

TEST_F(MetricsTest, RechecksAndTheWaitsOfPodsTurnedAway) {
  const auto filter = [](Outcome outcome, int64_t at_seconds, RecheckOutcome recheck, size_t reads,
                         size_t failures) {
    Decision decision;
    decision.verb = Verb::kFilter;
    decision.outcome = outcome;
    decision.pod_namespace = "default";
    decision.pod_name = "p";
    decision.epc_bytes = 1 << 20;
    decision.at = std::chrono::system_clock::time_point(std::chrono::seconds(at_seconds));
    decision.recheck = {recheck, reads, failures, std::chrono::milliseconds(4)};
    return decision;
  };
  observability_.observe_decision(
      filter(Outcome::kUnschedulable, 100, RecheckOutcome::kConfirmed, 3, 1));
  observability_.observe_decision(filter(Outcome::kSuccess, 102, RecheckOutcome::kReversed, 2, 0));
  EXPECT_EQ(value("epc_extender_rechecks_total", {{"outcome", "confirmed"}}), 1);
  EXPECT_EQ(value("epc_extender_rechecks_total", {{"outcome", "reversed"}}), 1);
  EXPECT_EQ(value("epc_extender_rechecks_total", {{"outcome", "failed"}}), 0);
  EXPECT_EQ(value("epc_extender_recheck_reads_total"), 5);
  EXPECT_EQ(value("epc_extender_recheck_read_failures_total"), 1);
  EXPECT_EQ(value("epc_extender_recheck_duration_seconds_count"), 2);
  EXPECT_EQ(value("epc_extender_turned_away_wait_seconds_count"), 1);
  EXPECT_EQ(value("epc_extender_turned_away_wait_seconds_sum"), 2);
}

TEST_F(MetricsTest, ReadyFollowsTheStateSource) {
  EXPECT_EQ(value("epc_extender_ready"), 1);
  ready_ = false;
  EXPECT_EQ(value("epc_extender_ready"), 0);
}

TEST_F(MetricsTest, BuildInfoCarriesTheVersion) {
  EXPECT_EQ(value("epc_extender_build_info", {{"version", "9.9.9-test"}}), 1);
}

TEST(ConfigReloadMetrics, CountAppliedAndRefusedFiles) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("epc-metrics-config-" + std::to_string(getpid()));
  const auto write = [&](const std::string& text) { std::ofstream(file) << text; };
  write("apiVersion: epc-extender.io/v1alpha1\nkind: ScoringConfig\n");
  Result<std::unique_ptr<ConfigWatcher>> watcher = ConfigWatcher::open(file.string(), {});
  ASSERT_TRUE(watcher.ok()) << watcher.error().message;
  ClusterState state(EpcResources::defaults());
  Observability observability(
      state, {.config_reloads = [&] {
        return ConfigReloadCounts{(*watcher)->generation(), (*watcher)->failures()};
      }});
  const auto reloads = [&](const char* result) {
    return sample_value(observability.metrics().exposition(), "epc_extender_config_reloads_total",
                        {{"result", result}});
  };
  EXPECT_EQ(reloads("success"), 0);
  write("apiVersion: epc-extender.io/v1alpha1\nkind: ScoringConfig\nstrategy:\n  type: spread\n");
  EXPECT_TRUE((*watcher)->reload().ok());
  write("apiVersion: epc-extender.io/v1alpha1\nkind: ScoringConfig\nstrategy:\n  type: nope\n");
  EXPECT_FALSE((*watcher)->reload().ok());
  EXPECT_EQ(reloads("success"), 1);
  EXPECT_EQ(reloads("failure"), 1);
  std::filesystem::remove(file);
}

TEST(ConsolidationMetrics, ReadTheLoopsStatusAtScrapeTime) {
  ClusterState state(EpcResources::defaults());
  ConsolidationStatus status;
  Observability observability(state, {.consolidation = [&] { return status; }});
  const auto value = [&](const char* name, std::map<std::string, std::string> labels = {}) {
    return sample_value(observability.metrics().exposition(), name, labels);
  };
  EXPECT_EQ(value("epc_extender_consolidation_leader"), 0);
  status.leader = true;
  status.runs_completed = 3;
  status.runs_failed = 1;
  status.planned_evictions = 5;
  status.evictions = 4;
  status.evictions_refused = 1;
  status.drains_started = 2;
  status.draining = {"a", "b"};
  EXPECT_EQ(value("epc_extender_consolidation_leader"), 1);
  EXPECT_EQ(value("epc_extender_consolidation_runs_total", {{"result", "completed"}}), 3);
  EXPECT_EQ(value("epc_extender_consolidation_runs_total", {{"result", "failed"}}), 1);
  EXPECT_EQ(value("epc_extender_consolidation_planned_evictions_total"), 5);
  EXPECT_EQ(value("epc_extender_consolidation_evictions_total", {{"result", "evicted"}}), 4);
  EXPECT_EQ(value("epc_extender_consolidation_evictions_total", {{"result", "refused"}}), 1);
  EXPECT_EQ(value("epc_extender_consolidation_drains_total", {{"event", "started"}}), 2);
  EXPECT_EQ(value("epc_extender_consolidation_draining_nodes"), 2);
  // Without the loop there are no consolidation series at all.
  Observability without(state, {});
  EXPECT_EQ(sample_value(without.metrics().exposition(), "epc_extender_consolidation_leader"),
            std::nullopt);
}

// The reaper's counts as the binary wires them: a silent connection closed as idle, and the open
// gauge as of the last check.
TEST(ConnectionMetrics, CountConnectionsClosedForOverstaying) {
  ClusterState state(EpcResources::defaults());
  const ExtenderService service(state, [] { return std::make_shared<const PlacementPolicy>(); });
  std::atomic<const HttpServer*> listening = nullptr;
  Observability observability(
      state, {.connections = [&listening] { return listening.load()->connections(); }});
  HttpServer server({.host = "127.0.0.1",
                     .port = 0,
                     .connection_limits = {.idle_timeout = std::chrono::milliseconds(300),
                                           .check_interval = std::chrono::milliseconds(100)}},
                    service);
  ASSERT_TRUE(server.start().ok());
  listening = &server;
  const auto closed = [&](const char* reason) {
    return sample_value(observability.metrics().exposition(),
                        "epc_extender_connections_closed_total", {{"reason", reason}});
  };
  EXPECT_EQ(closed("idle"), 0);

  test::TestConnection silent(server.port(), std::chrono::seconds(5));
  ASSERT_TRUE(silent.closed_by_peer());
  for (int i = 0; i < 100 && closed("idle") != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // counted after its scan
  }
  EXPECT_EQ(closed("idle"), 1);
  EXPECT_EQ(closed("read_timeout"), 0);
  EXPECT_EQ(closed("over_limit"), 0);
  test::TestConnection open(server.port());
  for (int i = 0; i < 100 && sample_value(observability.metrics().exposition(),
                                          "epc_extender_connections_open", {}) != 1;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(sample_value(observability.metrics().exposition(), "epc_extender_connections_open", {}),
            1);
}

// promtool's metrics linter: names, units, suffixes, help texts and the format itself.
TEST_F(MetricsTest, ExpositionPassesPromtool) {
  call("/filter", filter_body("p1", "32Mi", R"(["conf-a","general-1","ghost"])"));
  call("/bind", bind_body("p1", "conf-a"));
  Observability with_sources(state_,
                             {.version = "1.0.0",
                              .watches =
                                  [] {
                                    return std::vector<WatchStatus>{{"nodes", true, 1, 2, 3, {}}};
                                  },
                              .config_reloads =
                                  [] {
                                    return ConfigReloadCounts{1, 1};
                                  },
                              .events =
                                  [] {
                                    return EventCounts{1, 2, 3, 4};
                                  }});
  // Every family at once: the request families are there (all at zero) beside the scraped ones.
  const std::string exposition = with_sources.metrics().exposition();
  ASSERT_TRUE(
      sample_value(exposition, "epc_extender_watch_relists_total", {{"resource", "nodes"}}));
  ASSERT_TRUE(
      sample_value(exposition, "epc_extender_node_epc_committed_bytes", {{"node", "conf-a"}}));

  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("epc-metrics-" + std::to_string(getpid()) + ".txt");
  std::ofstream(file) << exposition;
  const std::string command = "promtool check metrics < " + file.string() + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (size_t read = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, read);
  const int status = pclose(pipe);
  std::filesystem::remove(file);
  EXPECT_EQ(status, 0) << "promtool (from Debian's prometheus package; dev/install-deps installs "
                          "it) found problems:\n"
                       << output;
  EXPECT_EQ(output, "");
}

}  // namespace
}  // namespace epc
