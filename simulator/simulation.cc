#include "simulator/simulation.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <limits>
#include <memory>
#include <queue>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "model/consolidation/plan_replay.h"
#include "model/consolidation/planner.h"
#include "model/consolidation/run_limits.h"
#include "model/fit.h"
#include "simulator/kube_plugins.h"
#include "simulator/offline_bounds.h"

namespace epc {
namespace {

struct Departure {
  double time;
  size_t pod;
  size_t node;
  bool operator>(const Departure& other) const {
    return time != other.time ? time > other.time : pod > other.pod;
  }
};

// Simulated time 0 is 2023-11-15 00:00 UTC, so quiet hours and pod ages read as on a real clock.
constexpr int64_t kSimulationEpoch = 1700006400;

class Run {
 public:
  Run(std::span<const NodeSpec> specs, const Trace& trace, SchedulingPolicy& policy, uint64_t seed)
      : trace_(trace),
        pods_(trace),
        policy_(policy),
        random_(seed),
        volume_(specs),
        capacity_bound_(specs),
        node_of_(trace.size(), kNone),
        departs_at_(trace.size()) {
    const EpcResources resources = EpcResources::defaults();
    for (const NodeSpec& spec : specs) {
      node_index_.emplace(spec.name, nodes_.size());
      nodes_.push_back(make_sim_node(spec, resources));
      if (spec.epc_bytes > 0 && spec.price_per_hour) result_.priced = true;
    }
    result_.policy = policy.name();
    result_.arrivals = trace.size();
    const ScoringConfig* config = policy.scoring_config();
    if (config != nullptr && config->consolidation.enabled) {
      config_ = config;
      placement_policy_ = std::make_shared<const PlacementPolicy>(config->policy);
      result_.consolidation_interval_seconds = config->consolidation.interval_seconds;
    }
  }

  SimulationResult run() {
    horizon_ = simulation_horizon(trace_);
    start_ = last_time_ = trace_.empty() ? 0 : trace_.front().arrival_seconds;
    result_.nodes_in_use_timeline.emplace_back(start_, 0);
    next_tick_ = config_ != nullptr
                     ? start_ + static_cast<double>(config_->consolidation.interval_seconds)
                     : std::numeric_limits<double>::infinity();
    for (size_t next = 0; next < trace_.size(); ++next) {
      consolidate_until(trace_[next].arrival_seconds);
      depart_until(trace_[next].arrival_seconds);
      advance(trace_[next].arrival_seconds);
      if (!try_place(next)) pending_.push_back(next);
    }
    consolidate_until(horizon_);
    depart_until(horizon_);
    advance(horizon_);
    finish();
    return std::move(result_);
  }

 private:
  static constexpr size_t kNone = std::numeric_limits<size_t>::max();

  // Integrates the time-weighted figures up to `time`.
  void advance(double time) {
    const double span = time - last_time_;
    if (span <= 0) return;
    in_use_seconds_ += static_cast<double>(in_use_) * span;
    committed_seconds_ += static_cast<double>(committed_) * span;
    used_capacity_seconds_ += static_cast<double>(used_capacity_) * span;
    capacity_bound_seconds_ += static_cast<double>(capacity_bound_.capacity_for(committed_)) * span;
    price_seconds_ += in_use_price_ * span;
    bound_seconds_ += static_cast<double>(volume_.nodes_for(demand_)) * span;
    last_time_ = time;
  }

  // Departures up to and including `time`, instant by instant, each followed by a retry.
  void depart_until(double time) {
    while (!departures_.empty() && departures_.top().time <= time) {
      const double now = departures_.top().time;
      advance(now);
      std::vector<size_t> freed;
      while (!departures_.empty() && departures_.top().time == now) {
        const Departure departure = departures_.top();
        departures_.pop();
        if (node_of_[departure.pod] != departure.node) continue;  // evicted before it ended
        remove(departure.pod, departure.node);
        freed.push_back(departure.node);
      }
      retry_pending(freed, now);
    }
  }

  // Consolidation ticks up to and including `time`, every interval from the first arrival: the
  // departures due by a tick happen before its plan.
  void consolidate_until(double time) {
    while (next_tick_ <= time) {
      const double now = next_tick_;
      next_tick_ += static_cast<double>(config_->consolidation.interval_seconds);
      depart_until(now);
      advance(now);
      consolidate(now);
    }
  }

