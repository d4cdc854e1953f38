#include "model/scoring/node_scorer.h"

#include <algorithm>

#include "model/fit.h"
#include "model/scoring/strategies.h"

namespace epc {
namespace {

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
  return policy.strategy->reads_recent_sizes;
}

std::vector<int64_t> score_nodes(const EpcDemand& demand, std::span<const NodeRecord* const> nodes,
                                 const PlacementPolicy& policy) {
  return score_nodes(demand, nodes, policy, {});
}

std::vector<int64_t> score_nodes(const EpcDemand& demand, std::span<const NodeRecord* const> nodes,
                                 const PlacementPolicy& policy,
                                 std::span<const int64_t> recent_sizes) {
  if (!demand.needs_epc()) {
    std::vector<int64_t> scores;
    scores.reserve(nodes.size());
    for (const NodeRecord* node : nodes) scores.push_back(non_epc_score(node, policy));
    return scores;
  }
  const ScoringStrategy& strategy = *policy.strategy;
  const ScoringInput input{demand, policy, recent_sizes};
  if (policy.normalization == Normalization::kProportional) {
    std::vector<int64_t> scores(nodes.size(), kMinExtenderScore);
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (is_candidate(demand, nodes[i], policy)) {
        scores[i] = strategy.proportional_score(input, *nodes[i]);
      }
    }
    return scores;
  }
  // The nodes the pod fits on; the others (and unknown nodes) are null and score 0.
  std::vector<const NodeRecord*> candidates(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (is_candidate(demand, nodes[i], policy)) candidates[i] = nodes[i];
  }
  return strategy.rank_scores(input, candidates);
}

}  // namespace epc
