#include "model/scoring/rank.h"

#include <algorithm>
#include <functional>

#include "model/scoring/node_scorer.h"

namespace epc {

std::vector<int64_t> rank_scores(std::span<const std::optional<Fraction>> preferences) {
  std::vector<Fraction> distinct;
  for (const auto& preference : preferences) {
    if (preference) distinct.push_back(*preference);
  }
  std::sort(distinct.begin(), distinct.end(), std::greater<>());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());

  std::vector<int64_t> scores(preferences.size(), kMinExtenderScore);
  for (size_t i = 0; i < preferences.size(); ++i) {
    if (!preferences[i]) continue;
    // `distinct` is sorted best first, so the rank is the count of strictly better values.
    const auto rank =
        std::lower_bound(distinct.begin(), distinct.end(), *preferences[i], std::greater<>()) -
        distinct.begin();
    scores[i] = std::max<int64_t>(kMinExtenderScore, kMaxExtenderScore - rank);
  }
  return scores;
}

}  // namespace epc
