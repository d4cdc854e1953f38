// ConsolidationLoop against test/fake_apiserver: a run evicts exactly what its confirmed plan
// allows, through the eviction subresource, behind the drain taint; a PodDisruptionBudget's 429
// stops it and leaves no untouched node tainted; a standby replica and a dry run change nothing;
// a change between planning and acting drops the node it affects; a later run ends the drains.
// gtest first: cpprestsdk defines a macro U that breaks gtest's templates when included before.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/consolidate/consolidation_loop.h"

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fake_api_client.h"
#include "fake_apiserver_process.h"
#include "kube_test_support.h"
#include "model/consolidation/drain_taint.h"

namespace epc {
namespace {

using test::FakeApiServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr int64_t kNow = 1765000000;  // 2025-12-06; every pod was created in 2020

nlohmann::json node(const std::string& name) {
  return {{"kind", "Node"},
          {"apiVersion", "v1"},
          {"metadata", {{"name", name}}},
          {"status",
           {{"allocatable", {{"sgx.intel.com/epc", "8Gi"}}},
            {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

// A pod of ReplicaSet "<name>-1" in namespace "team", created in 2020 unless `created` says.
nlohmann::json pod(const std::string& name, const std::string& node_name,
                   const std::string& epc = "2Gi",
                   const std::string& created = "2020-01-01T00:00:00Z") {
  return test::replica_set_pod("team", name, epc, node_name, name, created);
}

class ConsolidationLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    client_ = test::fake_api_client(server_);
    ASSERT_NE(client_, nullptr);
    // a and b hold one small pod each; c is the fullest and takes both.
    for (const char* name : {"a", "b", "c"}) server_.put(node(name));
    server_.put(pod("p1", "a"));
    server_.put(pod("p2", "b"));
    server_.put(pod("p3", "c", "4Gi"));
    ScoringConfig config;
    config.consolidation.enabled = true;
    config.consolidation.max_draining_nodes = 3;
    set_config(config);
  }

  void set_config(const ScoringConfig& config) {
    std::lock_guard lock(mutex_);
    config_ = std::make_shared<const ScoringConfig>(config);
  }
  ScoringConfig config() const {
    std::lock_guard lock(mutex_);
    return *config_;
  }

  std::unique_ptr<ConsolidationLoop> make_loop(const std::string& identity,
                                               std::chrono::milliseconds confirm_delay = {}) {
    return std::make_unique<ConsolidationLoop>(
        *client_,
        ConsolidationLoopOptions{.config =
                                     [this] {
                                       std::lock_guard lock(mutex_);
                                       return config_;
                                     },
                                 .lease = {.lease_namespace = "epc", .identity = identity},
                                 .confirm_delay = confirm_delay,
                                 .info = [this](std::string_view line) { remember(line); },
                                 .warning = [this](std::string_view line) { remember(line); },
                                 .now_unix_seconds = [this] { return now_.load(); }});
  }

  void remember(std::string_view line) {
    std::lock_guard lock(mutex_);
    log_.emplace_back(line);
  }
  std::string log_text() const {
    std::lock_guard lock(mutex_);
    std::string text;
    for (const std::string& line : log_) text += line + "\n";
    return text;
  }

  // "METHOD path" of every write the extender made, in order.
  std::vector<std::string> writes() const {
    std::vector<std::string> out;
    for (const nlohmann::json& entry : server_.requests()) {
      const std::string method = entry["method"];
      const std::string path = entry["path"];
      if (method == "GET" || path.starts_with("/_control")) continue;
      if (path.find("/leases") != std::string::npos) continue;
      out.push_back(method + " " + path);
    }
    return out;
  }

  // The server's stored objects leave `kind` off: pods are the namespaced objects with
  // containers, nodes the cluster-scoped ones.
  std::vector<nlohmann::json> objects(const std::string& kind) const {
    std::vector<nlohmann::json> out;
    const nlohmann::json state = server_.control_get("state");  // outlives the loop below
    for (const nlohmann::json& item : state["objects"]) {
      const bool namespaced = item["metadata"].contains("namespace");
      const bool pod = namespaced && item.contains("spec") && item["spec"].contains("containers");
      if ((kind == "Pod" && pod) || (kind == "Node" && !namespaced)) out.push_back(item);
    }
    return out;
  }

  std::vector<std::string> pod_names() const {
    std::vector<std::string> names;
    for (const nlohmann::json& item : objects("Pod")) names.push_back(item["metadata"]["name"]);
    return names;
  }

  // The drain taint's value on `name`, or "" when it has none.
  std::string drain_taint(const std::string& name) const {
    for (const nlohmann::json& item : objects("Node")) {
      if (item["metadata"]["name"] != name || !item.contains("spec")) continue;
      for (const nlohmann::json& taint : item["spec"].value("taints", nlohmann::json::array())) {
        if (taint["key"] == kDrainTaintKey && taint["effect"] == kDrainTaintEffect) {
          return taint.value("value", "");
        }
      }
    }
    return "";
  }

  FakeApiServer server_;
  std::unique_ptr<ApiClient> client_;
  std::atomic<int64_t> now_{kNow};
  mutable std::mutex mutex_;
  std::shared_ptr<const ScoringConfig> config_;
  std::vector<std::string> log_;
};

TEST_F(ConsolidationLoopTest, EvictsWhatThePlanAllowsThroughTheEvictionSubresource) {
  const auto loop = make_loop("replica-a");
  EXPECT_EQ(loop->run_once(), RunResult::kCompleted) << log_text();
  // Each node is tainted before its pod is evicted; c, which receives, is left alone.
  EXPECT_THAT(
      writes(),
      ElementsAre("PATCH /api/v1/nodes/a", "POST /api/v1/namespaces/team/pods/p1/eviction",
                  "PATCH /api/v1/nodes/b", "POST /api/v1/namespaces/team/pods/p2/eviction"));
  EXPECT_THAT(pod_names(), ElementsAre("p3"));
  EXPECT_EQ(drain_taint("a"), std::to_string(kNow));
  EXPECT_EQ(drain_taint("b"), std::to_string(kNow));
  EXPECT_EQ(drain_taint("c"), "");
  const ConsolidationStatus status = loop->status();
  EXPECT_TRUE(status.leader);
  EXPECT_EQ(status.evictions, 2u);
  EXPECT_EQ(status.planned_evictions, 2u);
  EXPECT_EQ(status.drains_started, 2u);
  EXPECT_EQ(status.runs_completed, 1u);
  EXPECT_THAT(status.last_plan, ElementsAre(HasSubstr("a: 1 pod (team/p1 to c)"),
                                            HasSubstr("b: 1 pod (team/p2 to c)")));
  // The evictions name the pods' UIDs, so a pod recreated under the same name is never evicted.
  for (const nlohmann::json& entry : server_.requests()) {
    const std::string path = entry["path"];
    if (path.ends_with("/eviction")) {
      const nlohmann::json body = nlohmann::json::parse(entry["body"].get<std::string>());
      EXPECT_EQ(body["apiVersion"], "policy/v1");
      EXPECT_THAT(body["deleteOptions"]["preconditions"]["uid"].get<std::string>(),
                  HasSubstr("uid-p"));
    }
  }
}

TEST_F(ConsolidationLoopTest, TheRunBudgetHolds) {
  ScoringConfig limited = config();
  limited.consolidation.max_evictions_per_run = 1;
  set_config(limited);
  const auto loop = make_loop("replica-a");
  EXPECT_EQ(loop->run_once(), RunResult::kCompleted) << log_text();
  EXPECT_THAT(writes(), ElementsAre("PATCH /api/v1/nodes/a",
                                    "POST /api/v1/namespaces/team/pods/p1/eviction"));
  EXPECT_THAT(pod_names(), UnorderedElementsAre("p2", "p3"));
}

TEST_F(ConsolidationLoopTest, ABudgetRefusalStopsTheRunAndUntaintsTheUntouchedNode) {
  server_.set_faults({{"eviction_fail", 429}});
  const auto loop = make_loop("replica-a");
  EXPECT_EQ(loop->run_once(), RunResult::kFailed);
  EXPECT_THAT(writes(),
              ElementsAre("PATCH /api/v1/nodes/a", "POST /api/v1/namespaces/team/pods/p1/eviction",
                          "PATCH /api/v1/nodes/a"));
  EXPECT_EQ(drain_taint("a"), "");  // nothing left a, so its drain never began
  EXPECT_THAT(pod_names(), UnorderedElementsAre("p1", "p2", "p3"));
  ConsolidationStatus status = loop->status();
  EXPECT_EQ(status.evictions_refused, 1u);
  EXPECT_EQ(status.evictions, 0u);
  EXPECT_EQ(status.runs_failed, 1u);
  EXPECT_THAT(status.last_outcome, HasSubstr("evicting team/p1 from a refused"));
  EXPECT_THAT(status.last_outcome, HasSubstr("retrying next interval"));

  // The next run plans afresh and goes through.
  EXPECT_EQ(loop->run_once(), RunResult::kCompleted) << log_text();
  EXPECT_THAT(pod_names(), ElementsAre("p3"));
  EXPECT_EQ(loop->status().evictions, 2u);
}

TEST_F(ConsolidationLoopTest, AStandbyReplicaAndADryRunChangeNothing) {
  ScoringConfig dry = config();
  dry.consolidation.dry_run = true;
  set_config(dry);
  const auto leader = make_loop("replica-a");
  EXPECT_EQ(leader->run_once(), RunResult::kCompleted) << log_text();
  EXPECT_EQ(leader->status().planned_evictions, 2u);
  EXPECT_THAT(leader->status().last_outcome, HasSubstr("dry run: would drain 2 node(s)"));

  set_config(ScoringConfig(config()));
  ScoringConfig live = config();
  live.consolidation.dry_run = false;
  set_config(live);
  const auto standby = make_loop("replica-b");
  EXPECT_EQ(standby->run_once(), RunResult::kSkipped);
  EXPECT_FALSE(standby->status().leader);
  EXPECT_THAT(standby->status().role, HasSubstr("replica-a holds the lease"));
  EXPECT_THAT(writes(), IsEmpty());
  EXPECT_THAT(pod_names(), UnorderedElementsAre("p1", "p2", "p3"));
}

TEST_F(ConsolidationLoopTest, AChangeBeforeActingDropsTheNodeItAffects) {
  const auto loop = make_loop("replica-a", std::chrono::milliseconds(1500));
  std::future<RunResult> run = std::async(std::launch::async, [&] { return loop->run_once(); });
  // Once the plan is made (the first pods list is in), a pod arrives on a.
  ASSERT_TRUE(test::wait_until([&] {
    for (const nlohmann::json& entry : server_.requests()) {
      if (entry["method"] == "GET" && entry["path"] == "/apis/policy/v1/poddisruptionbudgets") {
        return true;
      }
    }
    return false;
  }));
  server_.put(pod("newcomer", "a", "1Gi"));
  EXPECT_EQ(run.get(), RunResult::kCompleted) << log_text();
  EXPECT_THAT(writes(), ElementsAre("PATCH /api/v1/nodes/b",
                                    "POST /api/v1/namespaces/team/pods/p2/eviction"));
  EXPECT_THAT(log_text(),
              HasSubstr("a dropped from the plan: team/newcomer arrived after the plan was made"));
}

TEST_F(ConsolidationLoopTest, ALaterRunEndsTheDrains) {
  const auto loop = make_loop("replica-a");
  ASSERT_EQ(loop->run_once(), RunResult::kCompleted) << log_text();
  ASSERT_EQ(drain_taint("a"), std::to_string(kNow));
  // A recreated pod came back to a (too young to move again); b stays empty. p3's owner opted
  // out meanwhile, so c stays too and nothing else is planned.
  server_.put(pod("back", "a", "1Gi", "2025-12-06T05:53:20Z"));
  nlohmann::json pinned = pod("p3", "c", "4Gi");
  pinned["metadata"]["annotations"] = {{"epc-extender.io/evict", "never"}};
  server_.put(pinned);
  now_ += 60;
  EXPECT_EQ(loop->run_once(), RunResult::kCompleted) << log_text();
  EXPECT_EQ(drain_taint("a"), "");                    // unfinished: the taint comes off
  EXPECT_EQ(drain_taint("b"), std::to_string(kNow));  // empty, within drainHold
  EXPECT_THAT(loop->status().draining, ElementsAre("b"));
  EXPECT_THAT(log_text(), HasSubstr("a: drain unfinished: 1 pod still keeps it busy (team/back)"));

  now_ += config().consolidation.drain_hold_seconds;
  EXPECT_EQ(loop->run_once(), RunResult::kCompleted) << log_text();
  EXPECT_EQ(drain_taint("b"), "");
  EXPECT_THAT(loop->status().draining, IsEmpty());
  EXPECT_EQ(loop->status().drains_ended, 2u);
}

TEST_F(ConsolidationLoopTest, TheThreadRunsAfterOneIntervalAndStopsPromptly) {
  ScoringConfig fast = config();
  fast.consolidation.interval_seconds = 10;
  set_config(fast);
  ConsolidationLoopOptions options{
      .config = [this] { return std::make_shared<const ScoringConfig>(config()); },
      .lease = {.lease_namespace = "epc", .identity = "replica-a"},
      .confirm_delay = {},
      .tick = std::chrono::milliseconds(20),
      .now_unix_seconds = [this] { return now_.load(); }};
  ConsolidationLoop loop(*client_, options);
  loop.start();
  ASSERT_TRUE(test::wait_until([&] { return loop.status().leader; }));
  EXPECT_THAT(writes(), IsEmpty());  // no run before the interval has passed
  now_ += 10;
  ASSERT_TRUE(test::wait_until([&] { return loop.status().evictions == 2; })) << log_text();
  const auto before = std::chrono::steady_clock::now();
  loop.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
  // Stopping released the lease: another replica takes it at once.
  const auto other = make_loop("replica-b");
  EXPECT_NE(other->run_once(), RunResult::kFailed) << log_text();
  EXPECT_TRUE(other->status().leader);
}

}  // namespace
}  // namespace epc
