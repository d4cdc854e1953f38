// PlacementPolicy: the knobs of the filter and scoring decisions, as plain values.
//
// config/ reads them from the scoring config file and validates them; the model only consumes them.
#pragma once

#include <cstdint>

namespace epc {

// How EPC pods are ranked among nodes where they fit.
enum class Strategy {
  kBinPack,  // fullest node after placement first (MostAllocated): keeps whole nodes free
  kSpread,   // emptiest node after placement first (LeastAllocated)
};

// What happens to pods that request no EPC.
enum class NonEpcPolicy {
  kAllow,           // no opinion: every node passes and scores the same
  kPreferGeneral,   // every node passes; general nodes score higher than confidential ones
  kRequireGeneral,  // confidential nodes fail filter (unresolvable)
};

struct PlacementPolicy {
  Strategy strategy = Strategy::kBinPack;
  NonEpcPolicy non_epc_pods = NonEpcPolicy::kPreferGeneral;
  // Under kPreferGeneral: the score (0..10) a confidential node gets for a pod without EPC;
  // general nodes get 10.
  int64_t confidential_node_score = 0;
};

}  // namespace epc
