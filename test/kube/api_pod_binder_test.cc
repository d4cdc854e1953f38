// ApiPodBinder against the fake API server: which failures say the pod is certainly not bound
// (refused) and which leave it in doubt (unknown).
// gtest first: cpprestsdk defines a macro U that breaks gtest's templates when included before.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/kube/api_pod_binder.h"

#include <chrono>
#include <future>
#include <memory>
#include <optional>

#include "fake_api_client.h"
#include "kube_test_support.h"

namespace epc {
namespace {

using test::FakeApiServer;
using test::node_object;
using test::pod_object;
using test::wait_until;
using ::testing::HasSubstr;

class ApiPodBinderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    // 1 s, so that the timeout test need not wait long for the client to give up.
    client_ = test::fake_api_client(server_, std::chrono::milliseconds(1000));
    ASSERT_NE(client_, nullptr);
    binder_ = std::make_unique<ApiPodBinder>(*client_);
    server_.put(node_object("n1"));
    server_.put(node_object("n2"));
    server_.put(pod_object("ns", "p", "1Gi"));
  }

  // Binds ns/`pod` to `node` and waits for the outcome; a binder that never answers fails.
  std::optional<BindError> bind(const std::string& pod, const std::string& node) {
    auto outcome = std::make_shared<std::promise<std::optional<BindError>>>();
    std::future<std::optional<BindError>> answered = outcome->get_future();
    binder_->bind({pod, "ns", "", node},
                  [outcome](std::optional<BindError> failed) { outcome->set_value(failed); });
    if (answered.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      ADD_FAILURE() << "the binder did not answer";
      return BindError{"no answer", BindFailure::kUnknown};
    }
    return answered.get();
  }

  // The node the server has ns/`pod` on; empty when unbound or absent.
  std::string node_of(const std::string& pod) const {
    const nlohmann::json state = server_.control_get("state");  // outlives the loop
    for (const auto& object : state["objects"]) {
      if (object["metadata"]["name"] == pod) {
        return object["spec"].value("nodeName", "");
      }
    }
    return {};
  }

  FakeApiServer server_;
  std::unique_ptr<ApiClient> client_;
  std::unique_ptr<ApiPodBinder> binder_;
};

TEST_F(ApiPodBinderTest, CreatedIsBound) {
  const std::optional<BindError> failed = bind("p", "n1");
  EXPECT_FALSE(failed) << failed->message;
  EXPECT_EQ(node_of("p"), "n1");
}

TEST_F(ApiPodBinderTest, AConflictBecauseThePodIsOnThatNodeAlreadyIsBound) {
  ASSERT_FALSE(bind("p", "n1"));
  // kube-scheduler's retry of a Binding whose answer it lost: 409, same node.
  const std::optional<BindError> again = bind("p", "n1");
  EXPECT_FALSE(again) << again->message;
}

TEST_F(ApiPodBinderTest, AConflictBecauseThePodIsOnAnotherNodeIsRefused) {
  ASSERT_FALSE(bind("p", "n1"));
  const std::optional<BindError> failed = bind("p", "n2");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->failure, BindFailure::kRefused);
  EXPECT_THAT(failed->message, HasSubstr("binding ns/p to n2: HTTP 409"));
  EXPECT_THAT(failed->message, HasSubstr("already assigned to node \"n1\""));
  EXPECT_EQ(node_of("p"), "n1");
}

TEST_F(ApiPodBinderTest, AMissingPodIsRefused) {
  const std::optional<BindError> failed = bind("ghost", "n1");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->failure, BindFailure::kRefused);
  EXPECT_THAT(failed->message, HasSubstr("HTTP 404"));
}

TEST_F(ApiPodBinderTest, AServerErrorIsUnknownEvenWhenNothingWasWritten) {
  server_.set_faults({{"binding_fail", 500}});
  const std::optional<BindError> failed = bind("p", "n1");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->failure, BindFailure::kUnknown);
  EXPECT_THAT(failed->message, HasSubstr("HTTP 500"));
  EXPECT_EQ(node_of("p"), "");
}

TEST_F(ApiPodBinderTest, AServerErrorAfterTheWriteIsUnknownAndThePodIsBound) {
  server_.set_faults({{"binding_fail", {{"status", 503}, {"after_commit", true}}}});
  const std::optional<BindError> failed = bind("p", "n1");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->failure, BindFailure::kUnknown);
  EXPECT_EQ(node_of("p"), "n1");  // why it cannot count as refused
}

TEST_F(ApiPodBinderTest, ATimeoutIsUnknownAndThePodMayBeBoundAfterIt) {
  // The server sleeps past the client's 1 s limit, then binds the pod anyway.
  server_.set_faults({{"delay_ms", {{"ms", 2500}, {"resource", "bindings"}, {"count", 1}}}});
  const std::optional<BindError> failed = bind("p", "n1");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->failure, BindFailure::kUnknown);
  EXPECT_TRUE(wait_until([&] { return node_of("p") == "n1"; }, std::chrono::seconds(10)));
}

TEST_F(ApiPodBinderTest, ADroppedConnectionIsUnknown) {
  server_.set_faults({{"down", true}});  // the connection is closed with no response
  const std::optional<BindError> failed = bind("p", "n1");
  server_.set_faults({{"down", false}});
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->failure, BindFailure::kUnknown);
}

TEST_F(ApiPodBinderTest, TheStatusCodeDecidesOtherFailures) {
  // The status reaches the classifier from a real response, not from the message.
  for (const auto& [status, expected] :
       {std::pair{403, BindFailure::kRefused}, std::pair{422, BindFailure::kRefused},
        std::pair{429, BindFailure::kUnknown}, std::pair{504, BindFailure::kUnknown}}) {
    server_.set_faults({{"binding_fail", status}});
    const std::optional<BindError> failed = bind("p", "n1");
    ASSERT_TRUE(failed) << status;
    EXPECT_EQ(failed->failure, expected) << status;
    EXPECT_THAT(failed->message, HasSubstr("HTTP " + std::to_string(status)));
  }
}

TEST(BindingFailure, FourHundredsAreRefusalsButTimeoutsAndThrottlingAreNot) {
  for (int status : {400, 401, 403, 404, 405, 409, 410, 415, 422}) {
    EXPECT_EQ(binding_failure(status), BindFailure::kRefused) << status;
  }
  for (int status : {0, 302, 408, 429, 500, 502, 503, 504}) {
    EXPECT_EQ(binding_failure(status), BindFailure::kUnknown) << status;
  }
}

}  // namespace
}  // namespace epc
