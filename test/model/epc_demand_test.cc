#include "model/epc_demand.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "builders.h"

namespace epc {
namespace {

constexpr int64_t kMi = int64_t{1} << 20;
const std::string kIntel = "sgx.intel.com/epc";
const std::string kAzure = "kubernetes.azure.com/sgx_epc_mem_in_MiB";
const std::string kAlibaba = "alibabacloud.com/sgx_epc_MiB";

using testing_builders::container;

ContainerResources requesting(const std::string& quantity, const std::string& name = "") {
  return container({{kIntel, quantity}}, {}, name);
}

InitContainer init(const std::string& quantity, bool restartable) {
  return InitContainer{.resources = requesting(quantity), .restartable = restartable};
}

// Each EPC name the demand asks for, with its bytes.
using Requests = std::vector<std::pair<std::string, int64_t>>;
Requests requests_of(const EpcDemand& demand) {
  Requests requests;
  for (size_t i = 0; i < demand.request_count(); ++i) {
    requests.emplace_back(demand.request(i).resource, demand.request(i).bytes);
  }
  return requests;
}

int64_t demand_of(const Pod& pod) {
  const auto demand = epc_demand(pod, EpcResources::defaults());
  EXPECT_TRUE(demand.ok()) << demand.error().message;
  return demand.ok() ? demand->bytes : -1;
}

TEST(EpcDemand, SumsAppContainers) {
  Pod pod;
  pod.containers = {requesting("64Mi"), requesting("32Mi"), ContainerResources{}};
  EXPECT_EQ(demand_of(pod), 96 * kMi);
}

TEST(EpcDemand, RegularInitContainersOnlyBoundTheDemand) {
  Pod pod;
  pod.containers = {requesting("64Mi")};
  pod.init_containers = {init("100Mi", false), init("16Mi", false)};
  EXPECT_EQ(demand_of(pod), 100 * kMi);
  pod.init_containers = {init("16Mi", false), init("32Mi", false)};
  EXPECT_EQ(demand_of(pod), 64 * kMi);
}

TEST(EpcDemand, SidecarBeforeARegularInitContainerAddsToIt) {
  Pod pod;
  pod.containers = {requesting("10Mi")};
  // The sidecar runs beside the init container that follows it: 20 + 50 = 70.
  pod.init_containers = {init("20Mi", true), init("50Mi", false)};
  EXPECT_EQ(demand_of(pod), 70 * kMi);
}

TEST(EpcDemand, SidecarAfterARegularInitContainerDoesNotAddToIt) {
  Pod pod;
  pod.containers = {requesting("10Mi")};
  // The regular init container finished before the sidecar started: max(50, 20, 10 + 20) = 50.
  pod.init_containers = {init("50Mi", false), init("20Mi", true)};
  EXPECT_EQ(demand_of(pod), 50 * kMi);
}

TEST(EpcDemand, SidecarsAddToTheAppContainersWhenThoseDominate) {
  Pod pod;
  pod.containers = {requesting("40Mi")};
  pod.init_containers = {init("8Mi", true), init("30Mi", false), init("4Mi", true)};
  // Apps with sidecars: 40 + 8 + 4 = 52; the regular init container peaks at 8 + 30 = 38.
  EXPECT_EQ(demand_of(pod), 52 * kMi);
}

TEST(EpcDemand, OverheadIsAddedOnTop) {
  Pod pod;
  pod.containers = {requesting("64Mi")};
  pod.init_containers = {init("100Mi", false)};
  pod.overhead = {{kIntel, "1Mi"}, {"memory", "120Mi"}};
  EXPECT_EQ(demand_of(pod), 101 * kMi);
}

TEST(EpcDemand, ALimitStandsInForAMissingRequestButNotForAPresentOne) {
  Pod pod;
  pod.containers = {container({}, {{kIntel, "8Mi"}}),
                    container({{kIntel, "2Mi"}}, {{kIntel, "4Mi"}})};
  EXPECT_EQ(demand_of(pod), 10 * kMi);
}

TEST(EpcDemand, SumsEveryEpcNameInBytes) {
  Pod pod;
  pod.containers = {container({{"cpu", "1"}, {kAzure, "2"}}),
                    container({{kIntel, "1Mi"}, {kAlibaba, "3"}})};
  const auto demand = epc_demand(pod, EpcResources::defaults());
  ASSERT_TRUE(demand.ok()) << demand.error().message;
  EXPECT_EQ(demand->bytes, 6 * kMi);
  // The first EPC name the pod mentions, app containers first.
  EXPECT_EQ(demand->resource, kAzure);
  // Each name's own bytes, which the node must offer under that name.
  EXPECT_EQ(requests_of(*demand),
            (Requests{{kIntel, kMi}, {kAzure, 2 * kMi}, {kAlibaba, 3 * kMi}}));
}

TEST(EpcDemand, OneNameAskedForIsOneRequest) {
  Pod pod;
  pod.containers = {requesting("64Mi"), requesting("32Mi")};
  const auto demand = epc_demand(pod, EpcResources::defaults());
  ASSERT_TRUE(demand.ok());
  EXPECT_TRUE(demand->by_resource.empty());
  EXPECT_EQ(requests_of(*demand), (Requests{{kIntel, 96 * kMi}}));

  // A name mentioned with 0 asks for nothing: the pod asks under the other name alone.
  pod.containers = {requesting("0"), container({{kAzure, "8"}})};
  const auto zero_and_azure = epc_demand(pod, EpcResources::defaults());
  ASSERT_TRUE(zero_and_azure.ok());
  EXPECT_EQ(zero_and_azure->resource, kAzure);
  EXPECT_EQ(requests_of(*zero_and_azure), (Requests{{kAzure, 8 * kMi}}));
}

// Kubernetes applies the effective-request rule to each resource on its own; the total, what the
// pod commits, stays the rule over every name's bytes.
TEST(EpcDemand, EachNamesRequestFollowsTheRuleOnItsOwn) {
  Pod pod;
  pod.containers = {container({{kAzure, "10"}})};
  pod.init_containers = {init("10Mi", false)};
  const auto demand = epc_demand(pod, EpcResources::defaults());
  ASSERT_TRUE(demand.ok());
  EXPECT_EQ(demand->bytes, 10 * kMi);
  EXPECT_EQ(requests_of(*demand), (Requests{{kIntel, 10 * kMi}, {kAzure, 10 * kMi}}));
}

TEST(EpcDemand, ResourceComesFromInitContainersWhenAppsNameNone) {
  Pod pod;
  pod.containers = {container({{"cpu", "1"}})};
  pod.init_containers = {
      InitContainer{.resources = container({}, {{kAlibaba, "1"}}), .restartable = false}};
  const auto demand = epc_demand(pod, EpcResources::defaults());
  ASSERT_TRUE(demand.ok());
  EXPECT_EQ(demand->resource, kAlibaba);
  EXPECT_EQ(demand->bytes, kMi);
}

TEST(EpcDemand, PodsWithoutEpcOrWithZeroEpcNeedNone) {
  Pod plain;
  plain.containers = {container({{"cpu", "1"}, {"memory", "1Gi"}})};
  const auto none = epc_demand(plain, EpcResources::defaults());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->needs_epc());
  EXPECT_EQ(none->resource, "");

