#include "simulator/placement_policies.h"

#include <algorithm>
#include <array>

#include "model/filter_decision.h"
#include "model/fit.h"
#include "model/pod_request.h"
#include "model/prioritize_decision.h"
#include "model/scoring/node_scorer.h"
#include "simulator/kube_plugins.h"

namespace epc {
namespace {

// The simulated nodes as the model's decisions read candidates.
class SimCandidates {
 public:
  explicit SimCandidates(std::span<const SimNode* const> nodes) {
    names_.reserve(nodes.size());
    records_.reserve(nodes.size());
    for (const SimNode* node : nodes) {
      names_.push_back(node->spec.name);
      records_.push_back(&node->record);
    }
  }
  CandidateView view() const { return {names_, records_}; }

 private:
  std::vector<std::string_view> names_;
  std::vector<const NodeRecord*> records_;
};

// cpu and memory after placing `pod`, as the Fit scorers (non-zero) and BalancedAllocation see
// them.
std::array<ResourceUse, 2> fit_uses(const TracePod& pod, const SimNode& node) {
  return {{{node.cpu_nonzero + nonzero_cpu(pod.cpu_milli), node.spec.cpu_milli, 1},
           {node.memory_nonzero + nonzero_memory(pod.memory_bytes), node.spec.memory_bytes, 1}}};
}

std::array<ResourceUse, 2> balanced_uses(const TracePod& pod, const SimNode& node) {
  return {{{node.cpu_requested + pod.cpu_milli, node.spec.cpu_milli, 1},
           {node.memory_requested + pod.memory_bytes, node.spec.memory_bytes, 1}}};
}

class KubeDefault final : public SchedulingPolicy {
 public:
  KubeDefault() : SchedulingPolicy("kube-default") {}

 protected:
  std::vector<int64_t> scores(const TracePod& pod, const EpcDemand&,
                              std::span<const SimNode* const> candidates) override {
    std::vector<int64_t> result;
    result.reserve(candidates.size());
    for (const SimNode* node : candidates) result.push_back(default_plugin_score(pod, *node));
    return result;
  }
};

class KubeMostAllocated final : public SchedulingPolicy {
 public:
  KubeMostAllocated() : SchedulingPolicy("kube-mostallocated") {}

 protected:
  std::vector<int64_t> scores(const TracePod& pod, const EpcDemand& demand,
                              std::span<const SimNode* const> candidates) override {
    std::vector<int64_t> result;
    result.reserve(candidates.size());
    for (const SimNode* node : candidates) {
      const std::array<ResourceUse, 2> cpu_memory = fit_uses(pod, *node);
      std::array<ResourceUse, 3> uses{cpu_memory[0], cpu_memory[1], ResourceUse{}};
      if (demand.needs_epc()) {
        uses[2] = {node->record.committed_bytes + demand.bytes, node->record.epc.bytes, 1};
      }
      result.push_back(most_allocated(uses) + balanced_allocation(balanced_uses(pod, *node)));
    }
    return result;
  }
};

// epc-extender under one scoring config: the service's own decisions (decide_filter,
// decide_prioritize) on the same pod, per-pod overrides and headroom exemptions included.
class Extender final : public SchedulingPolicy {
 public:
  Extender(std::string name, ScoringConfig config)
      : SchedulingPolicy(std::move(name)),
        config_(std::move(config)),
        policy_(std::make_shared<const PlacementPolicy>(config_.policy)) {}

  std::vector<size_t> epc_filter(const TracePod& pod,
                                 std::span<const SimNode* const> nodes) const override {
    const SimCandidates candidates(nodes);
    return decide_filter(request_of(pod), candidates.view(), config_.resources, false).passing;
  }
  std::vector<int64_t> extender_scores(const TracePod& pod,
                                       std::span<const SimNode* const> nodes) override {
    const SimCandidates candidates(nodes);
    return decide_prioritize(request_of(pod), candidates.view(), *recent_, true).scores;
  }
  const ScoringConfig* scoring_config() const override { return &config_; }
  // As the service: filter records the pod's size before prioritize reads the history.
  void seen(const TracePod& pod) override { record_demand(request_of(pod), *recent_); }

 protected:
  void begin_run() override {
    SchedulingPolicy::begin_run();
    recent_.emplace();
  }
  std::vector<int64_t> scores(const TracePod& pod, const EpcDemand&,
                              std::span<const SimNode* const> nodes) override {
    const std::vector<int64_t> extender = extender_scores(pod, nodes);
    std::vector<int64_t> result;
    result.reserve(nodes.size());
    // kube-scheduler: score × weight × (MaxNodeScore / MaxExtenderPriority).
    const int64_t scale = config_.extender.weight * (kMaxNodeScore / kMaxExtenderScore);
    for (size_t i = 0; i < nodes.size(); ++i) {
      result.push_back(default_plugin_score(pod, *nodes[i]) + extender[i] * scale);
    }
    return result;
  }

 private:
  PodRequest request_of(const TracePod& pod) const {
    return resolve_pod_request(to_model_pod(pod), policy_, config_.resources);
  }

