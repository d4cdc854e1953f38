#include "model/consolidation/planner.h"

#include <algorithm>
#include <numeric>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/filter_decision.h"
#include "model/fit.h"
#include "model/pod_request.h"
#include "model/prioritize_decision.h"
#include "model/scoring/recent_demands.h"

namespace epc {
namespace {

enum class Role { kFree, kDrained, kReceiving, kExcluded };

// One pod as the planner works with it: resolved once, as the filter verb resolves it.
struct PlannedPod {
  const Pod* pod = nullptr;
  PodRequest request;
  int64_t epc_bytes() const { return request.demand ? request.demand->bytes : 0; }
};

// What one trial changed, so that a node whose pods do not all land can be rolled back whole.
struct Undo {
  std::vector<std::pair<size_t, const PlannedPod*>> landings;  // (node, pod)
  std::vector<size_t> spent_budgets;
};

class Planner {
 public:
  Planner(const ConsolidationInput& input, const std::shared_ptr<const PlacementPolicy>& policy,
          const EpcResources& resources, const ConsolidationLimits& limits, const ExtraFit& extra)
      : input_(input),
        policy_(policy),
        resources_(resources),
        limits_(limits),
        extra_(extra),
        scratch_(input.nodes.begin(), input.nodes.end()),
        roles_(input.nodes.size(), Role::kFree),
        landing_(input.nodes.size()),
        pods_on_(input.nodes.size()),
        budgets_(input.budgets.begin(), input.budgets.end()),
        by_name_(input.nodes.size()) {
    std::unordered_map<std::string_view, size_t> index;
    for (size_t i = 0; i < scratch_.size(); ++i) index.emplace(scratch_[i].name, i);
    for (const std::string& name : input.excluded) {
      if (const auto it = index.find(name); it != index.end()) roles_[it->second] = Role::kExcluded;
    }
    pods_.reserve(input.pods.size());
    for (const Pod& pod : input.pods) {
      if (!holds_resources(pod)) continue;
      const auto it = index.find(pod.node_name);
      if (it == index.end()) continue;
      pods_.push_back({&pod, resolve_pod_request(pod, policy_, resources_)});
      pods_on_[it->second].push_back(pods_.size() - 1);
    }
    std::iota(by_name_.begin(), by_name_.end(), size_t{0});
    std::sort(by_name_.begin(), by_name_.end(),
              [&](size_t a, size_t b) { return scratch_[a].name < scratch_[b].name; });
  }

  ConsolidationPlan plan() {
    for (const size_t node : candidates()) {
      if (plan_.drained.size() >= limits_.max_drained_nodes) break;
      try_drain(node);
    }
    return std::move(plan_);
  }

 private:
  // The pods that must leave `node` for it to be free, largest EPC first (the hardest to land
  // go first, so a node that cannot be freed fails early), then by key.
  std::vector<const PlannedPod*> movers(size_t node) const {
    std::vector<const PlannedPod*> result;
    for (const size_t i : pods_on_[node]) {
      if (!stays_with_node(*pods_[i].pod)) result.push_back(&pods_[i]);
    }
    std::sort(result.begin(), result.end(), [](const PlannedPod* a, const PlannedPod* b) {
      if (a->epc_bytes() != b->epc_bytes()) return a->epc_bytes() > b->epc_bytes();
      return a->pod->key() < b->pod->key();
    });
    return result;
  }

  // Confidential nodes that something other than DaemonSet pods keeps busy, in the order of the
  // header: fewest pods to move, least EPC in use, name.
  std::vector<size_t> candidates() const {
    std::vector<std::pair<size_t, size_t>> ranked;  // (movers, node)
    for (size_t i = 0; i < scratch_.size(); ++i) {
      if (roles_[i] != Role::kFree || !is_confidential(scratch_[i], *policy_)) continue;
      const size_t count = movers(i).size();
      if (count > 0) ranked.emplace_back(count, i);
    }
    std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first < b.first;
      const NodeRecord& x = scratch_[a.second];
      const NodeRecord& y = scratch_[b.second];
      if (x.used_bytes() != y.used_bytes()) return x.used_bytes() < y.used_bytes();
      return x.name < y.name;
    });
    std::vector<size_t> order;
    for (const auto& [count, node] : ranked) order.push_back(node);
    return order;
  }