  // The model's view of running pod `i`: what the extender would see. Every trace pod is taken to
  // have a controller (the trace does not say; its pods stand for Deployments' replicas), and its
  // creation time is its arrival.
  Pod running_pod(size_t i) const {
    Pod pod = to_model_pod(pods_[i]);
    pod.uid = "sim-" + std::to_string(i);
    pod.node_name = nodes_[node_of_[i]].spec.name;
    pod.phase = PodPhase::Running;
    pod.controller_kind = "ReplicaSet";
    pod.created_unix_seconds = kSimulationEpoch + static_cast<int64_t>(pods_[i].arrival_seconds);
    return pod;
  }
  static size_t index_of(const Pod& pod) { return std::stoul(pod.uid.substr(4)); }

  // One tick: plan from the current state within the budgets left, evict what the plan says, and
  // let the policy place each recreated pod (kube-scheduler picks, not the plan) while the drained
  // nodes are kept out of the candidates. The drain completes within the tick.
  void consolidate(double now) {
    const int64_t unix_now = kSimulationEpoch + static_cast<int64_t>(now);
    while (!eviction_times_.empty() && eviction_times_.front() <= unix_now - 3600) {
      eviction_times_.pop_front();
    }
    // Drains complete within the tick, so no node is still draining from an earlier one.
    const std::vector<int64_t> last_hour(eviction_times_.begin(), eviction_times_.end());
    const auto run = run_limits(config_->consolidation, last_hour, 0, unix_now);
    if (std::holds_alternative<RunSkipped>(run)) return;
    const ConsolidationLimits& limits = std::get<ConsolidationLimits>(run);
    std::vector<NodeRecord> records;
    std::vector<std::optional<double>> prices;
    records.reserve(nodes_.size());
    prices.reserve(nodes_.size());
    for (const SimNode& node : nodes_) {
      records.push_back(node.record);
      prices.push_back(node.spec.price_per_hour);
    }
    // Only pods on confidential nodes can move; elsewhere only the nodes' sums matter.
    std::vector<Pod> pods;
    for (size_t i = 0; i < pods_.size(); ++i) {
      if (node_of_[i] != kNone && nodes_[node_of_[i]].confidential())
        pods.push_back(running_pod(i));
    }
    // kube-scheduler's NodeResourcesFit on cpu and memory, with the plan's earlier landings.
    const ExtraFit cpu_memory =
        [&](const Pod& pod, const NodeRecord& record,
            std::span<const Pod* const> landing) -> std::optional<std::string> {
      const SimNode& node = nodes_[node_index_.at(record.name)];
      int64_t cpu = node.cpu_requested, memory = node.memory_requested;
      for (const Pod* other : landing) {
        cpu += pods_[index_of(*other)].cpu_milli;
        memory += pods_[index_of(*other)].memory_bytes;
      }
      const TracePod& moving = pods_[index_of(pod)];
      if (!resource_fits(moving.cpu_milli, cpu, node.spec.cpu_milli)) return "insufficient cpu";
      if (!resource_fits(moving.memory_bytes, memory, node.spec.memory_bytes)) {
        return "insufficient memory";
      }
      return std::nullopt;
    };
    const ConsolidationInput input{records, pods, {}, {}, prices};
    const ConsolidationPlan plan =
        plan_consolidation(input, placement_policy_, config_->resources, limits, cpu_memory);
    ++result_.consolidation_runs;
    if (plan.empty()) return;
    // As the extender would before it acts: the plan replayed against the state it was made from.
    // A plan that does not replay is a planner bug; it is counted and not carried out.
    if (!replay_plan(plan, records, pods, placement_policy_, config_->resources, cpu_memory)) {
      ++result_.infeasible_plans;
      return;
    }
    std::vector<size_t> drained, recreated;
    for (const DrainedNode& node : plan.drained) {
      const size_t n = node_index_.at(node.node);
      nodes_[n].draining = true;
      drained.push_back(n);
      for (const PlannedMove& move : node.moves) {
        recreated.push_back(evict(std::stoul(move.pod.substr(4)), now));
      }
    }
    for (const size_t pod : recreated) {
      if (!try_place(pod, now)) pending_.push_back(pod);
    }
    for (const size_t n : drained) nodes_[n].draining = false;
    result_.drained_nodes += plan.drained.size();
    result_.consolidation_log.push_back({now, recreated.size(), plan.drained.size()});
    // The evictions freed room: kube-scheduler retries its unschedulable pods.
    retry_pending(drained, now);
  }