  Pod zero;
  zero.containers = {requesting("0")};
  const auto zero_demand = epc_demand(zero, EpcResources::defaults());
  ASSERT_TRUE(zero_demand.ok());
  EXPECT_FALSE(zero_demand->needs_epc());
  EXPECT_EQ(zero_demand->resource, kIntel);
}

TEST(EpcDemand, CarriesWhichNodeConditionsThePodTolerates) {
  Pod pod;
  pod.containers = {requesting("1Mi")};
  const auto none = epc_demand(pod, EpcResources::defaults());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->tolerates.unschedulable);
  EXPECT_FALSE(none->tolerates.not_ready);
  EXPECT_FALSE(none->tolerates.unreachable);

  pod.tolerations = {
      Toleration{.key = "node.kubernetes.io/unschedulable", .op = TolerationOperator::kExists},
      Toleration{.key = "node.kubernetes.io/unreachable",
                 .op = TolerationOperator::kExists,
                 .effect = "NoExecute"}};
  const auto some = epc_demand(pod, EpcResources::defaults());
  ASSERT_TRUE(some.ok());
  EXPECT_TRUE(some->tolerates.unschedulable);
  EXPECT_FALSE(some->tolerates.not_ready);
  EXPECT_FALSE(some->tolerates.unreachable);
}

TEST(EpcDemand, InvalidQuantitiesNameTheContainer) {
  Pod pod;
  pod.containers = {requesting("1Mi", "c0"), requesting("100m", "c1")};
  auto demand = epc_demand(pod, EpcResources::defaults());
  ASSERT_FALSE(demand.ok());
  EXPECT_EQ(demand.error().message,
            R"(container "c1": sgx.intel.com/epc: invalid quantity "100m": not a whole number)");

  pod.containers = {requesting("1Mi")};
  pod.init_containers = {init("x", true)};
  demand = epc_demand(pod, EpcResources::defaults());
  ASSERT_FALSE(demand.ok());
  EXPECT_EQ(demand.error().message,
            R"(init container #0: sgx.intel.com/epc: invalid quantity "x": no digits)");

  pod.init_containers = {};
  pod.overhead = {{kAzure, "-2"}};
  demand = epc_demand(pod, EpcResources::defaults());
  ASSERT_FALSE(demand.ok());
  EXPECT_EQ(
      demand.error().message,
      R"(overhead: kubernetes.azure.com/sgx_epc_mem_in_MiB: invalid quantity "-2": negative)");
}

TEST(EpcDemand, ATotalBeyondInt64IsAnError) {
  Pod pod;
  pod.namespace_name = "default";
  pod.name = "big";
  pod.containers = {requesting("7Ei"), requesting("7Ei")};
  const auto demand = epc_demand(pod, EpcResources::defaults());
  ASSERT_FALSE(demand.ok());
  EXPECT_EQ(demand.error().message, "pod default/big: total EPC demand exceeds " +
                                        std::to_string(std::numeric_limits<int64_t>::max()) +
                                        " bytes");
}

}  // namespace
}  // namespace epc
