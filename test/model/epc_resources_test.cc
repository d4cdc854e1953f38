#include "model/epc_resources.h"

#include <gtest/gtest.h>

#include <limits>

namespace epc {
namespace {

constexpr int64_t kMi = int64_t{1} << 20;

TEST(EpcResources, DefaultsKnowTheThreeDevicePluginsInPreferenceOrder) {
  const EpcResources resources = EpcResources::defaults();
  ASSERT_EQ(resources.all().size(), 3u);
  EXPECT_EQ(resources.all()[0].name, "sgx.intel.com/epc");
  EXPECT_EQ(resources.all()[0].bytes_per_unit, 1);
  EXPECT_EQ(resources.all()[1].name, "kubernetes.azure.com/sgx_epc_mem_in_MiB");
  EXPECT_EQ(resources.all()[1].bytes_per_unit, kMi);
  EXPECT_EQ(resources.all()[2].name, "alibabacloud.com/sgx_epc_MiB");
  EXPECT_EQ(resources.all()[2].bytes_per_unit, kMi);
  EXPECT_TRUE(resources.is_epc("alibabacloud.com/sgx_epc_MiB"));
  EXPECT_FALSE(resources.is_epc("memory"));
  EXPECT_EQ(resources.find("cpu"), nullptr);
}

TEST(EpcResources, IntelQuantitiesAreBytesSoABareNumberStaysBytes) {
  const EpcResources resources = EpcResources::defaults();
  const EpcResource& intel = *resources.find("sgx.intel.com/epc");
  EXPECT_EQ(*resources.to_bytes(intel, "10"), 10);
  EXPECT_EQ(*resources.to_bytes(intel, "64Mi"), 64 * kMi);
}

TEST(EpcResources, MiBNamesMultiplyBareCounts) {
  const EpcResources resources = EpcResources::defaults();
  const EpcResource& azure = *resources.find("kubernetes.azure.com/sgx_epc_mem_in_MiB");
  const EpcResource& alibaba = *resources.find("alibabacloud.com/sgx_epc_MiB");
  EXPECT_EQ(*resources.to_bytes(azure, "10"), 10 * kMi);
  EXPECT_EQ(*resources.to_bytes(alibaba, "1k"), 1000 * kMi);
  EXPECT_EQ(*resources.to_bytes(azure, "0"), 0);
}

TEST(EpcResources, ErrorsNameTheResourceAndEchoTheQuantity) {
  const EpcResources resources = EpcResources::defaults();
  const EpcResource& intel = *resources.find("sgx.intel.com/epc");
  const EpcResource& azure = *resources.find("kubernetes.azure.com/sgx_epc_mem_in_MiB");

  const auto fractional = resources.to_bytes(intel, "1.5");
  ASSERT_FALSE(fractional.ok());
  EXPECT_EQ(fractional.error().message,
            R"(sgx.intel.com/epc: invalid quantity "1.5": not a whole number)");

  const auto negative = resources.to_bytes(azure, "-1");
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.error().message,
            R"(kubernetes.azure.com/sgx_epc_mem_in_MiB: invalid quantity "-1": negative)");

  // 2^43 MiB = 2^63 bytes: one past int64.
  const auto overflow = resources.to_bytes(azure, "8Ti");
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.error().message,
            R"(kubernetes.azure.com/sgx_epc_mem_in_MiB: invalid quantity "8Ti": out of range )"
            R"(in bytes (8796093022208 x 1048576 bytes per unit))");
  // One MiB less fits exactly.
  EXPECT_EQ(*resources.to_bytes(azure, "8796093022207"),
            std::numeric_limits<int64_t>::max() - kMi + 1);
}

TEST(EpcResources, CustomResourcesUseTheirOwnUnits) {
  const EpcResources resources({{"example.com/epc-pages", 4096}});
  EXPECT_EQ(*resources.to_bytes(resources.all()[0], "3"), 3 * 4096);
  EXPECT_FALSE(resources.is_epc("sgx.intel.com/epc"));
}

}  // namespace
}  // namespace epc