  // Evicts pod `i` and returns the index of the pod its controller creates at once in its place,
  // to run for what was left of the original's duration.
  size_t evict(size_t i, double now) {
    remove(i, node_of_[i]);
    TracePod again = pods_[i];
    again.arrival_seconds = now;
    again.duration_seconds =
        departs_at_[i] ? std::optional<double>(*departs_at_[i] - now) : std::nullopt;
    pods_.push_back(std::move(again));
    node_of_.push_back(kNone);
    departs_at_.emplace_back();
    ++result_.evictions;
    eviction_times_.push_back(kSimulationEpoch + static_cast<int64_t>(now));
    return pods_.size() - 1;
  }

  void retry_pending(const std::vector<size_t>& freed, double now) {
    std::vector<size_t> still;
    for (size_t pod : pending_) {
      const bool may_fit = std::any_of(freed.begin(), freed.end(), [&](size_t node) {
        return policy_.feasible(pods_[pod], nodes_[node]);
      });
      if (may_fit && try_place(pod, now)) continue;
      still.push_back(pod);
    }
    pending_ = std::move(still);
  }

  bool try_place(size_t pod_index) {
    return try_place(pod_index, pods_[pod_index].arrival_seconds);
  }

  bool try_place(size_t pod_index, double now) {
    const TracePod& pod = pods_[pod_index];
    const auto started = std::chrono::steady_clock::now();
    const std::optional<size_t> node = policy_.place(pod, nodes_, random_);
    latencies_us_.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started)
            .count());
    if (!node) return false;
    add(pod_index, *node);
    // A pod recreated after an eviction is the same workload placed again: the trace's figures
    // (placed, waited, plain_on_conf) count each trace pod once.
    if (pod_index < trace_.size()) {
      ++result_.placed;
      if (now > pod.arrival_seconds) {
        ++result_.waited;
        wait_seconds_ += now - pod.arrival_seconds;
      }
      if (!pod.needs_epc() && nodes_[*node].confidential()) ++result_.non_epc_on_confidential;
    }
    departs_at_[pod_index] =
        pod.duration_seconds ? std::optional<double>(now + *pod.duration_seconds) : std::nullopt;
    if (departs_at_[pod_index]) departures_.push({*departs_at_[pod_index], pod_index, *node});
    return true;
  }

  void add(size_t pod_index, size_t node_index) {
    const TracePod& pod = pods_[pod_index];
    SimNode& node = nodes_[node_index];
    const bool was_in_use = node.in_use();
    node.add(pod);
    node_of_[pod_index] = node_index;
    if (!pod.needs_epc()) return;
    committed_ += pod.epc_bytes;
    demand_.cpu_milli += pod.cpu_milli;
    demand_.memory_bytes += pod.memory_bytes;
    demand_.epc_bytes = committed_;
    if (committed_ > result_.peak_epc_bytes) {
      result_.peak_epc_bytes = committed_;
      peak_demand_ = demand_;
    }
    if (!was_in_use) change_in_use(node, +1);
  }

  void remove(size_t pod_index, size_t node_index) {
    const TracePod& pod = pods_[pod_index];
    SimNode& node = nodes_[node_index];
    node.remove(pod);
    node_of_[pod_index] = kNone;
    if (!pod.needs_epc()) return;
    committed_ -= pod.epc_bytes;
    demand_.cpu_milli -= pod.cpu_milli;
    demand_.memory_bytes -= pod.memory_bytes;
    demand_.epc_bytes = committed_;
    if (!node.in_use()) change_in_use(node, -1);
  }

  void change_in_use(const SimNode& node, int delta) {
    in_use_ += delta;
    used_capacity_ += delta * node.record.epc.bytes;
    if (node.spec.price_per_hour) in_use_price_ += delta * *node.spec.price_per_hour;
    result_.peak_nodes_in_use = std::max(result_.peak_nodes_in_use, in_use_);
    result_.nodes_in_use_timeline.emplace_back(last_time_, in_use_);
  }

