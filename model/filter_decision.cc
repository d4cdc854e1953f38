#include "model/filter_decision.h"

#include <array>
#include <optional>
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
  // The reason last kept for each cause: equal texts come in runs of one cause (every general
  // node's "no SGX EPC", every cordoned node's), so comparing with that one finds nearly every
  // repeat.
  std::array<std::optional<size_t>, kFitCauseCount> last_reason{};
  const auto reason_index = [&](FitVerdict& verdict) {
    std::optional<size_t>& last = last_reason[static_cast<size_t>(verdict.cause)];
    if (!last || decision.reasons[*last] != verdict.reason) {
      last = decision.reasons.size();
      decision.reasons.push_back(std::move(verdict.reason));
    }
    return *last;
  };
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
        decision.failed.push_back({i, reason_index(verdict)});
        break;
      case Fit::kUnresolvable:
        decision.unresolvable.push_back({i, reason_index(verdict)});
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
