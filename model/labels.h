// Labels: metadata.labels of a node or a pod, as the model keeps them.
//
// Nodes carry them for the scoring config's selectors and pools; pods carry them for the
// PodDisruptionBudget selectors consolidation checks. One small header lets pod.h have them
// without depending on node.h.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace epc {

// metadata.labels, in the order they came; keys are unique.
using Labels = std::vector<std::pair<std::string, std::string>>;

}  // namespace epc
