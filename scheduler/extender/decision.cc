#include "scheduler/extender/decision.h"

namespace epc {

std::string_view to_string(RecheckOutcome outcome) {
  switch (outcome) {
    case RecheckOutcome::kNone:
      return "none";
    case RecheckOutcome::kReversed:
      return "reversed";
    case RecheckOutcome::kConfirmed:
      return "confirmed";
    case RecheckOutcome::kFailed:
      return "failed";
  }
  return "none";
}

std::string Decision::pod_key() const {
  if (pod_name.empty() && pod_namespace.empty()) return {};
  return pod_namespace + "/" + pod_name;
}

size_t Decision::nodes_rejected() const {
  size_t total = 0;
  for (const RejectionGroup& group : rejected) total += group.nodes;
  return total;
}

std::string describe_rejections(const Decision& decision) {
  if (decision.rejected.empty()) return {};
  std::string text = std::to_string(decision.nodes_passing) + "/" +
                     std::to_string(decision.nodes_considered) + " nodes fit: ";
  bool first = true;
  for (const RejectionGroup& group : decision.rejected) {
    if (!first) text += "; ";
    first = false;
    text += std::to_string(group.nodes) + " " + std::string(to_string(group.cause));
    if (!group.pool.empty()) text += " in pool " + group.pool;
    if (!group.example.empty()) text += " (e.g. " + group.example + ")";
  }
  return text;
}

}  // namespace epc
