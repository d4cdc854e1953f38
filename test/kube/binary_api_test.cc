// The epc-extender binary against the fake API server, end to end: readiness follows the API,
// decisions see what the API shows, and a bind call creates the Binding in the API server.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "child_process.h"
#include "exposition.h"
#include "http_test_support.h"
#include "kube_test_support.h"
#include "test_http_client.h"
#include "tls_test_support.h"

namespace epc {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
using namespace std::chrono_literals;

std::string kubeconfig_for(const test::FakeApiServer& server) {
  return "apiVersion: v1\nkind: Config\n"
         "clusters: [{name: fake, cluster: {server: \"" +
         server.url() +
         "\"}}]\n"
         "users: [{name: scheduler, user: {token: not-checked}}]\n"
         "contexts: [{name: test, context: {cluster: fake, user: scheduler}}]\n"
         "current-context: test\n";
}

class BinaryAgainstApiTest : public ::testing::Test {
 protected:
  test::HttpResponse get(const std::string& path) {
    auto response = test::send_request(port_, test::get_request(path), 5s);
    EXPECT_TRUE(response.ok()) << path;
    return response ? *response : test::HttpResponse{};
  }
  Json post(const std::string& path, const std::string& body) {
    auto response = test::send_request(port_, test::post_request(path, body), 5s);
    EXPECT_TRUE(response.ok() && response->status == 200) << path;
    return response ? Json::parse(response->body) : Json();
  }

