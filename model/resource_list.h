// ResourceList: resource name → quantity text, as in a Kubernetes container's requests or limits.
//
// Quantities stay text until the model converts them, so that a malformed value is reported with
// the name of the resource it was given for, and so that decoders need no knowledge of units.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace epc {

using ResourceList = std::vector<std::pair<std::string, std::string>>;

// The quantity text listed for `name`, or null. Lists are a handful of entries: a scan is fastest.
inline const std::string* find_quantity(const ResourceList& list, std::string_view name) {
  for (const auto& [key, quantity] : list) {
    if (key == name) return &quantity;
  }
  return nullptr;
}

}  // namespace epc
