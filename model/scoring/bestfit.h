// Best fit, fragmentation-aware: prefer the node whose leftover EPC after placement is least
// likely to be stranded.
//
// Leftover EPC is stranded when it is smaller than every recently seen EPC pod (no pod of a size
// seen lately would fit in it). Among nodes, the one stranding fewer bytes wins; among those
// stranding the same (typically none), the one with the smaller leftover (classic best fit), which
// keeps large free blocks whole. With no history yet nothing counts as stranded, so bestfit is
// then pure best fit. Proportional normalisation scores a stranding node 0 and others as binpack.
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <tuple>

#include "model/epc_demand.h"
#include "model/node_record.h"
#include "model/scoring/strategies.h"

namespace epc {

// Reads the recent pod sizes.
extern const ScoringStrategy kBestFit;

// Greater is better, so that ranking treats it like the other strategies' preferences.
struct BestFitPreference {
  int64_t stranded_bytes = 0;
  int64_t leftover_bytes = 0;

  friend std::strong_ordering operator<=>(const BestFitPreference& a, const BestFitPreference& b) {
    return std::tie(b.stranded_bytes, b.leftover_bytes) <=>
           std::tie(a.stranded_bytes, a.leftover_bytes);
  }
  friend bool operator==(const BestFitPreference&, const BestFitPreference&) = default;
};

// `recent_sizes`: EPC sizes of recent pods (any order, zeros ignored).
BestFitPreference bestfit_preference(const EpcDemand& demand, const NodeRecord& node,
                                     std::span<const int64_t> recent_sizes);

}  // namespace epc
