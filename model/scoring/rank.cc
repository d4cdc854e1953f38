#include "model/scoring/rank.h"

namespace epc {

std::vector<int64_t> rank_scores(std::span<const std::optional<Fraction>> preferences) {
  return rank_scores_of(preferences);
}

}  // namespace epc
