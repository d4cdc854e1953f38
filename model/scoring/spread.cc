#include "model/scoring/spread.h"

#include "model/scoring/proportional.h"
#include "model/scoring/rank.h"

namespace epc {
namespace {

std::vector<int64_t> rank(const ScoringInput& input,
                          std::span<const NodeRecord* const> candidates) {
  return rank_candidates(
      candidates, [&](const NodeRecord& node) { return spread_preference(input.demand, node); });
}

int64_t proportional(const ScoringInput& input, const NodeRecord& node) {
  return least_allocated_score(requested_after(input.demand, node), node.epc.bytes);
}

}  // namespace

Fraction spread_preference(const EpcDemand& demand, const NodeRecord& node) {
  // 1 - utilization, exactly: ordering by it is ordering by utilization reversed.
  const Fraction used = utilization_after(demand, node);
  return Fraction{used.denominator - used.numerator, used.denominator};
}

constinit const ScoringStrategy kSpread{
    .name = "spread",
    .rank_scores = &rank,
    .proportional_score = &proportional,
};

}  // namespace epc
