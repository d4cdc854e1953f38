// How errors name a value that must be one of a fixed set of names: `must be one of binpack,
// spread, ratio, bestfit; got "x"`. Shared by the model's parsers (strategy, normalization) and the
// config loader, so every such message reads the same.
#pragma once

#include <string>
#include <string_view>

namespace epc {

// The names of `choices`, in order, joined as errors list them: "a, b, c".
template <class Range, class NameOf>
std::string join_names(const Range& choices, NameOf name_of) {
  std::string names;
  for (const auto& choice : choices) {
    if (!names.empty()) names += ", ";
    names += name_of(choice);
  }
  return names;
}

// `got` is the offending value as echoed: quoted text, or e.g. "a mapping".
inline std::string must_be_one_of(std::string_view names, std::string_view got) {
  return "must be one of " + std::string(names) + "; got " + std::string(got);
}

}  // namespace epc
