#include "model/scoring/binpack.h"

namespace epc {

Fraction binpack_preference(const EpcDemand& demand, const NodeRecord& node) {
  return utilization_after(demand, node);
}

}  // namespace epc
