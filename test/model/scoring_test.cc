#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "builders.h"
#include "model/scoring/binpack.h"
#include "model/scoring/node_scorer.h"
#include "model/scoring/rank.h"
#include "model/scoring/spread.h"
#include "model/scoring/utilization.h"

namespace epc {
namespace {

using namespace testing_builders;
using ::testing::ElementsAre;

const EpcDemand k16Mi{16 * kMi, kIntelEpc};

std::vector<int64_t> score(const EpcDemand& demand, const std::vector<const NodeRecord*>& nodes,
                           const PlacementPolicy& policy) {
  return score_nodes(demand, nodes, policy);
}

PlacementPolicy strategy(const ScoringStrategy* s) {
  PlacementPolicy policy;
  policy.strategy = s;
  return policy;
}

TEST(Fraction, ComparesValuesExactly) {
  EXPECT_EQ((Fraction{1, 2}), (Fraction{2, 4}));
  EXPECT_LT((Fraction{1, 3}), (Fraction{1, 2}));
  // Differ only in the 19th digit: doubles would call these equal.
  const int64_t big = 4'000'000'000'000'000'001;
  EXPECT_LT((Fraction{big - 1, big}), (Fraction{big, big + 1}));
  EXPECT_NE((Fraction{big - 1, big}), (Fraction{big, big + 1}));
}

TEST(Utilization, CountsTheDemandAsPlaced) {
  const NodeRecord node = record("n", 128 * kMi, 32 * kMi);
  EXPECT_EQ(utilization_after(k16Mi, node), (Fraction{3, 8}));
  EXPECT_EQ(binpack_preference(k16Mi, node), (Fraction{3, 8}));
  EXPECT_EQ(spread_preference(k16Mi, node), (Fraction{5, 8}));
}

TEST(RankScores, OrdersDistinctValuesBestFirstAndTiesShare) {
  const std::vector<std::optional<Fraction>> preferences{
      Fraction{1, 2}, std::nullopt, Fraction{3, 4}, Fraction{2, 4}, Fraction{1, 4}};
  EXPECT_THAT(rank_scores(preferences), ElementsAre(9, 0, 10, 9, 8));
}

TEST(RankScores, RanksBeyondTenScoreZero) {
  std::vector<std::optional<Fraction>> preferences;
  for (int64_t i = 0; i < 13; ++i) preferences.emplace_back(Fraction{i, 100});
  EXPECT_THAT(rank_scores(preferences), ElementsAre(0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
}

TEST(ScoreNodes, BinpackPrefersTheFullestNodeAfterPlacement) {
  const NodeRecord empty = record("empty", 128 * kMi);
  const NodeRecord half = record("half", 128 * kMi, 64 * kMi);
  const NodeRecord small = record("small", 32 * kMi, 8 * kMi);  // 24/32 after placement
  EXPECT_THAT(score(k16Mi, {&empty, &half, &small}, strategy(&kBinPack)), ElementsAre(8, 9, 10));
}

TEST(ScoreNodes, SpreadPrefersTheEmptiestNodeAfterPlacement) {
  const NodeRecord empty = record("empty", 128 * kMi);
  const NodeRecord half = record("half", 128 * kMi, 64 * kMi);
  const NodeRecord small = record("small", 32 * kMi, 8 * kMi);
  EXPECT_THAT(score(k16Mi, {&empty, &half, &small}, strategy(&kSpread)), ElementsAre(10, 9, 8));
}

TEST(ScoreNodes, EqualUtilizationOnDifferentSizesTies) {
  const NodeRecord a = record("a", 64 * kMi, 16 * kMi);  // 32/64 after placement
  const NodeRecord b = record("b", 32 * kMi);            // 16/32 after placement
  const NodeRecord c = record("c", 128 * kMi);           // 16/128
  EXPECT_THAT(score(k16Mi, {&a, &b, &c}, strategy(&kBinPack)), ElementsAre(10, 10, 9));
  EXPECT_THAT(score(k16Mi, {&a, &b, &c}, strategy(&kSpread)), ElementsAre(9, 9, 10));
}

TEST(ScoreNodes, NodesWhereThePodDoesNotFitOrUnknownScoreZeroAndTakeNoRank) {
  const NodeRecord full = record("full", 128 * kMi, 120 * kMi);
  const NodeRecord general = record("general", 0);
  NodeRecord cordoned = record("cordoned", 128 * kMi);
  cordoned.unschedulable = true;
  const NodeRecord fits = record("fits", 128 * kMi);
  EXPECT_THAT(score(k16Mi, {&full, nullptr, &general, &cordoned, &fits}, {}),
              ElementsAre(0, 0, 0, 0, 10));
}

TEST(ScoreNodes, MoreThanTenDistinctCandidatesBottomOutAtZero) {
  std::vector<NodeRecord> records;
  for (int i = 0; i < 12; ++i)
    records.push_back(record("n" + std::to_string(i), 128 * kMi, i * kMi));
  std::vector<const NodeRecord*> nodes;
  for (const auto& node : records) nodes.push_back(&node);
  // Bin-packing: the most committed (n11) is best.
  EXPECT_THAT(score(k16Mi, nodes, strategy(&kBinPack)),
              ElementsAre(0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  EXPECT_THAT(score(k16Mi, nodes, strategy(&kSpread)),
              ElementsAre(10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0));
}

TEST(ScoreNodes, PodsWithoutEpcFollowTheNonEpcPolicy) {
  const NodeRecord general = record("g", 0);
  const NodeRecord confidential = record("c", 128 * kMi);
  NodeRecord broken = record("b", 0);
  broken.capacity_error = "unreadable";
  const std::vector<const NodeRecord*> nodes{&general, &confidential, nullptr, &broken};
  const EpcDemand none{};

  PlacementPolicy prefer;
  prefer.non_epc_pods = NonEpcPolicy::kPreferGeneral;
  EXPECT_THAT(score(none, nodes, prefer), ElementsAre(10, 0, 0, 0));
  prefer.confidential_node_score = 4;
  EXPECT_THAT(score(none, nodes, prefer), ElementsAre(10, 4, 0, 0));
  prefer.confidential_node_score = 99;  // out of range from code, not config: still clamped
  EXPECT_THAT(score(none, nodes, prefer), ElementsAre(10, 10, 0, 0));

  PlacementPolicy allow;
  allow.non_epc_pods = NonEpcPolicy::kAllow;
  allow.confidential_node_score = 7;
  EXPECT_THAT(score(none, nodes, allow), ElementsAre(0, 0, 0, 0));

  PlacementPolicy require;
  require.non_epc_pods = NonEpcPolicy::kRequireGeneral;
  require.confidential_node_score = 7;
  EXPECT_THAT(score(none, nodes, require), ElementsAre(10, 0, 0, 0));
}

}  // namespace
}  // namespace epc
