#include "simulator/placement_policies.h"

#include <algorithm>
#include <array>

#include "model/fit.h"
#include "model/scoring/node_scorer.h"
#include "simulator/kube_plugins.h"

namespace epc {
namespace {

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
  const PlacementPolicy& filter_policy() const override { return policy_; }
  std::vector<int64_t> scores(const TracePod& pod, const EpcDemand&,
                              std::span<const SimNode* const> candidates) override {
    std::vector<int64_t> result;
    result.reserve(candidates.size());
    for (const SimNode* node : candidates) result.push_back(default_plugin_score(pod, *node));
    return result;
  }

 private:
  PlacementPolicy policy_;  // defaults: no headroom, no selector: plain resource fit for EPC
};

class KubeMostAllocated final : public SchedulingPolicy {
 public:
  KubeMostAllocated() : SchedulingPolicy("kube-mostallocated") {}

 protected:
  const PlacementPolicy& filter_policy() const override { return policy_; }
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

 private:
  PlacementPolicy policy_;
};

class Extender final : public SchedulingPolicy {
 public:
  Extender(std::string name, ScoringConfig config)
      : SchedulingPolicy(std::move(name)), config_(std::move(config)) {}

 protected:
  const PlacementPolicy& filter_policy() const override { return config_.policy; }
  void begin_run() override {
    SchedulingPolicy::begin_run();
    recent_.emplace();
  }
  // As the service: filter records the pod's size before prioritize reads the history.
  void seen(const TracePod& pod, const EpcDemand& demand) override {
    if (!demand.needs_epc()) return;
    recent_->record(pod.namespace_name + "/" + pod.name, demand.bytes,
                    static_cast<size_t>(config_.policy.bestfit_history));
  }
  std::vector<int64_t> scores(const TracePod& pod, const EpcDemand& demand,
                              std::span<const SimNode* const> candidates) override {
    const PlacementPolicy& policy = config_.policy;
    const std::vector<int64_t> recent =
        uses_recent_sizes(policy) ? recent_->sizes() : std::vector<int64_t>();
    records_.clear();
    for (const SimNode* node : candidates) records_.push_back(&node->record);
    const std::vector<int64_t> extender = score_nodes(demand, records_, policy, recent);
    std::vector<int64_t> result;
    result.reserve(candidates.size());
    // kube-scheduler: score × weight × (MaxNodeScore / MaxExtenderPriority).
    const int64_t scale = config_.extender.weight * (kMaxNodeScore / kMaxExtenderScore);
    for (size_t i = 0; i < candidates.size(); ++i) {
      result.push_back(default_plugin_score(pod, *candidates[i]) + extender[i] * scale);
    }
    return result;
  }

 private:
  ScoringConfig config_;
  std::optional<RecentDemands> recent_{std::in_place};  // holds a mutex: re-made, not reset
  std::vector<const NodeRecord*> records_;              // reused between decisions
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

// The in-tree EPC test runs first and is implied by check_fit's, so check_fit (which builds a
// reason for every rejection) only sees nodes with room; the verdict is check_fit's.
bool SchedulingPolicy::feasible(const TracePod& pod, const SimNode& node) const {
  return fits_in_tree(pod, node) &&
         check_fit(demand_of(pod), &node.record, node.spec.name, filter_policy()).fit == Fit::kFits;
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
  seen(pod, demand);
  // The in-tree filters from the rotating start until enough nodes pass, then the EPC filter
  // (the extender's, or for kube-scheduler alone the same test again) on those.
  const size_t wanted = nodes_to_find(nodes.size());
  std::vector<const SimNode*> candidates;
  size_t passed = 0;
  size_t examined = 0;
  for (; examined < nodes.size() && passed < wanted; ++examined) {
    const SimNode& node = nodes[(next_start_ + examined) % nodes.size()];
    if (!fits_in_tree(pod, node)) continue;
    ++passed;
    if (check_fit(demand, &node.record, node.spec.name, filter_policy()).fit == Fit::kFits) {
      candidates.push_back(&node);
    }
  }
  if (!nodes.empty()) next_start_ = (next_start_ + examined) % nodes.size();
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
