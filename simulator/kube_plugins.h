// kube-scheduler's own resource plugins, as small functions following upstream's formulas
// (kubernetes/kubernetes pkg/scheduler/framework/plugins/noderesources), so the simulator can
// combine them with epc-extender's scores the way kube-scheduler does.
//
// - NodeResourcesFit filter: each requested resource must fit in allocatable − requested.
// - LeastAllocated: per resource (capacity − requested) × 100 / capacity (0 when over capacity),
//   then the weighted mean (integer division), as leastRequestedScore / leastResourceScorer.
// - MostAllocated: per resource requested × 100 / capacity (requested clamped to capacity), the
//   weighted mean, as mostRequestedScore / mostResourceScorer.
// - BalancedAllocation: fractions requested / allocatable (capped at 1); for two resources the
//   standard deviation is |f1 − f2| / 2; score (1 − std) × 100 truncated, as
//   balancedResourceScorer.
// Resources whose allocatable is 0 are skipped (upstream's "only fill the extended resource entry
// when it's non-zero"), as is an extended resource the pod does not request. For the Fit scorers,
// "requested" counts a pod without a cpu or memory request as 100m / 200Mi (upstream's
// GetNonzeroRequests, the NonZeroRequested sums); BalancedAllocation uses the plain requests.
#pragma once

#include <cstdint>
#include <span>

namespace epc {

inline constexpr int64_t kMaxNodeScore = 100;  // framework.MaxNodeScore
inline constexpr int64_t kDefaultMilliCpuRequest = 100;
inline constexpr int64_t kDefaultMemoryRequest = int64_t{200} << 20;

// One resource of one node, with the pod's request already added to `requested`.
struct ResourceUse {
  int64_t requested = 0;
  int64_t allocatable = 0;
  int64_t weight = 1;
};

int64_t least_requested_score(int64_t requested, int64_t capacity);
int64_t most_requested_score(int64_t requested, int64_t capacity);

// Weighted means over resources with allocatable > 0; 0 when there are none.
int64_t least_allocated(std::span<const ResourceUse> resources);
int64_t most_allocated(std::span<const ResourceUse> resources);
int64_t balanced_allocation(std::span<const ResourceUse> resources);

// A pod's cpu or memory request as the Fit scorers count it (0 becomes the default).
inline int64_t nonzero_cpu(int64_t milli) {
  return milli == 0 ? kDefaultMilliCpuRequest : milli;
}
inline int64_t nonzero_memory(int64_t bytes) {
  return bytes == 0 ? kDefaultMemoryRequest : bytes;
}

// NodeResourcesFit's filter for one resource: the request fits in what is left.
inline bool resource_fits(int64_t request, int64_t requested, int64_t allocatable) {
  return request == 0 || request <= allocatable - requested;
}

}  // namespace epc
