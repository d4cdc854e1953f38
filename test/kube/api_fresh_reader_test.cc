// ApiFreshReader against the fake API server: what a recheck's reads return for nodes and pods
// that exist, are gone or cannot be named, and what the rate limit and a failing server leave.
// gtest first: cpprestsdk defines a macro U that breaks gtest's templates when included before.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/kube/api_fresh_reader.h"

#include <chrono>
#include <future>
#include <memory>

#include "fake_api_client.h"
#include "kube_test_support.h"

namespace epc {
namespace {

using test::FakeApiServer;
using test::node_object;
using test::pod_object;
using ::testing::HasSubstr;

HeldPod held(const std::string& ns, const std::string& name, const std::string& node) {
  return HeldPod{"uid-" + name, ns, name, "", node};
}

class ApiFreshReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    client_ = test::fake_api_client(server_, std::chrono::milliseconds(1000));
    ASSERT_NE(client_, nullptr);
    server_.put(node_object("n1", "64Mi"));
    server_.put(pod_object("ns", "p", "48Mi", "n1"));
  }

  FreshReads read(const ApiFreshReader& reader, RecheckPlan plan) {
    auto answer = std::make_shared<std::promise<FreshReads>>();
    std::future<FreshReads> answered = answer->get_future();
    reader.read(std::move(plan),
                [answer](FreshReads reads) { answer->set_value(std::move(reads)); });
    if (answered.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      ADD_FAILURE() << "the reader did not answer";
      return {};
    }
    return answered.get();
  }

  FakeApiServer server_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(ApiFreshReaderTest, ReadsWhatTheServerHoldsAndWhatItDoesNot) {
  const ApiFreshReader reader(*client_, EpcResources::defaults());
  const FreshReads reads =
      read(reader, {{"n1", "gone"}, {held("ns", "p", "n1"), held("ns", "deleted", "n1")}});
  EXPECT_TRUE(reads.failures.empty());
  EXPECT_EQ(reads.skipped, 0u);
  ASSERT_EQ(reads.nodes.size(), 2u);
  for (const NodeRead& node : reads.nodes) {
    if (node.name == "n1") {
      ASSERT_TRUE(node.node.has_value());
      EXPECT_EQ(node.node->name, "n1");
      EXPECT_FALSE(node.node->allocatable.empty());
    } else {
      EXPECT_EQ(node.name, "gone");
      EXPECT_FALSE(node.node.has_value());
    }
  }
  ASSERT_EQ(reads.pods.size(), 2u);
  for (const PodRead& pod : reads.pods) {
    if (pod.pod.name == "p") {
      ASSERT_TRUE(pod.found.has_value());
      EXPECT_EQ(pod.found->node_name, "n1");
      EXPECT_EQ(pod.found->namespace_name, "ns");
    } else {
      EXPECT_FALSE(pod.found.has_value());
    }
  }
  // Every read is a GET of one object, never a list.
  int gets = 0;
  for (const auto& request : server_.requests()) {
    if (request["method"] == "GET" && request["watch"] != true) ++gets;
  }
  EXPECT_EQ(gets, 4);
}

TEST_F(ApiFreshReaderTest, ANameThatIsNotADnsSubdomainNeverReachesAPath) {
  const ApiFreshReader reader(*client_, EpcResources::defaults());
  const FreshReads reads =
      read(reader, {{"../namespaces/kube-system/secrets/x", "Upper"}, {held("ns", "a/b", "n1")}});
  EXPECT_TRUE(reads.nodes.empty());
  EXPECT_TRUE(reads.pods.empty());
  ASSERT_EQ(reads.failures.size(), 3u);
  EXPECT_THAT(reads.failures[0].message, HasSubstr("not a valid name for an API path"));
  EXPECT_TRUE(server_.requests().empty());
  EXPECT_TRUE(valid_path_segment("sgx-node-1.example"));
  EXPECT_FALSE(valid_path_segment(""));
  EXPECT_FALSE(valid_path_segment(".."));
  EXPECT_FALSE(valid_path_segment("a?b"));
}

TEST_F(ApiFreshReaderTest, ReadsBeyondTheRateLimitAreSkippedNotMade) {
  const ApiFreshReader reader(*client_, EpcResources::defaults(),
                              {.reads_per_second = 0.001, .burst = 2});
  const FreshReads first = read(reader, {{"n1", "n2", "n3"}, {held("ns", "p", "n1")}});
  EXPECT_EQ(first.nodes.size(), 2u);  // the plan's first two: nodes come first
  EXPECT_TRUE(first.pods.empty());
  EXPECT_EQ(first.skipped, 2u);
  const FreshReads second = read(reader, {{"n1"}, {}});
  EXPECT_TRUE(second.nodes.empty());
  EXPECT_EQ(second.skipped, 1u);
}

TEST_F(ApiFreshReaderTest, AFailingServerGivesFailuresNamingTheObject) {
  server_.set_faults({{"down", "503"}});
  const ApiFreshReader reader(*client_, EpcResources::defaults());
  const FreshReads reads = read(reader, {{"n1"}, {held("ns", "p", "n1")}});
  EXPECT_TRUE(reads.nodes.empty());
  EXPECT_TRUE(reads.pods.empty());
  ASSERT_EQ(reads.failures.size(), 2u);
  for (const Error& failure : reads.failures) EXPECT_THAT(failure.message, HasSubstr("503"));
  server_.set_faults({{"clear", true}});
}

}  // namespace
}  // namespace epc
