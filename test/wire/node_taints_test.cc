// A Node's resourceVersion and taints as read, errors that name the path, and the exact JSON
// Patches that add or remove one taint.
#include "scheduler/wire/node_taints.h"

#include <gtest/gtest.h>

#include <string>

#include "scheduler/wire/extender_codec.h"

namespace epc {
namespace {

Result<NodeTaints> read(std::string json) {
  pad_body(json);
  return read_node_taints(json);
}

std::string error_of(std::string json) {
  const Result<NodeTaints> node = read(std::move(json));
  return node ? "(read)" : node.error().message;
}

TEST(NodeTaints, ReadsTheResourceVersionAndEveryTaintInOrder) {
  const Result<NodeTaints> node = read(R"({"kind":"Node","metadata":{"name":"n1",
      "resourceVersion":"4711","labels":{"a":"b"}},"spec":{"podCIDR":"10.0.0.0/24","taints":[
      {"key":"a","value":"x","effect":"NoSchedule"},
      {"key":"b","effect":"NoExecute","timeAdded":"2026-01-01T00:00:00Z"}]},"status":{}})");
  ASSERT_TRUE(node) << node.error().message;
  EXPECT_EQ(node->resource_version, "4711");
  ASSERT_EQ(node->taints.size(), 2u);
  EXPECT_EQ(node->taints[0].key, "a");
  EXPECT_EQ(node->taints[0].value, "x");
  EXPECT_EQ(node->taints[0].effect, "NoSchedule");
  EXPECT_EQ(node->taints[1].key, "b");
  EXPECT_EQ(node->taints[1].value, "");
  EXPECT_EQ(node->taints[1].effect, "NoExecute");
}

TEST(NodeTaints, NoSpecOrNullTaintsIsNoTaints) {
  Result<NodeTaints> node = read(R"({"metadata":{"resourceVersion":"1"}})");
  ASSERT_TRUE(node) << node.error().message;
  EXPECT_TRUE(node->taints.empty());
  node = read(R"({"metadata":{"resourceVersion":"1"},"spec":{"taints":null}})");
  ASSERT_TRUE(node) << node.error().message;
  EXPECT_TRUE(node->taints.empty());
}

TEST(NodeTaints, BadInputNamesThePath) {
  EXPECT_EQ(error_of(R"({"metadata":{"resourceVersion":"1"},"spec":{"taints":[{"key":"a"},
      {"key":3}]}})"),
            "spec.taints[1].key: expected a string, got number 3");
  EXPECT_EQ(error_of(R"({"metadata":{"resourceVersion":"1"},"spec":{"taints":{}}})"),
            "spec.taints: expected an array, got object");
  EXPECT_EQ(error_of(R"({"metadata":{"name":"n1"}})"), "metadata.resourceVersion: missing");
  EXPECT_NE(error_of("[]"), "(read)");
}

TEST(NodeTaints, AddToANodeWithoutTaintsCreatesTheList) {
  EXPECT_EQ(
      encode_add_taint_patch("42", false, {"k", "v", "NoSchedule"}),
      R"([{"op":"test","path":"/metadata/resourceVersion","value":"42"},)"
      R"({"op":"add","path":"/spec/taints","value":[{"key":"k","value":"v","effect":"NoSchedule"}]}])");
}

TEST(NodeTaints, AddToANodeWithTaintsAppendsAndLeavesAnEmptyValueOut) {
  EXPECT_EQ(
      encode_add_taint_patch("42", true, {"k\"q", "", "NoSchedule"}),
      R"([{"op":"test","path":"/metadata/resourceVersion","value":"42"},)"
      R"({"op":"add","path":"/spec/taints/-","value":{"key":"k\"q","effect":"NoSchedule"}}])");
}

TEST(NodeTaints, RemoveNamesTheIndex) {
  EXPECT_EQ(encode_remove_taint_patch("7", 3),
            R"([{"op":"test","path":"/metadata/resourceVersion","value":"7"},)"
            R"({"op":"remove","path":"/spec/taints/3"}])");
}

}  // namespace
}  // namespace epc