  void keep(size_t node, std::string pod, std::string reason) {
    plan_.kept.push_back({scratch_[node].name, std::move(pod), std::move(reason)});
  }

  void try_drain(size_t node) {
    if (roles_[node] == Role::kReceiving) {
      keep(node, "", "receives pods in this plan");
      return;
    }
    const std::vector<const PlannedPod*> pods = movers(node);
    const size_t left = limits_.max_evictions - std::min(limits_.max_evictions, plan_.evictions);
    if (pods.size() > left) {
      keep(node, "",
           "its " + std::to_string(pods.size()) + " pods to move exceed the " +
               std::to_string(left) + " evictions left in this plan");
      return;
    }
    Undo undo;
    DrainedNode drained{scratch_[node].name, {}, scratch_[node].epc.bytes, std::nullopt};
    for (const PlannedPod* pod : pods) {
      std::optional<std::string> blocker = eviction_blocker(*pod->pod, limits_.eviction, budgets_);
      if (!blocker) blocker = land(*pod, node, undo, drained);
      if (blocker) {
        roll_back(undo);
        keep(node, pod->pod->key(), std::move(*blocker));
        return;
      }
    }
    roles_[node] = Role::kDrained;
    for (const auto& [to, pod] : undo.landings) roles_[to] = Role::kReceiving;
    if (!input_.prices.empty()) drained.price_per_hour = input_.prices[node];
    plan_.evictions += drained.moves.size();
    plan_.freed_epc_bytes += drained.epc_capacity_bytes;
    if (drained.price_per_hour) plan_.freed_price_per_hour += *drained.price_per_hour;
    plan_.drained.push_back(std::move(drained));
  }

  // Spends the budgets covering the pod and lands it: nullopt on success, else why not.
  std::optional<std::string> land(const PlannedPod& pod, size_t from, Undo& undo,
                                  DrainedNode& drained) {
    if (!pod.request.demand) return pod.request.demand.error().message;
    // The remaining nodes, in name order: a cheap judge_fit first (no reason text built), then
    // the filter verb's own decide_filter on the survivors, which has the last word.
    std::vector<std::string_view> names, all_names;
    std::vector<const NodeRecord*> records, all_records;
    for (const size_t i : by_name_) {
      if (i == from || roles_[i] == Role::kDrained || roles_[i] == Role::kExcluded) continue;
      if (opens(i)) continue;
      all_names.push_back(scratch_[i].name);
      all_records.push_back(&scratch_[i]);
      if (pod.request.policy &&
          judge_fit(*pod.request.demand, &scratch_[i], **pod.request.policy).fit != Fit::kFits) {
        continue;
      }
      names.push_back(scratch_[i].name);
      records.push_back(&scratch_[i]);
    }
    FilterDecision filter =
        decide_filter(pod.request, CandidateView{names, records}, resources_, false);
    if (filter.error) return filter.error->message;
    if (filter.passing.empty()) {
      // Only now are the reasons worth their text: the filter again, over every remaining node.
      names = std::move(all_names);
      records = std::move(all_records);
      filter = decide_filter(pod.request, CandidateView{names, records}, resources_, false);
    }
    std::vector<std::string_view> passing_names;
    std::vector<const NodeRecord*> passing;
    std::optional<std::string> extra_reason;
    for (const size_t i : filter.passing) {
      if (extra_) {
        const size_t node = index_of(records[i]);
        if (std::optional<std::string> no = extra_(*pod.pod, *records[i], landing_[node])) {
          if (!extra_reason) extra_reason = std::string(names[i]) + ": " + *no;
          continue;
        }
      }
      passing_names.push_back(names[i]);
      passing.push_back(records[i]);
    }
    if (passing.empty()) {
      if (extra_reason) return "fits no remaining node (first refusal: " + *extra_reason + ")";
      if (!filter.unresolvable.empty() || !filter.failed.empty()) {
        const FilterDecision::Rejection& first =
            !filter.failed.empty() ? filter.failed.front() : filter.unresolvable.front();
        return "fits no remaining node (" + std::string(names[first.candidate]) + ": " +
               std::string(filter.reason_of(first)) + ")";
      }
      return "fits no remaining node";
    }
    record_demand(pod.request, recent_);
    const PrioritizeDecision ranks =
        decide_prioritize(pod.request, CandidateView{passing_names, passing}, recent_, true);
    const size_t to = index_of(passing[ranks.top.value_or(0)]);
    for (const size_t b : covering_budgets(*pod.pod, budgets_)) {
      --budgets_[b].disruptions_allowed;
      undo.spent_budgets.push_back(b);
    }
    apply(to, pod, +1);
    undo.landings.emplace_back(to, &pod);
    drained.moves.push_back({pod.request.identity, pod.pod->namespace_name, pod.pod->name,
                             pod.epc_bytes(), scratch_[from].name, scratch_[to].name});
    return std::nullopt;
  }

