// Simulation: replays a trace on a cluster under one placement policy and measures the outcome.
//
// Events in time order: departures before arrivals at the same instant (the freed room is there
// for the newcomer). An arriving pod is placed at once or joins the pending queue; after each
// instant's departures the pending pods are retried in arrival order, as kube-scheduler flushes its
// unschedulable queue on cluster changes. Only pods that now pass the filters on a node that freed
// room are retried in full: every other node only filled up since their last attempt, so the
// outcome is the same and retrying them would only cost time. A placed pod runs for its duration
// from the moment it is placed. The simulation ends at the last arrival (the horizon): pods still
// waiting then are pending, and time-weighted figures average over [first arrival, horizon].
//
// A policy whose scoring config enables consolidation also plans at every interval from the first
// arrival (departures due by a tick come first), within its budgets: evictions per run and per
// trailing hour, nodes drained per plan, quiet hours (simulated time 0 is 00:00 UTC), and its
// priority and minimum-age limits (a pod's creation time is its arrival; every trace pod is taken
// to have a controller). The plan is plan_consolidation's, with kube-scheduler's cpu and memory
// fit added; each evicted pod is recreated at once with what was left of its duration, and the
// policy itself places it (kube-scheduler picks, not the plan) while the nodes being drained are
// kept out of the candidates, as the extender's filter would keep them. Evictions are instant, so
// a drain completes within its tick. A recreated pod is not a new arrival for placed, waited or
// pending.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "simulator/cluster_spec.h"
#include "simulator/placement_policies.h"
#include "simulator/trace.h"

namespace epc {

// One consolidation plan that evicted something.
struct ConsolidationRecord {
  double time = 0;
  size_t evictions = 0;
  size_t drained_nodes = 0;
};

struct SimulationResult {
  std::string policy;
  size_t arrivals = 0;
  size_t placed = 0;       // placed at some point (at arrival or after waiting)
  size_t pending = 0;      // never placed by the horizon
  size_t pending_epc = 0;  // of which need EPC
  size_t pending_ffd_could_place = 0;
  size_t waited = 0;             // placed after waiting in the pending queue
  double mean_wait_seconds = 0;  // over the pods that waited
  size_t peak_nodes_in_use = 0;  // confidential nodes holding >= 1 EPC pod
  double time_weighted_nodes_in_use = 0;
  // Σ committed EPC / Σ EPC of the nodes in use, each integrated over time.
  double epc_utilisation_of_used = 0;
  // At the horizon: free EPC on confidential nodes where the smallest pending EPC pod does not fit.
  int64_t stranded_epc_bytes = 0;
  size_t non_epc_on_confidential = 0;  // placements of pods without EPC on confidential nodes
  int64_t peak_epc_bytes = 0;          // most EPC committed at once in this run
  size_t volume_bound_at_peak = 0;     // offline_bounds' volume bound of the EPC pods running then
  double time_weighted_volume_bound = 0;  // of this run's committed EPC over time
  size_t decisions = 0;                   // place() calls
  double decision_mean_us = 0;
  double decision_p99_us = 0;
  std::vector<std::pair<double, size_t>> nodes_in_use_timeline;  // (time, count) at each change

  // Packing in capacity terms, time-weighted: Σ EPC capacity of the confidential nodes in use, and
  // its bound, the smallest total EPC capacity of a set of confidential nodes that could hold the
  // EPC committed at the time (offline_bounds.h, CapacityBound).
  double time_weighted_epc_in_use_bytes = 0;
  double time_weighted_epc_capacity_bound_bytes = 0;
  // Σ pricePerHour of the confidential nodes in use, time-weighted; meaningful when `priced`.
  double time_weighted_cost_per_hour = 0;
  bool priced = false;  // some confidential node has a price

  // Consolidation (when the policy's scoring config enables it).
  int64_t consolidation_interval_seconds = 0;  // 0: off
  size_t consolidation_runs = 0;               // plans made (quiet hours and spent budgets skip)
  size_t evictions = 0;
  double evictions_per_hour = 0;  // over [first arrival, horizon]
  size_t drained_nodes = 0;       // summed over plans
  size_t evicted_pending = 0;  // pods recreated after an eviction and still waiting at the horizon
  std::vector<ConsolidationRecord> consolidation_log;
  size_t infeasible_plans = 0;  // plans that failed replay_plan (never carried out; a bug if any)
};

SimulationResult simulate(std::span<const NodeSpec> nodes, const Trace& trace,
                          SchedulingPolicy& policy, uint64_t seed);

}  // namespace epc
