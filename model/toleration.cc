#include "model/toleration.h"

#include <algorithm>

namespace epc {

bool tolerates(const Toleration& toleration, const Taint& taint) {
  if (!toleration.effect.empty() && toleration.effect != taint.effect) return false;
  if (!toleration.key.empty() && toleration.key != taint.key) return false;
  switch (toleration.op) {
    case TolerationOperator::kEqual:
      return toleration.value == taint.value;
    case TolerationOperator::kExists:
      return true;
    case TolerationOperator::kOther:
      break;
  }
  return false;
}

bool tolerates(std::span<const Toleration> tolerations, const Taint& taint) {
  return std::any_of(tolerations.begin(), tolerations.end(),
                     [&](const Toleration& toleration) { return tolerates(toleration, taint); });
}

PodTolerations pod_tolerations(std::span<const Toleration> tolerations) {
  if (tolerations.empty()) return {};
  const auto no_schedule = [&](std::string_view key) {
    return tolerates(tolerations, Taint{key, {}, kTaintEffectNoSchedule});
  };
  return {.unschedulable = no_schedule(kTaintNodeUnschedulable),
          .not_ready = no_schedule(kTaintNodeNotReady),
          .unreachable = no_schedule(kTaintNodeUnreachable)};
}

}  // namespace epc
