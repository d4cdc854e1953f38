#include "model/prioritize_decision.h"

#include <algorithm>

#include "model/scoring/node_scorer.h"

namespace epc {

PrioritizeDecision decide_prioritize(const PodRequest& pod, CandidateView candidates,
                                     const RecentDemands& recent, bool ready) {
  PrioritizeDecision decision;
  if (!pod.demand || !pod.policy || !ready) {
    decision.scores.assign(candidates.names.size(), kMinExtenderScore);
    return decision;
  }
  const PlacementPolicy& policy = **pod.policy;
  const std::vector<int64_t> sizes =
      uses_recent_sizes(policy) ? recent.sizes() : std::vector<int64_t>();
  decision.scores = score_nodes(*pod.demand, candidates.records, policy, sizes);
  const auto best = std::max_element(decision.scores.begin(), decision.scores.end());
  if (best == decision.scores.end() || *best == kMinExtenderScore) return decision;
  decision.top = static_cast<size_t>(best - decision.scores.begin());
  if (!pod.needs_epc()) return decision;
  // kube-scheduler picks at random among equal totals (selectHost), so with several nodes at the
  // top the reservation would land where the pod goes only by chance, and the next pods would pack
  // around the wrong node. One top node, the first, keeps the best score; the others drop a step.
  for (size_t i = *decision.top + 1; i < decision.scores.size(); ++i) {
    if (decision.scores[i] == *best) --decision.scores[i];
  }
  if (pod.known) decision.reserve_on = decision.top;
  return decision;
}

}  // namespace epc
