#include "model/pod_policy.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

namespace epc {
namespace {

constexpr std::array<OverrideKey, 2> kOverrideKeys{OverrideKey::kStrategy,
                                                   OverrideKey::kNormalization};

std::string annotation_name(OverrideKey key) {
  return std::string(kPodAnnotationPrefix) + std::string(to_string(key));
}

const std::string* annotation(const Pod& pod, const std::string& name) {
  for (const auto& [key, value] : pod.annotations) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string allowed_list(const PlacementPolicy& policy) {
  std::string text;
  for (const OverrideKey key : policy.allowed_overrides) {
    if (!text.empty()) text += ", ";
    text += to_string(key);
  }
  return "[" + text + "]";
}

// Applies one override to `policy`; errors name the annotation and echo its value.
Result<void> apply_override(OverrideKey key, const std::string& value, PlacementPolicy& policy) {
  const auto invalid = [&](const Error& error) {
    return make_error("invalid annotation " + annotation_name(key) + " \"" + value +
                      "\": " + error.message);
  };
  switch (key) {
    case OverrideKey::kStrategy: {
      Result<const ScoringStrategy*> strategy = parse_strategy(value);
      if (!strategy) return invalid(strategy.error());
      policy.strategy = *strategy;
      return {};
    }
    case OverrideKey::kNormalization: {
      Result<Normalization> normalization = parse_normalization(value);
      if (!normalization) return invalid(normalization.error());
      policy.normalization = *normalization;
      return {};
    }
  }
  return {};
}

}  // namespace

Result<std::shared_ptr<const PlacementPolicy>> policy_for_pod(
    std::shared_ptr<const PlacementPolicy> base, const Pod& pod) {
  std::optional<PlacementPolicy> changed;
  const auto editable = [&]() -> PlacementPolicy& {
    if (!changed) changed = *base;
    return *changed;
  };
  for (const OverrideKey key : kOverrideKeys) {
    const std::string name = annotation_name(key);
    const std::string* value = annotation(pod, name);
    if (value == nullptr) continue;
    const auto& allowed = base->allowed_overrides;
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return make_error("annotation " + name + " \"" + *value +
                        "\" is not allowed by the scoring config (overrides.allowed: " +
                        allowed_list(*base) + ")");
    }
    if (Result<void> applied = apply_override(key, *value, editable()); !applied) {
      return applied.error();
    }
  }
  if (base->headroom.active() && base->headroom.exempts(pod.priority, pod.namespace_name)) {
    editable().headroom = Headroom{};
  }
  if (!changed) return base;
  return std::make_shared<const PlacementPolicy>(std::move(*changed));
}

}  // namespace epc
