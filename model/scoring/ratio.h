// The ratio strategy: kube-scheduler's RequestedToCapacityRatio, a piecewise-linear shape from
// utilization (0..100 %) to score (0..10), on the extender's 0..10 scale.
//
// The integer arithmetic is upstream's (pkg/scheduler/framework/plugins/noderesources:
// BuildBrokenLinearFunction and requested_to_capacity_ratio.go) with the shape's scores used as
// written (0..10) rather than scaled to 0..100, which is exactly the arithmetic of the Kubernetes
// documentation's worked example ("Resource Bin Packing"): utilization = requested × 100 /
// capacity truncated, interpolation truncated, and a weighted mean of per-resource scores rounded
// to nearest. For rank normalisation the shape is evaluated exactly instead (ratio_preference), so
// that nodes the integer score would merge still rank apart.
#pragma once

#include <cstdint>
#include <span>

#include "model/epc_demand.h"
#include "model/node_record.h"
#include "model/placement_policy.h"
#include "model/scoring/strategies.h"
#include "model/scoring/utilization.h"

namespace epc {

// Scores with the policy's effective_shape().
extern const ScoringStrategy kRatio;

// The shape at `utilization` (percent), as BuildBrokenLinearFunction: the first point's score up
// to its utilization, linear (truncated) between points, the last point's score beyond.
int64_t shape_score(std::span<const ShapePoint> shape, int64_t utilization);

// One resource in RequestedToCapacityRatio: `requested` includes what is already used.
struct ResourceRequest {
  int64_t requested = 0;
  int64_t capacity = 0;
  int64_t weight = 1;
};

// Upstream's per-node score over several resources: resources with zero capacity are skipped,
// a resource above its capacity scores the shape at 100 %, only positive scores enter the
// weighted mean, and the mean is rounded to nearest.
int64_t requested_to_capacity_ratio(std::span<const ResourceRequest> resources,
                                    std::span<const ShapePoint> shape);

// The EPC-only score (0..10) of `node` after placing `demand`.
int64_t ratio_score(const EpcDemand& demand, const NodeRecord& node,
                    std::span<const ShapePoint> shape);

// The exact value of the shape at the node's utilization after placement, scaled to 0..1.
Fraction ratio_preference(const EpcDemand& demand, const NodeRecord& node,
                          std::span<const ShapePoint> shape);

}  // namespace epc
