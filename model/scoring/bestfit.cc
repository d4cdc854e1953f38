#include "model/scoring/bestfit.h"

#include <algorithm>
#include <limits>

#include "model/scoring/binpack.h"
#include "model/scoring/proportional.h"
#include "model/scoring/rank.h"

namespace epc {
namespace {

std::vector<int64_t> rank(const ScoringInput& input,
                          std::span<const NodeRecord* const> candidates) {
  return rank_candidates(candidates, [&](const NodeRecord& node) {
    return bestfit_preference(input.demand, node, input.recent_sizes);
  });
}

// A node that would strand EPC scores 0; the others score as binpack.
int64_t proportional(const ScoringInput& input, const NodeRecord& node) {
  if (bestfit_preference(input.demand, node, input.recent_sizes).stranded_bytes > 0) return 0;
  return kBinPack.proportional_score(input, node);
}

}  // namespace

BestFitPreference bestfit_preference(const EpcDemand& demand, const NodeRecord& node,
                                     std::span<const int64_t> recent_sizes) {
  const int64_t leftover = std::max<int64_t>(0, node.epc.bytes - requested_after(demand, node));
  int64_t smallest = std::numeric_limits<int64_t>::max();
  for (const int64_t size : recent_sizes) {
    if (size > 0) smallest = std::min(smallest, size);
  }
  const bool any = smallest != std::numeric_limits<int64_t>::max();
  const int64_t stranded = any && leftover > 0 && leftover < smallest ? leftover : 0;
  return BestFitPreference{stranded, leftover};
}

constinit const ScoringStrategy kBestFit{
    .name = "bestfit",
    .rank_scores = &rank,
    .proportional_score = &proportional,
    .reads_recent_sizes = true,
};

}  // namespace epc
