// Utilization: how full a node's EPC would be after placing a pod, as an exact fraction.
//
// Both scoring strategies rank nodes by this one quantity (bin-packing prefers it high, spreading
// low), so it is defined once. It stays a fraction compared by 128-bit cross multiplication:
// doubles would tie nodes of different sizes whose ratios differ in the 17th digit, and the
// ranking turns every distinct value into a different score.
#pragma once

#include <algorithm>
#include <compare>
#include <cstdint>

#include "model/epc_demand.h"
#include "model/int128.h"
#include "model/node_record.h"

namespace epc {

// numerator / denominator with 0 <= numerator <= denominator and denominator > 0.
struct Fraction {
  int64_t numerator = 0;
  int64_t denominator = 1;

  friend std::strong_ordering operator<=>(const Fraction& a, const Fraction& b) {
    return static_cast<Int128>(a.numerator) * b.denominator <=>
           static_cast<Int128>(b.numerator) * a.denominator;
  }
  // Equal values, not equal representations: 1/2 == 2/4.
  friend bool operator==(const Fraction& a, const Fraction& b) { return (a <=> b) == 0; }
};

// (committed + demand) / total for a node the pod fits on. Usage beyond the total is clamped to
// the total, and a node without EPC counts as full, so the result is always a valid Fraction.
inline Fraction utilization_after(const EpcDemand& demand, const NodeRecord& node) {
  if (node.epc.bytes <= 0) return Fraction{1, 1};
  const Int128 used = static_cast<Int128>(node.used_bytes()) + demand.bytes;
  const int64_t total = node.epc.bytes;
  return Fraction{static_cast<int64_t>(std::clamp<Int128>(used, 0, total)), total};
}

}  // namespace epc
