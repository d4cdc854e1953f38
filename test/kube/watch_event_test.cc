#include "scheduler/kube/watch_event.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/kube/api_state_source.h"
#include "scheduler/kube/backoff.h"
#include "scheduler/wire/extender_codec.h"

namespace epc {
namespace {

using ::testing::HasSubstr;

class Decode : public ::testing::Test {
 protected:
  Result<WatchEvent> event(std::string line, ResourceKind kind = ResourceKind::Pods) {
    pad_body(line);
    return decode_watch_event(parsers_, line, kind, epc_);
  }
  Result<ListPage> list(std::string body, ResourceKind kind) {
    pad_body(body);
    return decode_list_page(parsers_, body, kind, epc_);
  }

  JsonParserPool parsers_{1};
  EpcResources epc_ = EpcResources::defaults();
};

TEST_F(Decode, PodEventWithResourceVersion) {
  Result<WatchEvent> decoded =
      event(R"({"type":"MODIFIED","object":{"kind":"Pod","metadata":{"name":"p","namespace":"ns",)"
            R"("uid":"u1","resourceVersion":"42","labels":{"a":"b"}},"spec":{"nodeName":"n1",)"
            R"("containers":[{"name":"c","resources":{"requests":{"sgx.intel.com/epc":"1Gi"}}}]},)"
            R"("status":{"phase":"Running"}}})");
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->type, WatchEventType::Modified);
  EXPECT_EQ(decoded->resource_version, "42");
  ASSERT_TRUE(decoded->pod);
  EXPECT_EQ(decoded->pod->key(), "ns/p");
  EXPECT_EQ(decoded->pod->uid, "u1");
  EXPECT_EQ(decoded->pod->node_name, "n1");
  ASSERT_EQ(decoded->pod->containers.size(), 1u);
  EXPECT_EQ(decoded->pod->containers[0].requests.at(0).second, "1Gi");
}

TEST_F(Decode, ObjectBeforeTypeIsAccepted) {
  Result<WatchEvent> decoded =
      event(R"({"object":{"metadata":{"name":"n1","resourceVersion":"7"}},"type":"DELETED"})",
            ResourceKind::Nodes);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->type, WatchEventType::Deleted);
  ASSERT_TRUE(decoded->node);
  EXPECT_EQ(decoded->node->name, "n1");
  EXPECT_EQ(decoded->resource_version, "7");
}

TEST_F(Decode, BookmarkCarriesOnlyTheVersion) {
  Result<WatchEvent> decoded =
      event(R"({"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"900"}}})");
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->type, WatchEventType::Bookmark);
  EXPECT_EQ(decoded->resource_version, "900");
  EXPECT_FALSE(decoded->pod);
}

TEST_F(Decode, ErrorEventCarriesTheStatus) {
  Result<WatchEvent> decoded =
      event(R"j({"type":"ERROR","object":{"kind":"Status","status":"Failure","message":)j"
            R"j("too old resource version: 5 (10)","reason":"Expired","code":410}})j");
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->type, WatchEventType::Error);
  EXPECT_EQ(decoded->status.code, 410);
  EXPECT_EQ(decoded->status.reason, "Expired");
  EXPECT_EQ(decoded->status.message, "too old resource version: 5 (10)");
}

TEST_F(Decode, BadEventsAreErrorsWithPaths) {
  Result<WatchEvent> unknown = event(R"({"type":"RENAMED","object":{}})");
  ASSERT_FALSE(unknown);
  EXPECT_THAT(unknown.error().message, HasSubstr("unknown event type \"RENAMED\""));
  Result<WatchEvent> bad_priority =
      event(R"({"type":"ADDED","object":{"spec":{"priority":"high"}}})");
  ASSERT_FALSE(bad_priority);
  EXPECT_THAT(bad_priority.error().message, HasSubstr("object.spec.priority: expected an int32"));
  EXPECT_FALSE(event(R"({"type":"ADDED"})"));
  EXPECT_FALSE(event(R"({"type":"ADDED","object":{"metadata":{"name":"x"})"));
}

