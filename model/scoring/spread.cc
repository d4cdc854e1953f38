#include "model/scoring/spread.h"

namespace epc {

Fraction spread_preference(const EpcDemand& demand, const NodeRecord& node) {
  // 1 - utilization, exactly: ordering by it is ordering by utilization reversed.
  const Fraction used = utilization_after(demand, node);
  return Fraction{used.denominator - used.numerator, used.denominator};
}

}  // namespace epc
