#include "model/epc_capacity.h"

#include <gtest/gtest.h>

#include "model/node_record.h"

namespace epc {
namespace {

constexpr int64_t kMi = int64_t{1} << 20;

Node node_with(ResourceList allocatable, ResourceList capacity) {
  Node node;
  node.name = "n1";
  node.allocatable = std::move(allocatable);
  node.capacity = std::move(capacity);
  return node;
}

TEST(EpcCapacity, AllocatableIsAuthoritative) {
  const auto capacity =
      epc_capacity(node_with({{"sgx.intel.com/epc", "90Mi"}}, {{"sgx.intel.com/epc", "128Mi"}}),
                   EpcResources::defaults());
  ASSERT_TRUE(capacity.ok()) << capacity.error().message;
  EXPECT_EQ(capacity->bytes, 90 * kMi);
  EXPECT_EQ(capacity->resource, "sgx.intel.com/epc");
  EXPECT_TRUE(capacity->confidential());
}

TEST(EpcCapacity, CapacityStandsInForANameAllocatableLacks) {
  const auto capacity =
      epc_capacity(node_with({{"cpu", "4"}}, {{"kubernetes.azure.com/sgx_epc_mem_in_MiB", "64"}}),
                   EpcResources::defaults());
  ASSERT_TRUE(capacity.ok());
  EXPECT_EQ(capacity->bytes, 64 * kMi);
  EXPECT_EQ(capacity->resource, "kubernetes.azure.com/sgx_epc_mem_in_MiB");
}

TEST(EpcCapacity, TheFirstConfiguredNameWinsInsteadOfASum) {
  const auto capacity = epc_capacity(
      node_with({{"alibabacloud.com/sgx_epc_MiB", "64"}, {"sgx.intel.com/epc", "32Mi"}},
                {{"kubernetes.azure.com/sgx_epc_mem_in_MiB", "64"}}),
      EpcResources::defaults());
  ASSERT_TRUE(capacity.ok());
  EXPECT_EQ(capacity->bytes, 32 * kMi);
  EXPECT_EQ(capacity->resource, "sgx.intel.com/epc");
  // The other names are kept for pods asking for them.
  ASSERT_EQ(capacity->others.size(), 2u);
  EXPECT_EQ(capacity->bytes_of("sgx.intel.com/epc"), 32 * kMi);
  EXPECT_EQ(capacity->bytes_of("kubernetes.azure.com/sgx_epc_mem_in_MiB"), 64 * kMi);
  EXPECT_EQ(capacity->bytes_of("alibabacloud.com/sgx_epc_MiB"), 64 * kMi);
  EXPECT_EQ(capacity->bytes_of("example.com/epc"), 0);
  EXPECT_EQ(capacity->bytes_of(""), 32 * kMi);
  EXPECT_EQ(capacity->names_text(),
            "sgx.intel.com/epc, kubernetes.azure.com/sgx_epc_mem_in_MiB, "
            "alibabacloud.com/sgx_epc_MiB");
}

// kube-scheduler lets no request through a name with 0 allocatable; the next name may offer EPC.
TEST(EpcCapacity, ANameWithZeroIsNotOffered) {
  const auto capacity = epc_capacity(
      node_with({{"sgx.intel.com/epc", "0"}, {"kubernetes.azure.com/sgx_epc_mem_in_MiB", "64"}},
                {}),
      EpcResources::defaults());
  ASSERT_TRUE(capacity.ok());
  EXPECT_EQ(capacity->resource, "kubernetes.azure.com/sgx_epc_mem_in_MiB");
  EXPECT_EQ(capacity->bytes, 64 * kMi);
  EXPECT_TRUE(capacity->others.empty());
  EXPECT_EQ(capacity->bytes_of("sgx.intel.com/epc"), 0);
}

TEST(EpcCapacity, NodesWithoutOrWithZeroEpcAreGeneral) {
  const auto none = epc_capacity(node_with({{"cpu", "4"}}, {}), EpcResources::defaults());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->confidential());
  EXPECT_EQ(none->resource, "");
  const auto zero =
      epc_capacity(node_with({{"sgx.intel.com/epc", "0"}}, {}), EpcResources::defaults());
  ASSERT_TRUE(zero.ok());
  EXPECT_FALSE(zero->confidential());
  EXPECT_EQ(zero->resource, "");
}

TEST(EpcCapacity, InvalidQuantitiesNameNodeFieldAndResource) {
  auto capacity =
      epc_capacity(node_with({{"sgx.intel.com/epc", "lots"}}, {}), EpcResources::defaults());
  ASSERT_FALSE(capacity.ok());
  EXPECT_EQ(
      capacity.error().message,
      R"(node "n1": status.allocatable sgx.intel.com/epc: invalid quantity "lots": no digits)");
  capacity = epc_capacity(node_with({}, {{"alibabacloud.com/sgx_epc_MiB", "1.5"}}),
                          EpcResources::defaults());
  ASSERT_FALSE(capacity.ok());
  EXPECT_EQ(capacity.error().message,
            R"(node "n1": status.capacity alibabacloud.com/sgx_epc_MiB: invalid quantity "1.5": )"
            R"(not a whole number)");
}

TEST(NodeRecord, CarriesCapacityStateAndUsage) {
  Node node = node_with({{"sgx.intel.com/epc", "128Mi"}}, {});
  node.unschedulable = true;
  node.readiness = NodeReadiness::NotReady;
  node.unreachable = true;
  const NodeRecord record = make_node_record(node, EpcResources::defaults(), 32 * kMi, 2);
  EXPECT_EQ(record.name, "n1");
  EXPECT_EQ(record.epc.bytes, 128 * kMi);
  EXPECT_TRUE(record.capacity_error.empty());
  EXPECT_TRUE(record.unschedulable);
  EXPECT_EQ(record.readiness, NodeReadiness::NotReady);
  EXPECT_TRUE(record.unreachable);
  EXPECT_EQ(record.committed_bytes, 32 * kMi);
  EXPECT_EQ(record.epc_pods, 2);
  EXPECT_EQ(record.free_bytes(), 96 * kMi);
}

TEST(NodeRecord, AnUnreadableCapacityIsRecordedNotFatal) {
  const NodeRecord record =
      make_node_record(node_with({{"sgx.intel.com/epc", "-1"}}, {}), EpcResources::defaults());
  EXPECT_EQ(record.capacity_error,
            R"(node "n1": status.allocatable sgx.intel.com/epc: invalid quantity "-1": negative)");
  EXPECT_EQ(record.epc.bytes, 0);
}

}  // namespace
}  // namespace epc
