#include "model/consolidation/eviction_eligibility.h"

#include <algorithm>

namespace epc {
namespace {

bool opted_out(const Pod& pod) {
  return std::any_of(pod.annotations.begin(), pod.annotations.end(), [](const auto& annotation) {
    return annotation.first == kEvictAnnotation && annotation.second == kEvictNever;
  });
}

}  // namespace

bool stays_with_node(const Pod& pod) {
  return pod.mirror || pod.controller_kind == "DaemonSet";
}

std::optional<std::string> eviction_blocker(const Pod& pod, const EvictionRules& rules,
                                            std::span<const DisruptionBudget> budgets) {
  if (pod.mirror) return "a mirror (static) pod: the kubelet runs it from a file";
  if (stays_with_node(pod)) return "a DaemonSet pod: it is recreated on the same node";
  if (pod.controller_kind.empty()) return "no controller would recreate it";
  if (pod.terminating) return "it is being deleted already";
  if (opted_out(pod)) {
    return "annotated " + std::string(kEvictAnnotation) + ": \"" + std::string(kEvictNever) + "\"";
  }
  if (pod.priority >= kSystemCriticalPriority) {
    return "system-critical priority " + std::to_string(pod.priority);
  }
  if (pod.priority > rules.max_priority) {
    return "priority " + std::to_string(pod.priority) + " is above the limit " +
           std::to_string(rules.max_priority);
  }
  if (pod.created_unix_seconds > 0 &&
      rules.now_unix_seconds - pod.created_unix_seconds < rules.min_age_seconds) {
    return "younger than " + std::to_string(rules.min_age_seconds) + "s (created " +
           std::to_string(rules.now_unix_seconds - pod.created_unix_seconds) + "s ago)";
  }
  const std::vector<size_t> covering = covering_budgets(pod, budgets);
  if (covering.size() > 1) {
    std::string names;
    for (size_t i : covering) names += (names.empty() ? "" : ", ") + budgets[i].key();
    return "covered by more than one PodDisruptionBudget (" + names +
           "), which the eviction API refuses";
  }
  if (covering.size() == 1 && budgets[covering.front()].disruptions_allowed <= 0) {
    return "PodDisruptionBudget " + budgets[covering.front()].key() + " allows no more disruptions";
  }
  return std::nullopt;
}

}  // namespace epc
