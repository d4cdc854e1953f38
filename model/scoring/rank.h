// Rank normalisation: turns exact raw preferences into kube-scheduler's 0..10 extender scores.
//
// Distinct raw values are ordered best first and the k-th best (0-based) scores max(0, 10 - k);
// equal values share a score. Ranking, unlike scaling, keeps nodes whose preferences differ only
// slightly apart, which a proportional 0..10 score would merge (see node_scorer.h).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "model/scoring/utilization.h"

namespace epc {

// One score per entry, in order; a missing preference (the node is not a candidate) scores 0
// and takes no rank.
std::vector<int64_t> rank_scores(std::span<const std::optional<Fraction>> preferences);

}  // namespace epc
