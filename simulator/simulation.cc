#include "simulator/simulation.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <queue>

#include "model/fit.h"
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

class Run {
 public:
  Run(std::span<const NodeSpec> specs, const Trace& trace, SchedulingPolicy& policy, uint64_t seed)
      : trace_(trace),
        policy_(policy),
        random_(seed),
        volume_(specs),
        node_of_(trace.size(), kNone) {
    const EpcResources resources = EpcResources::defaults();
    for (const NodeSpec& spec : specs) nodes_.push_back(make_sim_node(spec, resources));
    result_.policy = policy.name();
    result_.arrivals = trace.size();
  }

  SimulationResult run() {
    horizon_ = simulation_horizon(trace_);
    start_ = last_time_ = trace_.empty() ? 0 : trace_.front().arrival_seconds;
    result_.nodes_in_use_timeline.emplace_back(start_, 0);
    for (size_t next = 0; next < trace_.size(); ++next) {
      depart_until(trace_[next].arrival_seconds);
      advance(trace_[next].arrival_seconds);
      if (!try_place(next)) pending_.push_back(next);
    }
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
        remove(departure.pod, departure.node);
        freed.push_back(departure.node);
      }
      retry_pending(freed, now);
    }
  }

  void retry_pending(const std::vector<size_t>& freed, double now) {
    std::vector<size_t> still;
    for (size_t pod : pending_) {
      const bool may_fit = std::any_of(freed.begin(), freed.end(), [&](size_t node) {
        return policy_.feasible(trace_[pod], nodes_[node]);
      });
      if (may_fit && try_place(pod, now)) continue;
      still.push_back(pod);
    }
    pending_ = std::move(still);
  }

  bool try_place(size_t pod_index) {
    return try_place(pod_index, trace_[pod_index].arrival_seconds);
  }

  bool try_place(size_t pod_index, double now) {
    const TracePod& pod = trace_[pod_index];
    const auto started = std::chrono::steady_clock::now();
    const std::optional<size_t> node = policy_.place(pod, nodes_, random_);
    latencies_us_.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started)
            .count());
    if (!node) return false;
    add(pod_index, *node);
    ++result_.placed;
    if (now > pod.arrival_seconds) {
      ++result_.waited;
      wait_seconds_ += now - pod.arrival_seconds;
    }
    if (!pod.needs_epc() && nodes_[*node].confidential()) ++result_.non_epc_on_confidential;
    if (pod.duration_seconds) departures_.push({now + *pod.duration_seconds, pod_index, *node});
    return true;
  }

  void add(size_t pod_index, size_t node_index) {
    const TracePod& pod = trace_[pod_index];
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
    const TracePod& pod = trace_[pod_index];
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
    result_.peak_nodes_in_use = std::max(result_.peak_nodes_in_use, in_use_);
    result_.nodes_in_use_timeline.emplace_back(last_time_, in_use_);
  }

  void finish() {
    const double length = horizon_ - start_;
    if (length > 0) {
      result_.time_weighted_nodes_in_use = in_use_seconds_ / length;
      result_.time_weighted_volume_bound = bound_seconds_ / length;
    }
    if (used_capacity_seconds_ > 0) {
      result_.epc_utilisation_of_used = committed_seconds_ / used_capacity_seconds_;
    }
    result_.volume_bound_at_peak = volume_.nodes_for(peak_demand_);
    if (result_.waited > 0) result_.mean_wait_seconds = wait_seconds_ / result_.waited;
    result_.pending = pending_.size();
    summarise_pending();
    summarise_latency();
  }

  void summarise_pending() {
    std::vector<TracePod> repack;  // EPC pods running at the horizon, then the pending ones
    for (size_t i = 0; i < trace_.size(); ++i) {
      if (node_of_[i] != kNone && trace_[i].needs_epc()) repack.push_back(trace_[i]);
    }
    int64_t smallest = std::numeric_limits<int64_t>::max();
    for (size_t pod : pending_) {
      if (!trace_[pod].needs_epc()) continue;
      ++result_.pending_epc;
      repack.push_back(trace_[pod]);
      smallest = std::min(smallest, trace_[pod].epc_bytes);
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
  SchedulingPolicy& policy_;
  SimRandom random_;
  VolumeBound volume_;
  std::vector<SimNode> nodes_;
  std::vector<size_t> node_of_;  // by pod: where it runs, kNone when not running
  std::vector<size_t> pending_;  // arrival order
  std::priority_queue<Departure, std::vector<Departure>, std::greater<>> departures_;
  SimulationResult result_;
  double horizon_ = 0, start_ = 0, last_time_ = 0;
  size_t in_use_ = 0;
  int64_t committed_ = 0, used_capacity_ = 0;
  EpcPodsDemand demand_, peak_demand_;  // of the EPC pods running now / at the EPC peak
  double in_use_seconds_ = 0, committed_seconds_ = 0, used_capacity_seconds_ = 0;
  double bound_seconds_ = 0, wait_seconds_ = 0;
  std::vector<double> latencies_us_;
};

}  // namespace

SimulationResult simulate(std::span<const NodeSpec> nodes, const Trace& trace,
                          SchedulingPolicy& policy, uint64_t seed) {
  policy.begin_run();
  return Run(nodes, trace, policy, seed).run();
}

}  // namespace epc
