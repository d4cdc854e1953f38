// The placement policy as it applies to one pod: the config's policy with the pod's allowed
// annotation overrides applied (`epc-extender.io/strategy: spread`) and the EPC headroom lifted
// for the pods it is kept for.
//
// Resolving this once per request keeps fit and scoring free of pod details: they see one
// PlacementPolicy, and a pod that may use the headroom simply gets a policy without one.
#pragma once

#include <memory>

#include "model/placement_policy.h"
#include "model/pod.h"
#include "model/result.h"

namespace epc {

// Returns `base` itself when nothing changes (the common case: no copy). An annotation with an
// invalid value, or one the config does not allow, is an error naming it, e.g.
// `invalid annotation epc-extender.io/strategy "x": must be one of binpack, spread, ratio,
// bestfit; got "x"`. Other annotations under the prefix are not the extender's and are ignored.
Result<std::shared_ptr<const PlacementPolicy>> policy_for_pod(
    std::shared_ptr<const PlacementPolicy> base, const Pod& pod);

}  // namespace epc
