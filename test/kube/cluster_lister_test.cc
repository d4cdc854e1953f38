// list_cluster against test/fake_apiserver: the three lists `consolidate` reads, with what
// consolidation needs of each pod and budget, and a failed list named with the API's answer.
// gtest first: cpprestsdk defines a macro U that breaks gtest's templates when included before.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/kube/cluster_lister.h"

#include <memory>
#include <nlohmann/json.hpp>

#include "fake_api_client.h"
#include "fake_apiserver_process.h"
#include "kube_test_support.h"

namespace epc {
namespace {

using test::FakeApiServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

nlohmann::json node(const std::string& name) {
  return {{"kind", "Node"},
          {"apiVersion", "v1"},
          {"metadata", {{"name", name}}},
          {"status", {{"allocatable", {{"sgx.intel.com/epc", "32Gi"}}}}}};
}

nlohmann::json pod(const std::string& name, const std::string& node_name) {
  return test::replica_set_pod("team", name, "4Gi", node_name, "web");
}

class ClusterListerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    client_ = test::fake_api_client(server_);
    ASSERT_NE(client_, nullptr);
  }

  FakeApiServer server_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(ClusterListerTest, ReadsNodesPodsAndBudgetsWithTheirDisruptionFacts) {
  server_.put(node("n1"));
  server_.put(pod("web-a", "n1"));
  server_.put({{"kind", "PodDisruptionBudget"},
               {"apiVersion", "policy/v1"},
               {"metadata", {{"name", "web"}, {"namespace", "team"}}},
               {"spec", {{"selector", {{"matchLabels", {{"app", "web"}}}}}}},
               {"status", {{"disruptionsAllowed", 1}}}});
  const Result<ClusterObjects> cluster = list_cluster(*client_, EpcResources::defaults());
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  ASSERT_EQ(cluster->nodes.size(), 1u);
  ASSERT_EQ(cluster->pods.size(), 1u);
  ASSERT_EQ(cluster->budgets.size(), 1u);
  const Pod& web = cluster->pods[0];
  EXPECT_EQ(web.controller_kind, "ReplicaSet");
  EXPECT_THAT(web.labels, ElementsAre(Pair("app", "web")));
  EXPECT_GT(web.created_unix_seconds, 0);  // the server stamps creationTimestamp
  EXPECT_TRUE(cluster->budgets[0].covers(web));
  EXPECT_EQ(cluster->budgets[0].disruptions_allowed, 1);
  // Consistent reads: no resourceVersion, so the API server does not answer from its cache.
  for (const auto& request : server_.requests()) {
    EXPECT_EQ(request["query"].get<std::string>(), "") << request["path"];
  }
}

TEST_F(ClusterListerTest, AFailedListIsAnErrorNamingIt) {
  server_.put(node("n1"));
  server_.set_faults({{"list_status", {{"status", 403}, {"resource", "pods"}}}});
  const Result<ClusterObjects> cluster = list_cluster(*client_, EpcResources::defaults());
  ASSERT_FALSE(cluster.ok());
  EXPECT_THAT(cluster.error().message, HasSubstr("listing /api/v1/pods: HTTP 403"));
}

}  // namespace
}  // namespace epc
