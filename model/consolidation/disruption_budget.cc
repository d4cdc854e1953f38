#include "model/consolidation/disruption_budget.h"

namespace epc {

bool DisruptionBudget::covers(const Pod& pod) const {
  return pod.namespace_name == namespace_name &&
         (selects_every_pod || selector.matches(pod.labels));
}

std::vector<size_t> covering_budgets(const Pod& pod, std::span<const DisruptionBudget> budgets) {
  std::vector<size_t> covering;
  for (size_t i = 0; i < budgets.size(); ++i) {
    if (budgets[i].covers(pod)) covering.push_back(i);
  }
  return covering;
}

}  // namespace epc
