#include "model/filter_decision.h"

#include <utility>

#include "model/fit.h"

namespace epc {

void record_demand(const PodRequest& pod, RecentDemands& recent) {
  if (!pod.needs_epc()) return;
  recent.record(pod.identity, pod.demand->bytes,
                static_cast<size_t>(pod.config_policy->bestfit_history));
}

FilterDecision decide_filter(const PodRequest& pod, CandidateView candidates,
                             const EpcResources& resources, bool group_rejections) {
  FilterDecision decision;
  if (!pod.demand) {
    decision.error = pod.demand.error();
    return decision;
  }
  RejectionTally rejections(pod.config_policy->pool_label_key);
  for (size_t i = 0; i < candidates.names.size(); ++i) {
    const std::string_view name = candidates.names[i];
    const NodeRecord* node = candidates.records[i];
    // An override the pod asks for and cannot have fails every node with the reason, so the
    // pod's events say what to fix; preemption cannot help, hence unresolvable.
    FitVerdict verdict = pod.policy ? check_fit(*pod.demand, node, name, **pod.policy, resources)
                                    : FitVerdict{Fit::kUnresolvable, pod.policy.error().message,
                                                 FitCause::kInvalidOverride};
    if (verdict.fit != Fit::kFits && group_rejections) rejections.add(node, name, verdict);
    switch (verdict.fit) {
      case Fit::kFits:
        decision.passing.push_back(i);
        break;
      case Fit::kUnschedulable:
        decision.failed.emplace_back(i, std::move(verdict.reason));
        break;
      case Fit::kUnresolvable:
        decision.unresolvable.emplace_back(i, std::move(verdict.reason));
        break;
    }
  }
  if (decision.passing.size() == 1 && pod.needs_epc() && pod.known) {
    decision.reserve_on = decision.passing.front();
  }
  decision.rejected = rejections.take();
  return decision;
}

}  // namespace epc