  // Runs the binary against `api` and waits until it listens; port_ is 0 when it does not.
  test::ChildProcess& start_extender(const test::FakeApiServer& api,
                                     const std::vector<std::string>& extra_args = {}) {
    test::write_file(dir_.file("kubeconfig"), kubeconfig_for(api));
    std::vector<std::string> args{EPC_EXTENDER_BINARY,     "serve",    "--kubeconfig",
                                  dir_.file("kubeconfig"), "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    extender_ = std::make_unique<test::ChildProcess>(args);
    const std::optional<std::string> listening =
        extender_->started() ? extender_->wait_for_stderr_line("listening on", 10s) : std::nullopt;
    port_ = listening ? test::listening_port(*listening) : 0;
    return *extender_;
  }

  test::TempDir dir_;
  std::unique_ptr<test::ChildProcess> extender_;
  int port_ = 0;
};

TEST_F(BinaryAgainstApiTest, FollowsTheApiAndCreatesBindings) {
  test::FakeApiServer api;
  ASSERT_TRUE(api.started());
  api.set_faults({{"down", true}});
  test::ChildProcess& extender = start_extender(api);
  ASSERT_GT(port_, 0) << extender.stderr_text();

  // The API is down: not ready, and filter says so instead of judging from an empty view.
  EXPECT_EQ(get("/readyz").status, 503);
  EXPECT_THAT(post("/filter", test::filter_request("p1", "64Mi"))["Error"].get<std::string>(),
              HasSubstr("epc-extender is not ready"));

  api.put(test::node_object("sgx-a", "128Mi"));
  Json p1 = test::pod_object("default", "p1", "64Mi", "", "Pending");
  p1["metadata"]["uid"] = "uid-p1";  // the UID kube-scheduler will send
  api.put(p1);
  api.set_faults({{"down", false}});
  ASSERT_TRUE(test::wait_until([&] { return get("/readyz").status == 200; }))
      << get("/readyz").body;

  const Json filtered = post("/filter", test::filter_request("p1", "64Mi"));
  EXPECT_EQ(filtered["NodeNames"], Json::array({"sgx-a"})) << filtered.dump();

  // bind: the Binding reaches the API server, whose watch event then agrees with the ledger.
  const Json bound = post(
      "/bind", R"({"PodName":"p1","PodNamespace":"default","PodUID":"uid-p1","Node":"sgx-a"})");
  EXPECT_EQ(bound["Error"], "");
  const Json state = api.control_get("state");
  bool p1_bound = false;
  for (const Json& object : state["objects"]) {
    if (object.value("kind", "") == "Pod" && object["metadata"]["name"] == "p1") {
      p1_bound = object["spec"].value("nodeName", "") == "sgx-a";
    }
  }
  EXPECT_TRUE(p1_bound) << state.dump();

  // Another writer fills the node; the next decision sees it once the watch brings it.
  api.put(test::pod_object("default", "other", "64Mi", "sgx-a", "Running"));
  const std::string p2 = test::filter_request("p2", "64Mi");
  ASSERT_TRUE(
      test::wait_until([&] { return post("/filter", p2)["FailedNodes"].contains("sgx-a"); }));
  EXPECT_EQ(post("/filter", p2)["FailedNodes"]["sgx-a"],
            "insufficient sgx.intel.com/epc: requested 64Mi, free 0 of 128Mi");

  // The other pod finishes: its EPC is released at once, without waiting for a re-list.
  api.put(test::pod_object("default", "other", "64Mi", "sgx-a", "Succeeded"));
  ASSERT_TRUE(
      test::wait_until([&] { return post("/filter", p2)["NodeNames"] == Json::array({"sgx-a"}); }));

  extender.send_signal(SIGTERM);
  EXPECT_EQ(extender.wait_exit(10s), 0) << extender.stderr_text();
}

// kube-scheduler may call before the first lists are in (v1.26 then parks the pod that got the
// Error for minutes). A verb that arrives then waits for them, within --startup-wait, and is
// answered from them; without the wait the same call gets the Error.
TEST_F(BinaryAgainstApiTest, AVerbDuringTheFirstListIsAnsweredOnceTheListIsIn) {
  for (const bool wait : {true, false}) {
    SCOPED_TRACE(wait ? "--startup-wait 5s" : "--startup-wait 0");
    test::FakeApiServer api;
    ASSERT_TRUE(api.started());
    api.put(test::node_object("sgx-a", "128Mi"));
    // The first list of nodes takes 2 s to come back; later lists and watches are prompt.
    api.set_faults({{"delay_ms", {{"ms", 2000}, {"resource", "nodes"}, {"count", 1}}}});
    test::ChildProcess& extender = start_extender(api, {"--startup-wait", wait ? "5s" : "0"});
    ASSERT_GT(port_, 0) << extender.stderr_text();
    ASSERT_EQ(get("/readyz").status, 503) << "the first list came back too early for this test";

    const auto started = std::chrono::steady_clock::now();
    const Json filtered = post("/filter", test::filter_request("p1", "64Mi"));
    const auto took = std::chrono::steady_clock::now() - started;
    if (wait) {
      EXPECT_EQ(filtered["Error"], "") << filtered.dump();
      EXPECT_EQ(filtered["NodeNames"], Json::array({"sgx-a"})) << filtered.dump();
      EXPECT_LT(took, 5s);
    } else {
      EXPECT_THAT(filtered["Error"].get<std::string>(),
                  HasSubstr("epc-extender is not ready: waiting for the first list of nodes"));
      EXPECT_LT(took, 1s);
    }
    extender.send_signal(SIGTERM);
    EXPECT_EQ(extender.wait_exit(10s), 0) << extender.stderr_text();
  }
}

// A pod no node fits gets one Kubernetes Event with the per-pool summary, and /metrics counts it
// beside the watch families, as wired in main.
TEST_F(BinaryAgainstApiTest, PostsAnEventForAPodNoNodeFitsAndCountsIt) {
  test::FakeApiServer api;
  ASSERT_TRUE(api.started());
  api.put(test::node_object("sgx-a", "128Mi"));
  test::ChildProcess& extender = start_extender(api);
  ASSERT_GT(port_, 0) << extender.stderr_text();
  ASSERT_TRUE(test::wait_until([&] { return get("/readyz").status == 200; }));

  const Json filtered = post("/filter", test::filter_request("huge", "1Gi"));
  ASSERT_TRUE(filtered["NodeNames"].empty()) << filtered.dump();
  const auto events = [&] {
    auto response =
        test::send_request(api.port(), test::get_request("/api/v1/namespaces/default/events"), 5s);
    return response && response->status == 200 ? Json::parse(response->body)["items"]
                                               : Json::array();
  };
  ASSERT_TRUE(test::wait_until([&] { return events().size() == 1; })) << events().dump();
  const Json event = events()[0];
  EXPECT_EQ(event["involvedObject"]["name"], "huge");
  EXPECT_EQ(event["reason"], "EPCUnschedulable");
  EXPECT_THAT(event["message"].get<std::string>(), HasSubstr("0/1 nodes fit: 1 epc_too_small"));

  const auto metric = [&](const char* name, const std::map<std::string, std::string>& labels) {
    return test::sample_value(get("/metrics").body, name, labels);
  };
  // Counted once the API server's answer is read, a moment after the Event is stored.
  EXPECT_TRUE(test::wait_until([&] {
    return metric("epc_extender_events_total", {{"result", "posted"}}) == 1;
  }));
  EXPECT_EQ(
      metric("epc_extender_requests_total", {{"verb", "filter"}, {"outcome", "unschedulable"}}), 1);
  EXPECT_EQ(metric("epc_extender_watch_open", {{"resource", "nodes"}}), 1);
  EXPECT_EQ(metric("epc_extender_node_epc_capacity_bytes", {{"node", "sgx-a"}}), 128 << 20);

  extender.send_signal(SIGTERM);
  EXPECT_EQ(extender.wait_exit(10s), 0) << extender.stderr_text();
}

// `consolidate` reads the three lists through the kubeconfig, prints a plan, and only reads: no
// eviction, no write of any kind reaches the API server.
TEST_F(BinaryAgainstApiTest, ConsolidatePlansFromTheApiAndOnlyReads) {
  test::FakeApiServer api;
  ASSERT_TRUE(api.started());
  const auto node = [](const std::string& name) {
    return Json{{"kind", "Node"},
                {"apiVersion", "v1"},
                {"metadata", {{"name", name}}},
                {"status", {{"allocatable", {{"sgx.intel.com/epc", "32Gi"}}}}}};
  };
  const auto pod = [](const std::string& name, const std::string& node_name) {
    return Json{
        {"kind", "Pod"},
        {"apiVersion", "v1"},
        {"metadata",
         {{"name", name},
          {"namespace", "team"},
          {"ownerReferences",
           {{{"kind", "ReplicaSet"}, {"name", "r"}, {"uid", "r"}, {"controller", true}}}}}},
        {"spec",
         {{"nodeName", node_name},
          {"containers",
           {{{"name", "c"}, {"resources", {{"requests", {{"sgx.intel.com/epc", "8Gi"}}}}}}}}}},
        {"status", {{"phase", "Running"}}}};
  };
  api.put(node("n1"));
  api.put(node("n2"));
  api.put(pod("a", "n1"));
  api.put(pod("b", "n1"));
  api.put(pod("c", "n2"));
  test::write_file(dir_.file("kubeconfig"), kubeconfig_for(api));
  // The fake server stamps creationTimestamp now; judge ages long after, past minPodAge.
  const std::string later = "2099-01-01T00:00:00Z";
  const test::CommandResult result =
      test::run_command({EPC_EXTENDER_BINARY, "consolidate", "--kubeconfig",
                         dir_.file("kubeconfig"), "--format", "json", "--now", later});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Json plan = Json::parse(result.out);
  EXPECT_EQ(plan["nodesToEmpty"], 1);
  ASSERT_EQ(plan["drained"].size(), 1u);
  EXPECT_EQ(plan["drained"][0]["node"], "n2");
  EXPECT_EQ(plan["drained"][0]["moves"][0]["to"], "n1");
  for (const Json& request : api.requests()) {
    EXPECT_EQ(request["method"], "GET") << request["path"];
  }
}

}  // namespace
}  // namespace epc