TEST_F(Decode, ListPageKeepsGoodItemsAndReportsBadOnes) {
  Result<ListPage> page =
      list(R"({"kind":"PodList","items":[{"metadata":{"name":"a","namespace":"d"}},)"
           R"({"metadata":{"name":"b"},"spec":{"priority":"high"}},{"metadata":{"name":"c"}}],)"
           R"("metadata":{"resourceVersion":"55","continue":"tok","remainingItemCount":3}})",
           ResourceKind::Pods);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->pods.size(), 2u);
  EXPECT_EQ(page->pods[0].name, "a");
  EXPECT_EQ(page->pods[1].name, "c");
  ASSERT_EQ(page->item_errors.size(), 1u);
  EXPECT_THAT(page->item_errors[0].message, HasSubstr("items[1].spec.priority: expected an int32"));
  EXPECT_EQ(page->resource_version, "55");
  EXPECT_EQ(page->continue_token, "tok");
}

TEST_F(Decode, ListWithoutVersionIsAnError) {
  Result<ListPage> page = list(R"({"items":[]})", ResourceKind::Nodes);
  ASSERT_FALSE(page);
  EXPECT_THAT(page.error().message, HasSubstr("resourceVersion"));
}

TEST_F(Decode, StatusBody) {
  std::string body =
      R"({"kind":"Status","message":"pod x is already assigned to node \"y\"","code":409})";
  pad_body(body);
  Result<ApiStatus> status = decode_status(parsers_, body);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->code, 409);
  EXPECT_EQ(status->message, "pod x is already assigned to node \"y\"");
}

// One object as a GET returns it (a recheck's read).
TEST_F(Decode, SingleObjects) {
  std::string node_body = R"({"kind":"Node","metadata":{"name":"n1"},"status":{"allocatable":)"
                          R"({"sgx.intel.com/epc":"64Mi"}}})";
  pad_body(node_body);
  Result<Node> node = decode_node_object(parsers_, node_body, epc_);
  ASSERT_TRUE(node) << node.error().message;
  EXPECT_EQ(node->name, "n1");
  std::string pod_body =
      R"({"kind":"Pod","metadata":{"name":"p","namespace":"ns","uid":"u"},)"
      R"("spec":{"nodeName":"n1","containers":[]},"status":{"phase":"Succeeded"}})";
  pad_body(pod_body);
  Result<Pod> pod = decode_pod_object(parsers_, pod_body, epc_);
  ASSERT_TRUE(pod) << pod.error().message;
  EXPECT_EQ(pod->key(), "ns/p");
  EXPECT_EQ(pod->phase, PodPhase::Succeeded);

  std::string nameless = R"({"kind":"Pod","metadata":{}})";
  pad_body(nameless);
  EXPECT_EQ(decode_pod_object(parsers_, nameless, epc_).error().message,
            "pod: missing metadata.name");
  std::string truncated = R"({"kind":"Node","metadata":{"name":)";
  pad_body(truncated);
  EXPECT_FALSE(decode_node_object(parsers_, truncated, epc_));
}

TEST(ReflectorReadiness, ReasonsNameTheResourceAndTheError) {
  const auto now = ReflectorStatus::Clock::now();
  ReflectorStatus status;
  status.last_error = "connection refused";
  Readiness waiting =
      reflector_readiness(ResourceKind::Pods, status, now, std::chrono::seconds(30));
  EXPECT_FALSE(waiting.ready);
  EXPECT_EQ(waiting.reason, "waiting for the first list of pods: connection refused");
  EXPECT_TRUE(waiting.starting);  // worth a verb's short wait

  status.synced = true;
  status.failing_since = now - std::chrono::seconds(42);
  Readiness stale = reflector_readiness(ResourceKind::Pods, status, now, std::chrono::seconds(30));
  EXPECT_FALSE(stale.ready);
  EXPECT_EQ(stale.reason, "pods watch failing since 42s: connection refused");
  EXPECT_FALSE(stale.starting);  // lasting: not waited for

  status.failing_since = now - std::chrono::seconds(5);
  EXPECT_TRUE(
      reflector_readiness(ResourceKind::Nodes, status, now, std::chrono::seconds(30)).ready);
}

TEST(BackoffDelays, DoubleWithinJitterUpToTheMaximumAndReset) {
  Backoff backoff({std::chrono::milliseconds(100), std::chrono::milliseconds(1000), 0.2});
  const int expected[] = {100, 200, 400, 800, 1000, 1000};
  for (int base : expected) {
    const auto delay = backoff.next().count();
    EXPECT_GE(delay, base * 8 / 10);
    EXPECT_LE(delay, base * 12 / 10);
  }
  backoff.reset();
  EXPECT_LE(backoff.next().count(), 120);
}

}  // namespace
}  // namespace epc