  ScoringConfig config_;
  std::shared_ptr<const PlacementPolicy> policy_;
  std::optional<RecentDemands> recent_{std::in_place};  // holds a mutex: re-made, not reset
};

}  // namespace

EpcDemand demand_of(const TracePod& pod) {
  return pod.needs_epc() ? EpcDemand{pod.epc_bytes, std::string(kSimulatedEpcResource)}
                         : EpcDemand{};
}

int64_t default_plugin_score(const TracePod& pod, const SimNode& node) {
  return least_allocated(fit_uses(pod, node)) + balanced_allocation(balanced_uses(pod, node));
}

bool fits_in_tree(const TracePod& pod, const SimNode& node) {
  return resource_fits(pod.cpu_milli, node.cpu_requested, node.spec.cpu_milli) &&
         resource_fits(pod.memory_bytes, node.memory_requested, node.spec.memory_bytes) &&
         resource_fits(pod.epc_bytes, node.record.used_bytes(), node.record.epc.bytes);
}

Pod to_model_pod(const TracePod& pod) {
  Pod model;
  model.namespace_name = pod.namespace_name;
  model.name = pod.name;
  model.priority = pod.priority;
  model.annotations = pod.annotations;
  ContainerResources& container = model.containers.emplace_back();
  container.name = "main";
  if (pod.needs_epc()) {
    container.requests.emplace_back(std::string(kSimulatedEpcResource),
                                    std::to_string(pod.epc_bytes));
  }
  return model;
}

std::vector<size_t> SchedulingPolicy::epc_filter(const TracePod& pod,
                                                 std::span<const SimNode* const> nodes) const {
  // kube-scheduler alone: NodeResourcesFit on the extended resource, which check_fit under the
  // default policy (no headroom, no selector) equals.
  const PlacementPolicy plain_fit;
  const EpcDemand demand = demand_of(pod);
  std::vector<size_t> passing;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (judge_fit(demand, &nodes[i]->record, plain_fit).fit == Fit::kFits) passing.push_back(i);
  }
  return passing;
}

// The in-tree EPC test runs first and is implied by the EPC filter's, which then (building a
// reason for every rejection) only sees nodes with room.
bool SchedulingPolicy::feasible(const TracePod& pod, const SimNode& node) const {
  const SimNode* const alone[] = {&node};
  return !node.draining && fits_in_tree(pod, node) && !epc_filter(pod, alone).empty();
}

size_t SchedulingPolicy::nodes_to_find(size_t all_nodes) const {
  constexpr size_t kMinFeasibleNodesToFind = 100;
  constexpr int64_t kMinFeasibleNodesPercentageToFind = 5;
  if (all_nodes < kMinFeasibleNodesToFind) return all_nodes;
  int64_t percentage = percentage_;
  if (percentage == 0) {
    percentage = std::max<int64_t>(kMinFeasibleNodesPercentageToFind,
                                   50 - static_cast<int64_t>(all_nodes) / 125);
  }
  const size_t nodes = all_nodes * static_cast<size_t>(percentage) / 100;
  return std::max(nodes, kMinFeasibleNodesToFind);
}

std::optional<size_t> SchedulingPolicy::place(const TracePod& pod, std::span<const SimNode> nodes,
                                              SimRandom& random) {
  const EpcDemand demand = demand_of(pod);
  seen(pod);
  // The in-tree filters from the rotating start until enough nodes pass, then the EPC filter
  // (the extender's, or for kube-scheduler alone the same test again) on those.
  const size_t wanted = nodes_to_find(nodes.size());
  std::vector<const SimNode*> in_tree;
  size_t examined = 0;
  for (; examined < nodes.size() && in_tree.size() < wanted; ++examined) {
    const SimNode& node = nodes[(next_start_ + examined) % nodes.size()];
    if (!node.draining && fits_in_tree(pod, node)) in_tree.push_back(&node);
  }
  if (!nodes.empty()) next_start_ = (next_start_ + examined) % nodes.size();
  std::vector<const SimNode*> candidates;
  for (const size_t i : epc_filter(pod, in_tree)) candidates.push_back(in_tree[i]);
  if (candidates.empty()) return std::nullopt;
  const std::vector<int64_t> totals = scores(pod, demand, candidates);
  const int64_t best = *std::max_element(totals.begin(), totals.end());
  std::vector<size_t> top;
  for (size_t i = 0; i < totals.size(); ++i) {
    if (totals[i] == best) top.push_back(i);
  }
  const size_t pick = top.size() == 1 ? top[0] : top[random() % top.size()];
  return static_cast<size_t>(candidates[pick] - nodes.data());
}

std::unique_ptr<SchedulingPolicy> make_kube_default_policy() {
  return std::make_unique<KubeDefault>();
}

std::unique_ptr<SchedulingPolicy> make_kube_most_allocated_policy() {
  return std::make_unique<KubeMostAllocated>();
}

std::unique_ptr<SchedulingPolicy> make_extender_policy(std::string name, ScoringConfig config) {
  return std::make_unique<Extender>(std::move(name), std::move(config));
}

}  // namespace epc
