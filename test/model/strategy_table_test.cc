// The strategy table (model/scoring/strategies.h) is the one list of strategies: every name the
// model parses, prints or lists in an error comes from it, and every entry scores nodes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "builders.h"
#include "model/pod_policy.h"
#include "model/scoring/node_scorer.h"
#include "model/scoring/strategies.h"

namespace epc {
namespace {

using namespace testing_builders;
using ::testing::Contains;
using ::testing::Each;
using ::testing::Ge;
using ::testing::Le;

constexpr int64_t kGi = int64_t{1} << 30;

// The names as errors should list them, built here from the table itself.
std::string table_names() {
  std::string names;
  for (const ScoringStrategy* strategy : scoring_strategies()) {
    names += (names.empty() ? "" : ", ") + std::string(strategy->name);
  }
  return names;
}

TEST(StrategyTable, EveryEntryRoundTripsThroughParseAndToString) {
  ASSERT_FALSE(scoring_strategies().empty());
  std::set<std::string_view> seen;
  for (const ScoringStrategy* strategy : scoring_strategies()) {
    ASSERT_NE(strategy, nullptr);
    EXPECT_FALSE(strategy->name.empty());
    EXPECT_TRUE(seen.insert(strategy->name).second) << strategy->name << " is listed twice";
    EXPECT_NE(strategy->rank_scores, nullptr) << strategy->name;
    EXPECT_NE(strategy->proportional_score, nullptr) << strategy->name;
    const Result<const ScoringStrategy*> parsed = parse_strategy(strategy->name);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(*parsed, strategy);
    EXPECT_EQ(find_strategy(strategy->name), strategy);
    EXPECT_EQ(to_string(strategy), strategy->name);
  }
}

TEST(StrategyTable, TheDefaultPolicyUsesAnEntryOfTheTable) {
  const PlacementPolicy policy;
  EXPECT_THAT(std::vector(scoring_strategies().begin(), scoring_strategies().end()),
              Contains(policy.strategy));
  EXPECT_EQ(to_string(policy.strategy), "binpack");
}

TEST(StrategyTable, ErrorsListExactlyTheTablesNames) {
  EXPECT_EQ(strategy_names(), table_names());
  EXPECT_EQ(find_strategy("sideways"), nullptr);
  EXPECT_EQ(parse_strategy("sideways").error().message,
            "must be one of " + table_names() + "; got \"sideways\"");

  PlacementPolicy config;
  config.allowed_overrides = {OverrideKey::kStrategy};
  Pod pod = epc_pod("p", "1Gi");
  pod.annotations = {{"epc-extender.io/strategy", "sideways"}};
  EXPECT_EQ(policy_for_pod(std::make_shared<const PlacementPolicy>(config), pod).error().message,
            "invalid annotation epc-extender.io/strategy \"sideways\": must be one of " +
                table_names() + "; got \"sideways\"");
}

TEST(StrategyTable, AnnotationsAcceptEveryEntry) {
  PlacementPolicy config;
  config.allowed_overrides = {OverrideKey::kStrategy};
  const auto base = std::make_shared<const PlacementPolicy>(config);
  for (const ScoringStrategy* strategy : scoring_strategies()) {
    Pod pod = epc_pod("p", "1Gi");
    pod.annotations = {{"epc-extender.io/strategy", std::string(strategy->name)}};
    const auto policy = policy_for_pod(base, pod);
    ASSERT_TRUE(policy.ok()) << policy.error().message;
    EXPECT_EQ((*policy)->strategy, strategy);
  }
}

// Every strategy, under both normalisations, gives candidates a score in 0..10 (the best ranked
// 10) and everything else 0, and says whether it reads the recent sizes.
TEST(StrategyTable, EveryStrategyScoresAFixture) {
  const EpcDemand demand{2 * kGi, kIntelEpc};
  const NodeRecord roomy = record("roomy", 32 * kGi, 4 * kGi);
  const NodeRecord half = record("half", 8 * kGi, 4 * kGi);
  const NodeRecord tight = record("tight", 8 * kGi, 5 * kGi);  // fits, 1Gi left
  const NodeRecord full = record("full", 8 * kGi, 7 * kGi);    // does not fit
  NodeRecord broken = record("broken", 8 * kGi);
  broken.capacity_error = "invalid quantity";
  const std::vector<const NodeRecord*> nodes{&roomy, &half, &tight, &full, nullptr, &broken};
  const std::vector<int64_t> recent{2 * kGi, 4 * kGi};
  for (const ScoringStrategy* strategy : scoring_strategies()) {
    for (const Normalization normalization : {Normalization::kRank, Normalization::kProportional}) {
      SCOPED_TRACE(std::string(strategy->name) + " " + std::string(to_string(normalization)));
      PlacementPolicy policy;
      policy.strategy = strategy;
      policy.normalization = normalization;
      EXPECT_EQ(uses_recent_sizes(policy), strategy->reads_recent_sizes);
      const std::vector<int64_t> scores = score_nodes(demand, nodes, policy, recent);
      ASSERT_EQ(scores.size(), nodes.size());
      EXPECT_THAT(scores, Each(Le(kMaxExtenderScore)));
      EXPECT_THAT(scores, Each(Ge(kMinExtenderScore)));
      EXPECT_EQ(scores[3], 0);  // full
      EXPECT_EQ(scores[4], 0);  // unknown
      EXPECT_EQ(scores[5], 0);  // unreadable EPC
      if (normalization == Normalization::kRank) {
        EXPECT_THAT(std::vector(scores.begin(), scores.begin() + 3), Contains(kMaxExtenderScore));
      }
    }
  }
}

}  // namespace
}  // namespace epc
