// Reading Kubernetes List documents into ClusterObjects: the API server's typed lists (items
// without kind), what consolidation reads of a pod (owner, labels, age, mirror) and of a
// PodDisruptionBudget (selector as the eviction API reads it, disruptionsAllowed), and errors
// that name the offending value.
#include "scheduler/state/cluster_objects.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "scheduler/wire/extender_codec.h"

namespace epc {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

const EpcResources kEpc = EpcResources::defaults();

Result<ClusterObjects> read(std::string json, PodDetail detail = PodDetail::kDisruption) {
  pad_body(json);
  return read_cluster_objects(json, kEpc, detail);
}

std::string error_of(std::string json) {
  const Result<ClusterObjects> objects = read(std::move(json));
  return objects.ok() ? "(read)" : objects.error().message;
}

const char* const kPodList = R"({"kind":"PodList","apiVersion":"v1","metadata":{},"items":[
  {"metadata":{"name":"web-1","namespace":"shop","uid":"u1",
     "creationTimestamp":"2026-12-06T14:13:18Z",
     "labels":{"app":"web","tier":"front"},
     "annotations":{"epc-extender.io/evict":"never","kubectl.kubernetes.io/last-applied-configuration":"{}"},
     "ownerReferences":[
       {"apiVersion":"v1","kind":"ConfigMap","name":"c","uid":"x"},
       {"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-5f","uid":"y","controller":true}]},
   "spec":{"nodeName":"n1","containers":[{"name":"a","resources":{"requests":{"sgx.intel.com/epc":"1Gi"}}}]},
   "status":{"phase":"Running"}},
  {"metadata":{"name":"kube-proxy-n1","namespace":"kube-system","uid":"u2",
     "annotations":{"kubernetes.io/config.mirror":"abc"},
     "ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"n1","uid":"z","controller":true}]},
   "spec":{"nodeName":"n1","containers":[{"name":"p"}]},"status":{"phase":"Running"}}]})";

TEST(ClusterObjects, ApiListsGiveTheirItemsTheListsKind) {
  const Result<ClusterObjects> objects = read(kPodList);
  ASSERT_TRUE(objects.ok()) << objects.error().message;
  ASSERT_EQ(objects->pods.size(), 2u);
  EXPECT_TRUE(objects->nodes.empty());
}

TEST(ClusterObjects, ConsolidationReadsOwnerLabelsAgeAndMirror) {
  const Result<ClusterObjects> objects = read(kPodList);
  ASSERT_TRUE(objects.ok()) << objects.error().message;
  const Pod& web = objects->pods[0];
  EXPECT_EQ(web.controller_kind, "ReplicaSet");  // the controller, not the first reference
  EXPECT_THAT(web.labels, ElementsAre(Pair("app", "web"), Pair("tier", "front")));
  EXPECT_EQ(web.created_unix_seconds, 1796566398);
  EXPECT_FALSE(web.mirror);
  // Only the extender's own annotations are kept.
  EXPECT_THAT(web.annotations, ElementsAre(Pair("epc-extender.io/evict", "never")));
  const Pod& proxy = objects->pods[1];
  EXPECT_TRUE(proxy.mirror);
  EXPECT_TRUE(proxy.annotations.empty());
  EXPECT_EQ(proxy.created_unix_seconds, 0);  // not given: unknown
}

TEST(ClusterObjects, PlacementLeavesConsolidationsFactsUnread) {
  const Result<ClusterObjects> objects = read(kPodList, PodDetail::kPlacement);
  ASSERT_TRUE(objects.ok()) << objects.error().message;
  const Pod& web = objects->pods[0];
  EXPECT_EQ(web.controller_kind, "");
  EXPECT_TRUE(web.labels.empty());
  EXPECT_EQ(web.created_unix_seconds, 0);
  EXPECT_FALSE(objects->pods[1].mirror);
}

