#include "model/scoring/node_scorer.h"

#include <algorithm>
#include <optional>

#include "model/fit.h"
#include "model/scoring/bestfit.h"
#include "model/scoring/binpack.h"
#include "model/scoring/proportional.h"
#include "model/scoring/rank.h"
#include "model/scoring/ratio.h"
#include "model/scoring/spread.h"

namespace epc {
namespace {

Fraction preference(const PlacementPolicy& policy, const EpcDemand& demand,
                    const NodeRecord& node) {
  switch (policy.strategy) {
    case Strategy::kSpread:
      return spread_preference(demand, node);
    case Strategy::kRatio:
      return ratio_preference(demand, node, policy.effective_shape());
    case Strategy::kBinPack:
    case Strategy::kBestFit:  // ranked separately, see bestfit_ranks
      break;
  }
  return binpack_preference(demand, node);
}

int64_t proportional_score(const PlacementPolicy& policy, const EpcDemand& demand,
                           const NodeRecord& node, std::span<const int64_t> recent_sizes) {
  const int64_t requested = requested_after(demand, node);
  switch (policy.strategy) {
    case Strategy::kSpread:
      return least_allocated_score(requested, node.epc.bytes);
    case Strategy::kRatio:
      return ratio_score(demand, node, policy.effective_shape());
    case Strategy::kBestFit:
      if (bestfit_preference(demand, node, recent_sizes).stranded_bytes > 0) {
        return kMinExtenderScore;
      }
      break;
    case Strategy::kBinPack:
      break;
  }
  return most_allocated_score(requested, node.epc.bytes);
}

// A pod without EPC: general nodes versus confidential ones, by the non-EPC policy. Nodes whose
// EPC is unreadable are reported, never preferred.
int64_t non_epc_score(const NodeRecord* node, const PlacementPolicy& policy) {
  if (node == nullptr || !node->capacity_error.empty()) return kMinExtenderScore;
  const bool confidential = is_confidential(*node, policy);
  switch (policy.non_epc_pods) {
    case NonEpcPolicy::kAllow:
      return kMinExtenderScore;
    case NonEpcPolicy::kPreferGeneral:
      if (!confidential) return kMaxExtenderScore;
      return std::clamp(policy.confidential_node_score, kMinExtenderScore, kMaxExtenderScore);
    case NonEpcPolicy::kRequireGeneral:
      return confidential ? kMinExtenderScore : kMaxExtenderScore;
  }
  return kMinExtenderScore;
}

bool is_candidate(const EpcDemand& demand, const NodeRecord* node, const PlacementPolicy& policy) {
  return judge_fit(demand, node, policy).fit == Fit::kFits;
}

}  // namespace

bool uses_recent_sizes(const PlacementPolicy& policy) {
  return policy.strategy == Strategy::kBestFit;
}

std::vector<int64_t> score_nodes(const EpcDemand& demand, std::span<const NodeRecord* const> nodes,
                                 const PlacementPolicy& policy) {
  return score_nodes(demand, nodes, policy, {});
}

std::vector<int64_t> score_nodes(const EpcDemand& demand, std::span<const NodeRecord* const> nodes,
                                 const PlacementPolicy& policy,
                                 std::span<const int64_t> recent_sizes) {
  std::vector<int64_t> scores;
  scores.reserve(nodes.size());
  if (!demand.needs_epc()) {
    for (const NodeRecord* node : nodes) scores.push_back(non_epc_score(node, policy));
    return scores;
  }
  if (policy.normalization == Normalization::kProportional) {
    for (const NodeRecord* node : nodes) {
      scores.push_back(is_candidate(demand, node, policy)
                           ? proportional_score(policy, demand, *node, recent_sizes)
                           : kMinExtenderScore);
    }
    return scores;
  }
  if (policy.strategy == Strategy::kBestFit) {
    std::vector<std::optional<BestFitPreference>> preferences(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (is_candidate(demand, nodes[i], policy)) {
        preferences[i] = bestfit_preference(demand, *nodes[i], recent_sizes);
      }
    }
    return rank_scores_of<BestFitPreference>(preferences);
  }
  std::vector<std::optional<Fraction>> preferences(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (is_candidate(demand, nodes[i], policy)) {
      preferences[i] = preference(policy, demand, *nodes[i]);
    }
  }
  return rank_scores(preferences);
}

}  // namespace epc