  // Whether landing on `node` would put a confidential node in use that is not: moving pods onto
  // it only swaps which node is busy (and two plans would swap back and forth), so such nodes
  // take no pods. (Replacing a large node by a smaller empty one could save capacity; that is
  // not this planner's move.)
  bool opens(size_t node) const {
    return is_confidential(scratch_[node], *policy_) && scratch_[node].used_bytes() == 0 &&
           scratch_[node].epc_pods == 0 && landing_[node].empty() &&
           std::all_of(pods_on_[node].begin(), pods_on_[node].end(),
                       [&](size_t i) { return stays_with_node(*pods_[i].pod); });
  }

  size_t index_of(const NodeRecord* record) const {
    return static_cast<size_t>(record - scratch_.data());
  }

  void apply(size_t node, const PlannedPod& pod, int sign) {
    if (pod.request.needs_epc()) {
      scratch_[node].committed_bytes += sign * pod.epc_bytes();
      scratch_[node].epc_pods += sign;
    }
    if (sign > 0) {
      landing_[node].push_back(pod.pod);
    } else {
      landing_[node].pop_back();
    }
  }

  void roll_back(const Undo& undo) {
    for (auto it = undo.landings.rbegin(); it != undo.landings.rend(); ++it) {
      apply(it->first, *it->second, -1);
    }
    for (const size_t b : undo.spent_budgets) ++budgets_[b].disruptions_allowed;
  }

  const ConsolidationInput& input_;
  const std::shared_ptr<const PlacementPolicy>& policy_;
  const EpcResources& resources_;
  const ConsolidationLimits& limits_;
  const ExtraFit& extra_;
  std::vector<NodeRecord> scratch_;
  std::vector<Role> roles_;
  std::vector<std::vector<const Pod*>> landing_;  // by node: pods this plan lands there
  std::vector<PlannedPod> pods_;
  std::vector<std::vector<size_t>> pods_on_;  // by node: indices into pods_
  std::vector<DisruptionBudget> budgets_;     // allowances left
  std::vector<size_t> by_name_;               // node indices in name order
  RecentDemands recent_;
  ConsolidationPlan plan_;
};

}  // namespace

ConsolidationPlan plan_consolidation(const ConsolidationInput& input,
                                     const std::shared_ptr<const PlacementPolicy>& policy,
                                     const EpcResources& resources,
                                     const ConsolidationLimits& limits, const ExtraFit& extra) {
  return Planner(input, policy, resources, limits, extra).plan();
}

}  // namespace epc
