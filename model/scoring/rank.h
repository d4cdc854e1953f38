// Rank normalisation: turns exact raw preferences into kube-scheduler's 0..10 extender scores.
//
// Distinct raw values are ordered best first and the k-th best (0-based) scores max(0, 10 - k);
// equal values share a score. Ranking, unlike scaling, keeps nodes whose preferences differ only
// slightly apart, which a proportional 0..10 score would merge (see node_scorer.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <type_traits>
#include <vector>

#include "model/node_record.h"
#include "model/scoring/utilization.h"

namespace epc {

// One score per entry, in order; a missing preference (the node is not a candidate) scores 0
// and takes no rank. `T` is totally ordered, greater meaning better.
template <class T>
std::vector<int64_t> rank_scores_of(std::span<const std::optional<T>> preferences) {
  constexpr int64_t kMin = 0;
  constexpr int64_t kMax = 10;
  std::vector<T> distinct;
  for (const auto& preference : preferences) {
    if (preference) distinct.push_back(*preference);
  }
  std::sort(distinct.begin(), distinct.end(), std::greater<>());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());

  std::vector<int64_t> scores(preferences.size(), kMin);
  for (size_t i = 0; i < preferences.size(); ++i) {
    if (!preferences[i]) continue;
    // `distinct` is sorted best first, so the rank is the count of strictly better values.
    const auto rank =
        std::lower_bound(distinct.begin(), distinct.end(), *preferences[i], std::greater<>()) -
        distinct.begin();
    scores[i] = std::max<int64_t>(kMin, kMax - rank);
  }
  return scores;
}

std::vector<int64_t> rank_scores(std::span<const std::optional<Fraction>> preferences);

// A strategy's rank scores (ScoringStrategy::rank_scores): `preference(node)` for every non-null
// entry of `candidates`, ranked by rank_scores_of. The preference type is the strategy's own.
template <class PreferenceOf>
std::vector<int64_t> rank_candidates(std::span<const NodeRecord* const> candidates,
                                     PreferenceOf preference_of) {
  using Preference = std::invoke_result_t<PreferenceOf&, const NodeRecord&>;
  std::vector<std::optional<Preference>> preferences(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (candidates[i] != nullptr) preferences[i] = preference_of(*candidates[i]);
  }
  return rank_scores_of<Preference>(preferences);
}

}  // namespace epc