  void finish() {
    const double length = horizon_ - start_;
    if (length > 0) {
      result_.time_weighted_nodes_in_use = in_use_seconds_ / length;
      result_.time_weighted_volume_bound = bound_seconds_ / length;
      result_.time_weighted_epc_in_use_bytes = used_capacity_seconds_ / length;
      result_.time_weighted_epc_capacity_bound_bytes = capacity_bound_seconds_ / length;
      result_.time_weighted_cost_per_hour = price_seconds_ / length;
      result_.evictions_per_hour = static_cast<double>(result_.evictions) / (length / 3600);
    }
    if (used_capacity_seconds_ > 0) {
      result_.epc_utilisation_of_used = committed_seconds_ / used_capacity_seconds_;
    }
    result_.volume_bound_at_peak = volume_.nodes_for(peak_demand_);
    if (result_.waited > 0) result_.mean_wait_seconds = wait_seconds_ / result_.waited;
    for (size_t pod : pending_) {
      if (pod >= trace_.size()) ++result_.evicted_pending;
    }
    result_.pending = pending_.size() - result_.evicted_pending;
    summarise_pending();
    summarise_latency();
  }

  void summarise_pending() {
    std::vector<TracePod> repack;  // EPC pods running at the horizon, then the pending ones
    for (size_t i = 0; i < pods_.size(); ++i) {
      if (node_of_[i] != kNone && pods_[i].needs_epc()) repack.push_back(pods_[i]);
    }
    int64_t smallest = std::numeric_limits<int64_t>::max();
    for (size_t pod : pending_) {
      if (!pods_[pod].needs_epc()) continue;
      if (pod < trace_.size()) ++result_.pending_epc;
      repack.push_back(pods_[pod]);
      smallest = std::min(smallest, pods_[pod].epc_bytes);
    }
    if (result_.pending_epc == 0) return;
    std::vector<NodeSpec> specs;
    for (const SimNode& node : nodes_) specs.push_back(node.spec);
    const FfdResult ffd = first_fit_decreasing(repack, specs);
    result_.pending_ffd_could_place =
        result_.pending_epc > ffd.unplaced ? result_.pending_epc - ffd.unplaced : 0;
    const EpcDemand smallest_demand{smallest, std::string(kSimulatedEpcResource)};
    const PlacementPolicy plain;
    for (const SimNode& node : nodes_) {
      if (!node.confidential()) continue;
      if (check_fit(smallest_demand, &node.record, node.spec.name, plain).fit != Fit::kFits) {
        result_.stranded_epc_bytes += std::max<int64_t>(0, node.record.free_bytes());
      }
    }
  }

  void summarise_latency() {
    result_.decisions = latencies_us_.size();
    if (latencies_us_.empty()) return;
    double sum = 0;
    for (double latency : latencies_us_) sum += latency;
    result_.decision_mean_us = sum / static_cast<double>(latencies_us_.size());
    const size_t p99 = latencies_us_.size() * 99 / 100;
    std::nth_element(latencies_us_.begin(), latencies_us_.begin() + p99, latencies_us_.end());
    result_.decision_p99_us = latencies_us_[p99];
  }

  const Trace& trace_;
  // The trace's pods, then the pods recreated after evictions (indices from trace_.size() on).
  std::vector<TracePod> pods_;
  SchedulingPolicy& policy_;
  SimRandom random_;
  VolumeBound volume_;
  CapacityBound capacity_bound_;
  std::vector<SimNode> nodes_;
  std::unordered_map<std::string, size_t> node_index_;  // by name
  std::vector<size_t> node_of_;                    // by pod: where it runs, kNone when not running
  std::vector<std::optional<double>> departs_at_;  // by pod: when it ends, once placed
  // Consolidation, when the policy's scoring config enables it.
  const ScoringConfig* config_ = nullptr;
  std::shared_ptr<const PlacementPolicy> placement_policy_;
  double next_tick_ = 0;
  std::deque<int64_t> eviction_times_;  // Unix seconds, within the trailing hour
  std::vector<size_t> pending_;         // arrival order
  std::priority_queue<Departure, std::vector<Departure>, std::greater<>> departures_;
  SimulationResult result_;
  double horizon_ = 0, start_ = 0, last_time_ = 0;
  size_t in_use_ = 0;
  int64_t committed_ = 0, used_capacity_ = 0;
  EpcPodsDemand demand_, peak_demand_;  // of the EPC pods running now / at the EPC peak
  double in_use_seconds_ = 0, committed_seconds_ = 0, used_capacity_seconds_ = 0;
  double bound_seconds_ = 0, wait_seconds_ = 0;
  double capacity_bound_seconds_ = 0, price_seconds_ = 0, in_use_price_ = 0;
  std::vector<double> latencies_us_;
};

}  // namespace

SimulationResult simulate(std::span<const NodeSpec> nodes, const Trace& trace,
                          SchedulingPolicy& policy, uint64_t seed) {
  policy.begin_run();
  return Run(nodes, trace, policy, seed).run();
}

}  // namespace epc
