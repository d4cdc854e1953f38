#include "scheduler/log/decision_line.h"

#include <chrono>
#include <string>

namespace epc {
namespace {

std::string_view bind_effect_name(BindEffect effect) {
  switch (effect) {
    case BindEffect::kNone:
      return "none";
    case BindEffect::kBound:
      return "bound";
    case BindEffect::kConflict:
      return "conflict";
    case BindEffect::kRolledBack:
      return "rolled_back";
    case BindEffect::kHeld:
      return "held";
  }
  return "unknown";
}

// The error message and the rejection summary, whichever the call has.
std::string reasons(const Decision& decision) {
  std::string text = decision.message;
  const std::string rejections = describe_rejections(decision);
  if (!text.empty() && !rejections.empty()) text += "; ";
  return text + rejections;
}

}  // namespace

void log_decision(const Logger& logger, const Decision& decision) {
  if (!logger.enabled(LogLevel::kDebug)) return;
  const std::string pod = decision.pod_key();
  const std::string_view verb = to_string(decision.verb);
  const std::string_view outcome = to_string(decision.outcome);
  const std::string message =
      std::string(verb) + " " + (pod.empty() ? "(no pod)" : pod) + ": " + std::string(outcome);
  const double seconds = std::chrono::duration<double>(decision.duration).count();
  logger.log(LogLevel::kDebug, "decision", message,
             {{"pod", pod},
              {"verb", verb},
              {"outcome", outcome},
              {"duration_seconds", seconds},
              {"node", decision.node},
              {"epc_bytes", decision.epc_bytes},
              {"nodes_considered", decision.nodes_considered},
              {"nodes_passing", decision.nodes_passing},
              {"bind", bind_effect_name(decision.bind)},
              {"reasons", reasons(decision)}});
}

}  // namespace epc
