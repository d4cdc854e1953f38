#include "model/label_selector.h"

#include <gtest/gtest.h>

namespace epc {
namespace {

const Labels kConfpool{{"agentpool", "confpool"}, {"intel.feature.node.kubernetes.io/sgx", "true"}};
const Labels kGeneral{{"agentpool", "general"}};

LabelSelector parsed(const std::string& text) {
  auto selector = LabelSelector::parse(text);
  EXPECT_TRUE(selector.ok()) << selector.error().message;
  return selector.ok() ? *selector : LabelSelector{};
}

TEST(LabelSelector, EveryOperatorMatchesAsKubernetesDoes) {
  EXPECT_TRUE(parsed("agentpool=confpool").matches(kConfpool));
  EXPECT_TRUE(parsed("agentpool==confpool").matches(kConfpool));
  EXPECT_FALSE(parsed("agentpool=confpool").matches(kGeneral));
  EXPECT_TRUE(parsed("agentpool!=confpool").matches(kGeneral));
  EXPECT_TRUE(parsed("zone!=a").matches(kGeneral));  // != matches a missing key
  EXPECT_TRUE(parsed("agentpool in (confpool, dcpool)").matches(kConfpool));
  EXPECT_FALSE(parsed("agentpool in (dcpool)").matches(kConfpool));
  EXPECT_TRUE(parsed("agentpool notin (confpool)").matches(kGeneral));
  EXPECT_TRUE(parsed("zone notin (a)").matches(kGeneral));
  EXPECT_TRUE(parsed("intel.feature.node.kubernetes.io/sgx").matches(kConfpool));
  EXPECT_FALSE(parsed("intel.feature.node.kubernetes.io/sgx").matches(kGeneral));
  EXPECT_TRUE(parsed("!intel.feature.node.kubernetes.io/sgx").matches(kGeneral));
  EXPECT_FALSE(parsed("!intel.feature.node.kubernetes.io/sgx").matches(kConfpool));
}

TEST(LabelSelector, CommasJoinRequirementsThatMustAllHold) {
  const LabelSelector both =
      parsed("agentpool in (confpool), intel.feature.node.kubernetes.io/sgx=true");
  EXPECT_EQ(both.requirements().size(), 2u);
  EXPECT_TRUE(both.matches(kConfpool));
  EXPECT_FALSE(both.matches(Labels{{"agentpool", "confpool"}}));
}

TEST(LabelSelector, AnEmptySelectorMatchesNoNode) {
  EXPECT_TRUE(parsed("").empty());
  EXPECT_FALSE(parsed("  ").matches(kConfpool));
}

TEST(LabelSelector, ErrorsEchoTheTextAndThePosition) {
  EXPECT_EQ(LabelSelector::parse("a in (x").error().message,
            R"x(invalid label selector "a in (x": missing ")" at position 8)x");
  EXPECT_EQ(LabelSelector::parse("a in x").error().message,
            R"x(invalid label selector "a in x": expected "(" at position 6)x");
  EXPECT_EQ(LabelSelector::parse("a=b c").error().message,
            R"(invalid label selector "a=b c": expected "," or the end at position 5)");
  EXPECT_EQ(LabelSelector::parse("=b").error().message,
            R"(invalid label selector "=b": expected a label key at position 1)");
}

TEST(LabelSelector, BuiltFromMatchLabelsAndMatchExpressions) {
  auto selector = LabelSelector::from_match(
      {{"agentpool", "confpool"}},
      {{"intel.feature.node.kubernetes.io/sgx", LabelOperator::kExists, {}},
       {"zone", LabelOperator::kNotIn, {"a", "b"}}});
  ASSERT_TRUE(selector.ok()) << selector.error().message;
  EXPECT_TRUE(selector->matches(kConfpool));
  EXPECT_FALSE(selector->matches(kGeneral));
  EXPECT_EQ(selector->text(),
            "agentpool=confpool,intel.feature.node.kubernetes.io/sgx,zone notin (a,b)");
  // Empty: matches nothing, as the eviction API reads an empty PodDisruptionBudget selector.
  auto empty = LabelSelector::from_match({}, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->matches(kConfpool));
}

TEST(LabelSelector, MatchExpressionsAreValidatedAsTheApiDoes) {
  EXPECT_EQ(LabelSelector::from_match({}, {{"app", LabelOperator::kIn, {}}}).error().message,
            "matchExpressions \"app\": In and NotIn need at least one value");
  EXPECT_EQ(LabelSelector::from_match({}, {{"app", LabelOperator::kExists, {"x"}}}).error().message,
            "matchExpressions \"app\": Exists and DoesNotExist take no values");
  EXPECT_EQ(LabelSelector::from_match({}, {{"app", LabelOperator::kEquals, {"x"}}}).error().message,
            "matchExpressions \"app\": the operator must be In, NotIn, Exists or DoesNotExist");
}

}  // namespace
}  // namespace epc
