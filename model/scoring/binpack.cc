#include "model/scoring/binpack.h"

#include "model/scoring/proportional.h"
#include "model/scoring/rank.h"

namespace epc {
namespace {

std::vector<int64_t> rank(const ScoringInput& input,
                          std::span<const NodeRecord* const> candidates) {
  return rank_candidates(
      candidates, [&](const NodeRecord& node) { return binpack_preference(input.demand, node); });
}

int64_t proportional(const ScoringInput& input, const NodeRecord& node) {
  return most_allocated_score(requested_after(input.demand, node), node.epc.bytes);
}

}  // namespace

Fraction binpack_preference(const EpcDemand& demand, const NodeRecord& node) {
  return utilization_after(demand, node);
}

constinit const ScoringStrategy kBinPack{
    .name = "binpack",
    .rank_scores = &rank,
    .proportional_score = &proportional,
};

}  // namespace epc
