// add_node_taint and remove_node_taint against the fake API server: other taints kept in their
// order, nothing sent when nothing changes, and a node changed between read and patch read again.
// gtest first: cpprestsdk defines a macro U that breaks gtest's templates when included before.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/kube/node_taint_writer.h"

#include <memory>
#include <string>
#include <vector>

#include "fake_api_client.h"
#include "kube_test_support.h"

namespace epc {
namespace {

using test::FakeApiServer;
using test::node_object;
using ::testing::HasSubstr;

const NodeTaintSpec kDraining{"epc.intel.com/consolidating", "true", "NoSchedule"};

nlohmann::json taint_json(const std::string& key, const std::string& effect) {
  return {{"key", key}, {"effect", effect}};
}

class NodeTaintWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    client_ = test::fake_api_client(server_);
    ASSERT_NE(client_, nullptr);
  }

  void put_node(const nlohmann::json& taints) const {
    nlohmann::json node = node_object("n1");
    if (!taints.is_null()) node["spec"]["taints"] = taints;
    server_.put(node);
    server_.control_post("requests/clear", nlohmann::json::object());
  }

  // "key:effect" of each of n1's taints, in order.
  std::vector<std::string> taints() const {
    const nlohmann::json state = server_.control_get("state");
    std::vector<std::string> out;
    for (const auto& item : state["objects"]) {
      if (item["kind"] != "Node" || item["metadata"]["name"] != "n1") continue;
      const nlohmann::json spec = item.value("spec", nlohmann::json::object());
      for (const auto& taint : spec.value("taints", nlohmann::json::array())) {
        out.push_back(taint["key"].get<std::string>() + ":" + taint["effect"].get<std::string>());
      }
    }
    return out;
  }

  std::vector<std::string> methods() const {
    std::vector<std::string> out;
    for (const auto& request : server_.requests()) out.push_back(request["method"]);
    return out;
  }

  // The tasks end within the 5 s request timeout per request, at most 6 requests.
  Result<TaintChange> add(const std::string& node = "n1") {
    return add_node_taint(*client_, node, kDraining).get();
  }
  Result<TaintChange> remove(const std::string& key, const std::string& effect) {
    return remove_node_taint(*client_, "n1", key, effect).get();
  }

  FakeApiServer server_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(NodeTaintWriterTest, AddsTheFirstTaint) {
  put_node(nullptr);
  const Result<TaintChange> changed = add();
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(*changed, TaintChange::kChanged);
  EXPECT_EQ(taints(), std::vector<std::string>{"epc.intel.com/consolidating:NoSchedule"});
  const nlohmann::json requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1]["method"], "PATCH");
  EXPECT_EQ(requests[1]["path"], "/api/v1/nodes/n1");
  EXPECT_EQ(requests[1]["content_type"], "application/json-patch+json");
  const nlohmann::json patch = nlohmann::json::parse(requests[1]["body"].get<std::string>());
  EXPECT_EQ(patch[0]["op"], "test");
  EXPECT_EQ(patch[1]["path"], "/spec/taints");
  EXPECT_EQ(patch[1]["value"][0]["value"], "true");
  EXPECT_FALSE(patch[1]["value"][0].contains("timeAdded"));
}

TEST_F(NodeTaintWriterTest, AppendsAfterOtherTaintsAndKeepsThem) {
  put_node(nlohmann::json::array({taint_json("a", "NoExecute"), taint_json("b", "NoSchedule")}));
  const Result<TaintChange> changed = add();
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(*changed, TaintChange::kChanged);
  EXPECT_EQ(taints(), (std::vector<std::string>{"a:NoExecute", "b:NoSchedule",
                                                "epc.intel.com/consolidating:NoSchedule"}));
}

TEST_F(NodeTaintWriterTest, AddingTwiceChangesNothingTheSecondTime) {
  put_node(nlohmann::json::array({taint_json("a", "NoSchedule")}));
  const Result<TaintChange> first = add();
  ASSERT_TRUE(first) << first.error().message;
  server_.control_post("requests/clear", nlohmann::json::object());
  const Result<TaintChange> again = add();
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, TaintChange::kUnchanged);
  EXPECT_EQ(methods(), std::vector<std::string>{"GET"});  // no PATCH
  EXPECT_EQ(taints().size(), 2u);
}

TEST_F(NodeTaintWriterTest, RemovesOnlyTheOneTaint) {
  put_node(nlohmann::json::array(
      {taint_json("a", "NoSchedule"), taint_json("epc.intel.com/consolidating", "NoSchedule"),
       taint_json("epc.intel.com/consolidating", "NoExecute"), taint_json("c", "NoSchedule")}));
  const Result<TaintChange> changed = remove("epc.intel.com/consolidating", "NoSchedule");
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(*changed, TaintChange::kChanged);
  EXPECT_EQ(taints(),
            (std::vector<std::string>{"a:NoSchedule", "epc.intel.com/consolidating:NoExecute",
                                      "c:NoSchedule"}));
}

TEST_F(NodeTaintWriterTest, RemovingAnAbsentTaintChangesNothing) {
  put_node(nlohmann::json::array({taint_json("a", "NoSchedule")}));
  const Result<TaintChange> changed = remove("a", "NoExecute");
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(*changed, TaintChange::kUnchanged);
  EXPECT_EQ(methods(), std::vector<std::string>{"GET"});
  EXPECT_EQ(taints(), std::vector<std::string>{"a:NoSchedule"});
}

TEST_F(NodeTaintWriterTest, ANodeChangedAfterTheReadIsReadAgain) {
  put_node(nlohmann::json::array({taint_json("a", "NoSchedule")}));
  // Another writer commits n1 just before our first PATCH: its resourceVersion test fails (422).
  server_.set_faults({{"touch_before_write", {{"count", 1}, {"resource", "nodes"}}}});
  const Result<TaintChange> changed = add();
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(*changed, TaintChange::kChanged);
  EXPECT_EQ(methods(), (std::vector<std::string>{"GET", "PATCH", "GET", "PATCH"}));
  const nlohmann::json requests = server_.requests();
  EXPECT_EQ(requests[1]["status"], 422);
  EXPECT_EQ(requests[3]["status"], 200);
  EXPECT_EQ(taints(),
            (std::vector<std::string>{"a:NoSchedule", "epc.intel.com/consolidating:NoSchedule"}));
}

TEST_F(NodeTaintWriterTest, GivesUpAfterThreeAttempts) {
  put_node(nullptr);
  server_.set_faults({{"touch_before_write", {{"count", "always"}, {"resource", "nodes"}}}});
  const Result<TaintChange> changed = add();
  ASSERT_FALSE(changed);
  EXPECT_THAT(changed.error().message, HasSubstr("node \"n1\""));
  EXPECT_THAT(changed.error().message, HasSubstr("HTTP 422"));
  EXPECT_EQ(methods().size(), 6u);
  EXPECT_TRUE(taints().empty());
}

TEST_F(NodeTaintWriterTest, AMissingNodeIsAnError) {
  const Result<TaintChange> changed = add("n9");
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().message, "node \"n9\" not found");
}

TEST_F(NodeTaintWriterTest, AnotherRefusalIsAnErrorNamingTheNode) {
  put_node(nullptr);
  server_.set_faults({{"down", "503"}});
  const Result<TaintChange> changed = add();
  ASSERT_FALSE(changed);
  EXPECT_THAT(changed.error().message, HasSubstr("reading node \"n1\": HTTP 503"));
}

}  // namespace
}  // namespace epc
