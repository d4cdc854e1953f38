// Placement policies the simulator compares: how kube-scheduler would place one pod, with or
// without epc-extender, on the simulated nodes.
//
// Every policy filters as kube-scheduler does: NodeResourcesFit on cpu and memory, then the EPC
// check through the model's own check_fit (for kube-scheduler alone that is NodeResourcesFit on the
// extended resource, which check_fit with the default policy equals; with epc-extender it is the
// extender's filter under the loaded PlacementPolicy). Scores add up as in kube-scheduler:
// - kube-default: NodeResourcesFit LeastAllocated (cpu, memory; weight 1) + BalancedAllocation
//   (cpu, memory; weight 1);
// - kube-mostallocated: NodeResourcesFit MostAllocated over cpu, memory and EPC (each weight 1;
//   EPC only for pods that request it, as upstream skips unrequested extended resources) +
//   BalancedAllocation;
// - an epc-extender strategy: kube-default's plugins + the extender's score_nodes score (0..10) ×
//   extender.weight (from the same scoring config file) × 10, as kube-scheduler adds extender
//   priorities.
// The other default plugins (TaintToleration, NodeAffinity, ImageLocality, ...) score every
// simulated node alike and are left out. As kube-scheduler does, the in-tree filters run over the
// nodes from a rotating start index until percentageOfNodesToScore of them (0: upstream's adaptive
// default, 50% − 1% per 125 nodes, at least 5%; never fewer than 100 nodes) pass; only those reach
// the extender's filter and the scores. Among the top total scores one is picked uniformly at
// random, as kube-scheduler's selectHost does, with the simulation's seeded generator.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "config/scoring_config.h"
#include "model/epc_demand.h"
#include "model/placement_policy.h"
#include "model/scoring/recent_demands.h"
#include "simulator/sim_node.h"
#include "simulator/trace.h"

namespace epc {

using SimRandom = std::mt19937_64;

class SchedulingPolicy {
 public:
  virtual ~SchedulingPolicy() = default;

  const std::string& name() const { return name_; }
  // kube-scheduler's percentageOfNodesToScore: 0 (adaptive, the default) or 1..100.
  void set_percentage_of_nodes_to_score(int percentage) { percentage_ = percentage; }
  // Forgets what earlier runs left behind (the rotating start index, recent pod sizes).
  virtual void begin_run() { next_start_ = 0; }
  // Whether `pod` passes every filter on `node` as it is now.
  bool feasible(const TracePod& pod, const SimNode& node) const;
  // The EPC filter alone over `nodes`: the indices of those that pass. For kube-scheduler alone
  // that is NodeResourcesFit on the extended resource (check_fit with the default policy); with
  // epc-extender it is the service's own decide_filter under the loaded scoring config.
  virtual std::vector<size_t> epc_filter(const TracePod& pod,
                                         std::span<const SimNode* const> nodes) const;
  // The extender's own 0..10 scores of `nodes` (its prioritize answer); empty for kube-scheduler
  // alone.
  virtual std::vector<int64_t> extender_scores(const TracePod&, std::span<const SimNode* const>) {
    return {};
  }
  // The scoring config of an epc-extender policy (its consolidation settings included); null for
  // kube-scheduler alone.
  virtual const ScoringConfig* scoring_config() const { return nullptr; }
  // Called once per placement attempt before filtering, as the service's filter verb sees every
  // pod kube-scheduler tries, whether or not a node fits.
  virtual void seen(const TracePod&) {}
  // The node (index into `nodes`) the pod would be bound to; nullopt when no node passes.
  std::optional<size_t> place(const TracePod& pod, std::span<const SimNode> nodes,
                              SimRandom& random);

 protected:
  explicit SchedulingPolicy(std::string name) : name_(std::move(name)) {}
  // Total scores of the feasible `candidates`, one per entry.
  virtual std::vector<int64_t> scores(const TracePod& pod, const EpcDemand& demand,
                                      std::span<const SimNode* const> candidates) = 0;

 private:
  // kube-scheduler's numFeasibleNodesToFind.
  size_t nodes_to_find(size_t all_nodes) const;

  std::string name_;
  int percentage_ = 0;
  size_t next_start_ = 0;  // kube-scheduler's nextStartNodeIndex
};

// NodeResourcesFit's filter: cpu, memory and the EPC extended resource fit in what is left.
bool fits_in_tree(const TracePod& pod, const SimNode& node);

std::unique_ptr<SchedulingPolicy> make_kube_default_policy();
std::unique_ptr<SchedulingPolicy> make_kube_most_allocated_policy();
// An epc-extender strategy given by a scoring config (policy and extender.weight).
std::unique_ptr<SchedulingPolicy> make_extender_policy(std::string name, ScoringConfig config);

// The demand the model sees for a trace pod: its EPC under the simulated resource name.
EpcDemand demand_of(const TracePod& pod);

// The trace pod as kube-scheduler would send it to the extender: its EPC request under the
// simulated resource name, priority and epc-extender.io annotations.
Pod to_model_pod(const TracePod& pod);

// kube-default's plugin sum for `pod` on `node` (LeastAllocated + BalancedAllocation), exposed for
// tests against hand-computed values.
int64_t default_plugin_score(const TracePod& pod, const SimNode& node);

}  // namespace epc
