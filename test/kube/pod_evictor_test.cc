// evict_pod against the fake API server: each answer EvictionREST.Create gives, and no answer at
// all, lands in the outcome the consolidation loop acts on.
// gtest first: cpprestsdk defines a macro U that breaks gtest's templates when included before.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/kube/pod_evictor.h"

#include <chrono>
#include <memory>
#include <string>

#include "fake_api_client.h"
#include "kube_test_support.h"

namespace epc {
namespace {

using test::FakeApiServer;
using test::pod_object;
using ::testing::HasSubstr;

class PodEvictorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    client_ = test::fake_api_client(server_);
    ASSERT_NE(client_, nullptr);
    nlohmann::json pod = pod_object("ns", "p", "1Gi", "n1");
    pod["metadata"]["labels"] = {{"app", "web"}};
    server_.put(pod);
  }

  // Bounded: the request timeout is 5 s, so the task ends well within 20 s.
  EvictionResult evict(const std::string& ns, const std::string& name, const std::string& uid) {
    pplx::task<EvictionResult> done = evict_pod(*client_, ns, name, uid);
    return done.get();
  }

  nlohmann::json object(const std::string& kind, const std::string& name) const {
    const nlohmann::json state = server_.control_get("state");
    for (const auto& item : state["objects"]) {
      if (item["kind"] == kind && item["metadata"]["name"] == name) return item;
    }
    return nullptr;
  }

  std::string uid_of_p() const { return object("Pod", "p")["metadata"]["uid"]; }

  void put_budget(const std::string& name, int allowed) const {
    server_.put(
        {{"kind", "PodDisruptionBudget"},
         {"metadata", {{"name", name}, {"namespace", "ns"}}},
         {"spec", {{"selector", {{"matchLabels", {{"app", "web"}}}}}}},
         {"status",
          {{"disruptionsAllowed", allowed}, {"desiredHealthy", 3}, {"currentHealthy", 3}}}});
  }

  FakeApiServer server_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(PodEvictorTest, EvictsThePodAndSpendsItsBudget) {
  put_budget("web", 1);
  const std::string uid = uid_of_p();
  server_.control_post("requests/clear", nlohmann::json::object());
  const EvictionResult result = evict("ns", "p", uid);
  EXPECT_EQ(result.outcome, EvictionOutcome::kEvicted) << result.message;
  EXPECT_EQ(result.http_status, 201);
  EXPECT_EQ(result.message, "");
  EXPECT_TRUE(object("Pod", "p").is_null());
  EXPECT_EQ(object("PodDisruptionBudget", "web")["status"]["disruptionsAllowed"], 0);

  // Exactly one request, the eviction, with the UID precondition.
  const nlohmann::json requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["method"], "POST");
  EXPECT_EQ(requests[0]["path"], "/api/v1/namespaces/ns/pods/p/eviction");
  const nlohmann::json body = nlohmann::json::parse(requests[0]["body"].get<std::string>());
  EXPECT_EQ(body["apiVersion"], "policy/v1");
  EXPECT_EQ(body["kind"], "Eviction");
  EXPECT_EQ(body["metadata"]["name"], "p");
  EXPECT_EQ(body["metadata"]["namespace"], "ns");
  EXPECT_EQ(body["deleteOptions"]["preconditions"]["uid"], uid);
}

TEST_F(PodEvictorTest, ABudgetThatAllowsNoDisruptionRefusesAndThePodStays) {
  put_budget("web", 0);
  const EvictionResult result = evict("ns", "p", "");
  EXPECT_EQ(result.outcome, EvictionOutcome::kRefused);
  EXPECT_EQ(result.http_status, 429);
  EXPECT_THAT(result.message, HasSubstr("Cannot evict pod as it would violate the pod's "
                                        "disruption budget."));
  EXPECT_FALSE(object("Pod", "p").is_null());
  // Without a UID the precondition is left out altogether.
  const nlohmann::json body =
      nlohmann::json::parse(server_.requests()[0]["body"].get<std::string>());
  EXPECT_FALSE(body.contains("deleteOptions"));
}

TEST_F(PodEvictorTest, AMissingPodIsGone) {
  const EvictionResult result = evict("ns", "nope", "");
  EXPECT_EQ(result.outcome, EvictionOutcome::kGone);
  EXPECT_EQ(result.http_status, 404);
  EXPECT_THAT(result.message, HasSubstr("pods \"nope\" not found"));
}

TEST_F(PodEvictorTest, AnotherPodUnderTheSameNameFailsAndStays) {
  const EvictionResult result = evict("ns", "p", "uid-of-an-older-p");
  EXPECT_EQ(result.outcome, EvictionOutcome::kFailed);
  EXPECT_EQ(result.http_status, 409);
  EXPECT_THAT(result.message, HasSubstr("Precondition failed: UID in precondition"));
  EXPECT_FALSE(object("Pod", "p").is_null());
}

TEST_F(PodEvictorTest, AServerErrorFails) {
  server_.set_faults({{"eviction_fail", 500}});
  const EvictionResult result = evict("ns", "p", "");
  EXPECT_EQ(result.outcome, EvictionOutcome::kFailed);
  EXPECT_EQ(result.http_status, 500);
  EXPECT_THAT(result.message, HasSubstr("HTTP 500"));
  EXPECT_FALSE(object("Pod", "p").is_null());
}

TEST_F(PodEvictorTest, AnEmptyNameFailsWithoutARequest) {
  const EvictionResult result = evict("ns", "", "");
  EXPECT_EQ(result.outcome, EvictionOutcome::kFailed);
  EXPECT_EQ(result.http_status, 0);
  EXPECT_THAT(result.message, HasSubstr("needs a namespace and a name"));
  EXPECT_EQ(evict("", "p", "").outcome, EvictionOutcome::kFailed);
  EXPECT_TRUE(server_.requests().empty());
}

TEST(PodEvictor, NoServerFailsWithoutAStatus) {
  KubeConnection connection;
  connection.server = "http://127.0.0.1:1";  // nothing listens on port 1
  ApiClientOptions options;
  options.request_timeout = std::chrono::seconds(5);
  Result<std::unique_ptr<ApiClient>> client = ApiClient::create(connection, options);
  ASSERT_TRUE(client) << client.error().message;
  const EvictionResult result = evict_pod(**client, "ns", "p", "").get();
  EXPECT_EQ(result.outcome, EvictionOutcome::kFailed);
  EXPECT_EQ(result.http_status, 0);
  EXPECT_FALSE(result.message.empty());
}

TEST(PodEvictor, ClassifiesByStatusAlone) {
  EXPECT_EQ(eviction_outcome(200), EvictionOutcome::kEvicted);
  EXPECT_EQ(eviction_outcome(201), EvictionOutcome::kEvicted);
  EXPECT_EQ(eviction_outcome(404), EvictionOutcome::kGone);
  EXPECT_EQ(eviction_outcome(429), EvictionOutcome::kRefused);
  for (int status : {0, 204, 403, 409, 500, 503}) {
    EXPECT_EQ(eviction_outcome(status), EvictionOutcome::kFailed) << status;
  }
}

}  // namespace
}  // namespace epc
