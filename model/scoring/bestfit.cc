#include "model/scoring/bestfit.h"

#include <algorithm>
#include <limits>

#include "model/scoring/proportional.h"

namespace epc {

BestFitPreference bestfit_preference(const EpcDemand& demand, const NodeRecord& node,
                                     std::span<const int64_t> recent_sizes) {
  const int64_t leftover = std::max<int64_t>(0, node.epc.bytes - requested_after(demand, node));
  int64_t smallest = std::numeric_limits<int64_t>::max();
  for (const int64_t size : recent_sizes) {
    if (size > 0) smallest = std::min(smallest, size);
  }
  const bool any = smallest != std::numeric_limits<int64_t>::max();
  const int64_t stranded = any && leftover > 0 && leftover < smallest ? leftover : 0;
  return BestFitPreference{stranded, leftover};
}

}  // namespace epc
