// ResourceList: resource name → quantity text, as in a Kubernetes container's requests or limits.
//
// Quantities stay text until the model converts them, so that a malformed value is reported with
// the name of the resource it was given for, and so that decoders need no knowledge of units.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace epc {

using ResourceList = std::vector<std::pair<std::string, std::string>>;

}  // namespace epc