TEST(ClusterObjects, ConsolidationSeesDrainTaintsAndPodsBeingDeleted) {
  const Result<ClusterObjects> objects = read(R"({"kind":"List","items":[
    {"kind":"Node","metadata":{"name":"n1"},"spec":{"taints":[
       {"key":"dedicated","value":"sgx","effect":"NoSchedule"},
       {"key":"epc-extender.io/consolidating","value":"1765000000","effect":"PreferNoSchedule"}]}},
    {"kind":"Node","metadata":{"name":"n2"},"spec":{"taints":[
       {"key":"epc-extender.io/consolidating","value":"1765000000","effect":"NoSchedule"}]}},
    {"kind":"Node","metadata":{"name":"n3"},"spec":{"taints":null}},
    {"kind":"Pod","metadata":{"name":"going","namespace":"a",
       "deletionTimestamp":"2026-12-06T14:13:18Z"},"spec":{"nodeName":"n1"}},
    {"kind":"Pod","metadata":{"name":"staying","namespace":"a","deletionTimestamp":null},
     "spec":{"nodeName":"n1"}}]})");
  ASSERT_TRUE(objects.ok()) << objects.error().message;
  ASSERT_EQ(objects->nodes.size(), 3u);
  EXPECT_EQ(objects->nodes[0].draining_since, 1765000000);
  EXPECT_EQ(objects->nodes[1].draining_since, std::nullopt);  // another effect: not ours
  EXPECT_EQ(objects->nodes[2].draining_since, std::nullopt);
  EXPECT_TRUE(objects->pods[0].terminating);
  EXPECT_FALSE(objects->pods[1].terminating);
  EXPECT_EQ(error_of(R"({"kind":"List","items":[{"kind":"Node","metadata":{"name":"n1"},
    "spec":{"taints":[{"key":7}]}}]})"),
            "items[0].spec.taints[0].key: expected a string, got number 7");
}

TEST(ClusterObjects, BadCreationTimesAreNamed) {
  EXPECT_EQ(
      error_of(R"({"kind":"PodList","items":[{"metadata":{"name":"p",
                        "creationTimestamp":"last week"}}]})"),
      R"(items[0].metadata.creationTimestamp: invalid RFC 3339 time "last week": expected a date YYYY-MM-DD)");
}

TEST(ClusterObjects, BudgetSelectorsReadAsTheEvictionApiReadsThem) {
  const Result<ClusterObjects> objects = read(R"({"kind":"PodDisruptionBudgetList","items":[
    {"metadata":{"name":"web","namespace":"shop"},
     "spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"web"},
       "matchExpressions":[{"key":"tier","operator":"In","values":["front","edge"]}]}},
     "status":{"disruptionsAllowed":2}},
    {"metadata":{"name":"everything","namespace":"shop"},"spec":{"selector":{}},
     "status":{"disruptionsAllowed":0}},
    {"metadata":{"name":"nothing","namespace":"shop"},"spec":{"selector":null}}]})");
  ASSERT_TRUE(objects.ok()) << objects.error().message;
  ASSERT_EQ(objects->budgets.size(), 3u);
  Pod web;
  web.namespace_name = "shop";
  web.labels = {{"app", "web"}, {"tier", "front"}};
  Pod other = web;
  other.labels = {{"app", "web"}, {"tier", "back"}};
  Pod elsewhere = web;
  elsewhere.namespace_name = "default";

  const DisruptionBudget& selective = objects->budgets[0];
  EXPECT_EQ(selective.key(), "shop/web");
  EXPECT_EQ(selective.disruptions_allowed, 2);
  EXPECT_TRUE(selective.covers(web));
  EXPECT_FALSE(selective.covers(other));
  EXPECT_FALSE(selective.covers(elsewhere));
  // policy/v1: {} covers every pod of the namespace, a null selector none.
  EXPECT_TRUE(objects->budgets[1].covers(other));
  EXPECT_FALSE(objects->budgets[1].covers(elsewhere));
  EXPECT_FALSE(objects->budgets[2].covers(web));
  EXPECT_EQ(objects->budgets[2].disruptions_allowed, 0);
}

TEST(ClusterObjects, InvalidBudgetsAreNamed) {
  EXPECT_EQ(
      error_of(R"({"kind":"List","items":[{"kind":"PodDisruptionBudget",
      "metadata":{"name":"b"},"spec":{"selector":{"matchExpressions":[
      {"key":"app","operator":"Gt","values":["1"]}]}}}]})"),
      R"(items[0].spec.selector.matchExpressions[0].operator: unknown label selector operator "Gt" (expected In, NotIn, Exists or DoesNotExist))");
  EXPECT_EQ(
      error_of(R"({"kind":"List","items":[{"kind":"PodDisruptionBudget",
      "metadata":{"name":"b"},"spec":{"selector":{"matchExpressions":[
      {"key":"app","operator":"In"}]}}}]})"),
      R"(items[0].spec.selector: matchExpressions "app": In and NotIn need at least one value)");
  EXPECT_EQ(error_of(R"({"kind":"List","items":[{"kind":"PodDisruptionBudget",
      "metadata":{"name":"b"},"status":{"disruptionsAllowed":-1}}]})"),
            "items[0].status.disruptionsAllowed: must not be negative, got -1");
  EXPECT_EQ(error_of(R"({"kind":"List","items":[{"kind":"PodDisruptionBudget","metadata":{}}]})"),
            "items[0]: PodDisruptionBudget without metadata.name");
}

}  // namespace
}  // namespace epc
