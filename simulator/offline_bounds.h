// Offline bounds: how few confidential nodes an all-knowing packer could use for a set of EPC pods,
// the yardstick for the online policies.
//
// - The volume bound: the fewest confidential nodes, taken largest EPC first, whose EPC adds up to
//   the demand (⌈Σ demand / capacity⌉ for a single-size pool). No packing can use fewer nodes.
//   The same count is taken for the EPC pods' cpu and memory (largest cpu / memory first: an EPC
//   pod's cpu must be on a confidential node too) and the bound is the largest of the three.
// - First-fit-decreasing (FFD): pods sorted by EPC, largest first (ties: more cpu, then memory,
//   then trace order), each put on the first node, largest EPC first, where its EPC, cpu and memory
//   fit. A real packing, so an achievable count, and within 11/9 OPT + 6/9 of the best in one
//   dimension.
// The trace bounds apply both to the peak concurrent EPC demand of the trace as recorded (every
// pod running from its arrival for its duration, until the simulation horizon): the instant with
// the largest Σ EPC of running pods, and exactly those pods. The time-weighted volume bound is the
// volume bound of the running pods' EPC at every instant, averaged over the horizon.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "simulator/cluster_spec.h"
#include "simulator/trace.h"

namespace epc {

// What a set of EPC pods asks for in total.
struct EpcPodsDemand {
  int64_t epc_bytes = 0;
  int64_t cpu_milli = 0;
  int64_t memory_bytes = 0;
};

// Confidential nodes' EPC, cpu and memory, each sorted largest first with prefix sums: the volume
// bound in O(log n).
class VolumeBound {
 public:
  explicit VolumeBound(std::span<const NodeSpec> nodes);
  // The fewest nodes whose resources cover `demand` (the largest of the per-resource counts);
  // all confidential nodes plus one when even they do not (the demand cannot be held at all).
  size_t nodes_for(const EpcPodsDemand& demand) const;
  // EPC alone: ⌈Σ demand / capacity⌉, largest nodes first.
  size_t nodes_for_epc(int64_t epc_bytes) const;

 private:
  // prefix[k]: the k largest nodes' total of one resource.
  static size_t count(const std::vector<int64_t>& prefix, int64_t demand);
  std::vector<int64_t> epc_, cpu_, memory_;
};

// The smallest total EPC capacity of a set of confidential nodes whose capacities add up to at
// least a demand: the capacity bound. No placement of that much EPC can keep less EPC capacity in
// use, whatever the pods' sizes (it ignores how pods split across nodes, so it is a lower bound,
// not always achievable). Exact: a subset-sum over the capacities in units of their greatest common
// divisor (bounded knapsack, counts split in powers of two, a bitset of reachable totals), built
// once, then one look-up per query. When the capacities in such units would exceed kMaxUnits (odd
// sizes with a tiny common divisor) it falls back to the demand itself, still a lower bound.
class CapacityBound {
 public:
  static constexpr int64_t kMaxUnits = int64_t{1} << 24;
  explicit CapacityBound(std::span<const NodeSpec> nodes);
  // Bytes of EPC capacity; every confidential node's when even they do not cover `epc_bytes`.
  int64_t capacity_for(int64_t epc_bytes) const;

 private:
  int64_t unit_ = 0;   // gcd of the capacities; 0: no confidential node, or the fallback
  int64_t total_ = 0;  // bytes
  std::vector<int32_t> next_reachable_;  // by units: the smallest reachable total ≥ it, in units
};

struct FfdResult {
  size_t nodes_used = 0;
  size_t unplaced = 0;                                              // pods no node could take
  std::vector<std::pair<std::string, size_t>> nodes_used_per_pool;  // pools in cluster order
};

// Packs `pods` (their EPC, cpu, memory) onto the confidential nodes of `nodes`.
FfdResult first_fit_decreasing(std::span<const TracePod> pods, std::span<const NodeSpec> nodes);

struct TraceBounds {
  double peak_time_seconds = 0;
  int64_t peak_epc_bytes = 0;
  size_t peak_epc_pods = 0;
  size_t epc_volume_bound = 0;  // at the peak, EPC alone
  size_t volume_bound = 0;      // at the peak
  FfdResult ffd;                // of the pods running at the peak
  double time_weighted_volume_bound = 0;
  // The volume bound at every change of the running pods' demand: (time, nodes).
  std::vector<std::pair<double, size_t>> volume_bound_timeline;
};

// The last arrival: the simulation runs until then (see simulation.h).
double simulation_horizon(const Trace& trace);

TraceBounds trace_bounds(const Trace& trace, std::span<const NodeSpec> nodes);

}  // namespace epc
