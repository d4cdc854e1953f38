#include "model/placement_policy.h"

#include <algorithm>
#include <array>
#include <utility>

#include "model/choices.h"
#include "model/int128.h"

namespace epc {
namespace {

template <class T, size_t N>
std::string_view name_of(T value, const std::array<std::pair<std::string_view, T>, N>& names) {
  for (const auto& [name, candidate] : names) {
    if (candidate == value) return name;
  }
  return "?";
}

template <class T, size_t N>
Result<T> parse_choice(std::string_view text,
                       const std::array<std::pair<std::string_view, T>, N>& names) {
  for (const auto& [name, value] : names) {
    if (name == text) return value;
  }
  const auto choice_name = [](const auto& choice) { return choice.first; };
  return make_error(
      must_be_one_of(join_names(names, choice_name), "\"" + std::string(text) + "\""));
}

}  // namespace

int64_t Headroom::kept_bytes(int64_t total_bytes) const {
  if (total_bytes <= 0) return 0;
  if (percent > 0) return static_cast<int64_t>(static_cast<Int128>(total_bytes) * percent / 100);
  return std::min(bytes, total_bytes);
}

bool Headroom::exempts(int32_t priority, std::string_view namespace_name) const {
  if (min_priority && priority >= *min_priority) return true;
  return std::find(namespaces.begin(), namespaces.end(), namespace_name) != namespaces.end();
}

std::string Headroom::beneficiaries() const {
  std::string text = "pods";
  if (min_priority) text += " of priority >= " + std::to_string(*min_priority);
  if (!namespaces.empty()) {
    text += min_priority ? " or in namespace" : " in namespace";
    if (namespaces.size() > 1) text += "s";
    for (size_t i = 0; i < namespaces.size(); ++i) text += (i == 0 ? " " : ", ") + namespaces[i];
  }
  return text;
}

const std::vector<ShapePoint>& default_shape() {
  static const std::vector<ShapePoint> shape{{0, 0}, {100, 10}};
  return shape;
}

const std::vector<ShapePoint>& PlacementPolicy::effective_shape() const {
  return shape.empty() ? default_shape() : shape;
}

std::string_view to_string(Normalization normalization) {
  return name_of(normalization, kNormalizationNames);
}

std::string_view to_string(NonEpcPolicy policy) {
  return name_of(policy, kNonEpcPolicyNames);
}

std::string_view to_string(ConfidentialRule rule) {
  return name_of(rule, kConfidentialRuleNames);
}

std::string_view to_string(OverrideKey key) {
  return name_of(key, kOverrideKeyNames);
}

Result<Normalization> parse_normalization(std::string_view text) {
  return parse_choice(text, kNormalizationNames);
}

}  // namespace epc
