#include "model/toleration.h"

#include <gtest/gtest.h>

#include <vector>

namespace epc {
namespace {

constexpr Taint kCordon{kTaintNodeUnschedulable, "", kTaintEffectNoSchedule};

Toleration toleration(std::string key, TolerationOperator op, std::string value = "",
                      std::string effect = "") {
  return {std::move(key), op, std::move(value), std::move(effect)};
}

// The cases of Toleration.ToleratesTaint (staging/src/k8s.io/api/core/v1/toleration.go).
TEST(Tolerates, AnEmptyKeyWithExistsMatchesEveryTaint) {
  const Toleration everything = toleration("", TolerationOperator::kExists);
  EXPECT_TRUE(tolerates(everything, kCordon));
  EXPECT_TRUE(tolerates(everything, Taint{"example.com/gpu", "a100", "NoExecute"}));
  // With an effect, every key of that effect only.
  const Toleration no_schedule =
      toleration("", TolerationOperator::kExists, "", std::string(kTaintEffectNoSchedule));
  EXPECT_TRUE(tolerates(no_schedule, kCordon));
  EXPECT_FALSE(tolerates(no_schedule, Taint{kTaintNodeNotReady, "", "NoExecute"}));
}

TEST(Tolerates, AKeyMustEqualTheTaintsKey) {
  EXPECT_TRUE(tolerates(
      toleration(std::string(kTaintNodeUnschedulable), TolerationOperator::kExists), kCordon));
  EXPECT_FALSE(
      tolerates(toleration(std::string(kTaintNodeNotReady), TolerationOperator::kExists), kCordon));
  // Keys compare exactly.
  EXPECT_FALSE(tolerates(
      toleration("Node.Kubernetes.io/unschedulable", TolerationOperator::kExists), kCordon));
}

TEST(Tolerates, AnEffectMustEqualTheTaintsEffectAndNoEffectMatchesAny) {
  const std::string key(kTaintNodeUnschedulable);
  EXPECT_TRUE(tolerates(toleration(key, TolerationOperator::kExists, "", "NoSchedule"), kCordon));
  EXPECT_TRUE(tolerates(toleration(key, TolerationOperator::kExists, "", ""), kCordon));
  EXPECT_FALSE(tolerates(toleration(key, TolerationOperator::kExists, "", "NoExecute"), kCordon));
  EXPECT_FALSE(
      tolerates(toleration(key, TolerationOperator::kExists, "", "PreferNoSchedule"), kCordon));
}

TEST(Tolerates, EqualComparesValuesAndExistsIgnoresThem) {
  const std::string key = "dedicated";
  const Taint taint{key, "enclaves", "NoSchedule"};
  EXPECT_TRUE(tolerates(toleration(key, TolerationOperator::kEqual, "enclaves"), taint));
  EXPECT_FALSE(tolerates(toleration(key, TolerationOperator::kEqual, "batch"), taint));
  EXPECT_FALSE(tolerates(toleration(key, TolerationOperator::kEqual, ""), taint));
  EXPECT_TRUE(tolerates(toleration(key, TolerationOperator::kExists, "ignored"), taint));
  // The condition taints carry no value: Equal with an empty value matches them.
  EXPECT_TRUE(tolerates(
      toleration(std::string(kTaintNodeUnschedulable), TolerationOperator::kEqual), kCordon));
}

TEST(Tolerates, OtherOperatorsMatchNothing) {
  EXPECT_FALSE(tolerates(toleration("", TolerationOperator::kOther), kCordon));
  EXPECT_FALSE(tolerates(
      toleration(std::string(kTaintNodeUnschedulable), TolerationOperator::kOther, "1"), kCordon));
}

TEST(Tolerates, AnyOfAListWillDo) {
  const std::vector<Toleration> list = {
      toleration(std::string(kTaintNodeNotReady), TolerationOperator::kExists, "", "NoExecute"),
      toleration(std::string(kTaintNodeUnschedulable), TolerationOperator::kExists)};
  EXPECT_TRUE(tolerates(list, kCordon));
  EXPECT_FALSE(tolerates(std::vector<Toleration>{}, kCordon));
}

TEST(PodTolerations, EachConditionByItsNoScheduleTaint) {
  EXPECT_FALSE(pod_tolerations({}).unschedulable);

  const std::vector<Toleration> everything = {toleration("", TolerationOperator::kExists)};
  const PodTolerations all = pod_tolerations(everything);
  EXPECT_TRUE(all.unschedulable);
  EXPECT_TRUE(all.not_ready);
  EXPECT_TRUE(all.unreachable);

  // The admission plugin's defaults are NoExecute: they tolerate none of the three.
  const std::vector<Toleration> defaults = {
      toleration(std::string(kTaintNodeNotReady), TolerationOperator::kExists, "", "NoExecute"),
      toleration(std::string(kTaintNodeUnreachable), TolerationOperator::kExists, "", "NoExecute")};
  const PodTolerations none = pod_tolerations(defaults);
  EXPECT_FALSE(none.unschedulable);
  EXPECT_FALSE(none.not_ready);
  EXPECT_FALSE(none.unreachable);

  const std::vector<Toleration> not_ready = {
      toleration(std::string(kTaintNodeNotReady), TolerationOperator::kEqual, "", "NoSchedule")};
  const PodTolerations only = pod_tolerations(not_ready);
  EXPECT_FALSE(only.unschedulable);
  EXPECT_TRUE(only.not_ready);
  EXPECT_FALSE(only.unreachable);
}

}  // namespace
}  // namespace epc
