#include "model/scoring/node_scorer.h"

#include <algorithm>
#include <optional>

#include "model/fit.h"
#include "model/scoring/binpack.h"
#include "model/scoring/rank.h"
#include "model/scoring/spread.h"

namespace epc {
namespace {

Fraction preference(Strategy strategy, const EpcDemand& demand, const NodeRecord& node) {
  switch (strategy) {
    case Strategy::kSpread:
      return spread_preference(demand, node);
    case Strategy::kBinPack:
      break;
  }
  return binpack_preference(demand, node);
}

// A pod without EPC: general nodes versus confidential ones, by the non-EPC policy. Nodes whose
// EPC is unreadable are reported, never preferred.
int64_t non_epc_score(const NodeRecord* node, const PlacementPolicy& policy) {
  if (node == nullptr || !node->capacity_error.empty()) return kMinExtenderScore;
  switch (policy.non_epc_pods) {
    case NonEpcPolicy::kAllow:
      return kMinExtenderScore;
    case NonEpcPolicy::kPreferGeneral:
      if (!node->epc.confidential()) return kMaxExtenderScore;
      return std::clamp(policy.confidential_node_score, kMinExtenderScore, kMaxExtenderScore);
    case NonEpcPolicy::kRequireGeneral:
      return node->epc.confidential() ? kMinExtenderScore : kMaxExtenderScore;
  }
  return kMinExtenderScore;
}

}  // namespace

std::vector<int64_t> score_nodes(const EpcDemand& demand, std::span<const NodeRecord* const> nodes,
                                 const PlacementPolicy& policy) {
  if (!demand.needs_epc()) {
    std::vector<int64_t> scores;
    scores.reserve(nodes.size());
    for (const NodeRecord* node : nodes) scores.push_back(non_epc_score(node, policy));
    return scores;
  }
  std::vector<std::optional<Fraction>> preferences(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeRecord* node = nodes[i];
    if (node == nullptr) continue;
    if (check_fit(demand, node, node->name, policy).fit != Fit::kFits) continue;
    preferences[i] = preference(policy.strategy, demand, *node);
  }
  return rank_scores(preferences);
}

}  // namespace epc
