#include "simulator/offline_bounds.h"

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>

namespace epc {

namespace {

std::vector<int64_t> prefix_sums(std::span<const NodeSpec> nodes, int64_t NodeSpec::*field) {
  std::vector<int64_t> sizes;
  for (const NodeSpec& node : nodes) {
    if (node.epc_bytes > 0) sizes.push_back(node.*field);
  }
  std::sort(sizes.begin(), sizes.end(), std::greater<>());
  std::vector<int64_t> prefix(1, 0);
  for (int64_t size : sizes) prefix.push_back(prefix.back() + size);
  return prefix;
}

}  // namespace

VolumeBound::VolumeBound(std::span<const NodeSpec> nodes)
    : epc_(prefix_sums(nodes, &NodeSpec::epc_bytes)),
      cpu_(prefix_sums(nodes, &NodeSpec::cpu_milli)),
      memory_(prefix_sums(nodes, &NodeSpec::memory_bytes)) {}

size_t VolumeBound::count(const std::vector<int64_t>& prefix, int64_t demand) {
  if (demand <= 0) return 0;
  const auto it = std::lower_bound(prefix.begin(), prefix.end(), demand);
  if (it == prefix.end()) return prefix.size();  // every node, and still short
  return static_cast<size_t>(it - prefix.begin());
}

size_t VolumeBound::nodes_for(const EpcPodsDemand& demand) const {
  return std::max({count(epc_, demand.epc_bytes), count(cpu_, demand.cpu_milli),
                   count(memory_, demand.memory_bytes)});
}

size_t VolumeBound::nodes_for_epc(int64_t epc_bytes) const {
  return count(epc_, epc_bytes);
}

CapacityBound::CapacityBound(std::span<const NodeSpec> nodes) {
  std::map<int64_t, int64_t> counts;  // capacity → nodes
  int64_t unit = 0;
  for (const NodeSpec& node : nodes) {
    if (node.epc_bytes <= 0) continue;
    ++counts[node.epc_bytes];
    unit = std::gcd(unit, node.epc_bytes);
    total_ += node.epc_bytes;
  }
  if (unit == 0 || total_ / unit > kMaxUnits) return;
  unit_ = unit;
  const auto units = static_cast<size_t>(total_ / unit);
  // reachable[t]: some subset of the nodes holds exactly t units.
  std::vector<uint64_t> reachable((units + 64) / 64, 0);
  reachable[0] = 1;
  const auto add_item = [&](size_t size) {  // reachable |= reachable << size
    const size_t words = size / 64, bits = size % 64;
    for (size_t i = reachable.size(); i-- > words;) {
      uint64_t shifted = reachable[i - words] << bits;
      if (bits != 0 && i > words) shifted |= reachable[i - words - 1] >> (64 - bits);
      reachable[i] |= shifted;
    }
  };
  for (const auto& [capacity, count] : counts) {
    const auto size = static_cast<size_t>(capacity / unit);
    for (int64_t left = count, take = 1; left > 0; take *= 2) {
      const int64_t now = std::min(take, left);
      add_item(size * static_cast<size_t>(now));
      left -= now;
    }
  }
  next_reachable_.assign(units + 1, 0);
  int32_t next = static_cast<int32_t>(units);
  for (size_t t = units + 1; t-- > 0;) {
    if ((reachable[t / 64] >> (t % 64)) & 1) next = static_cast<int32_t>(t);
    next_reachable_[t] = next;
  }
}

int64_t CapacityBound::capacity_for(int64_t epc_bytes) const {
  if (epc_bytes <= 0) return 0;
  if (unit_ == 0) return std::min(epc_bytes, total_);
  const int64_t units = (epc_bytes + unit_ - 1) / unit_;
  if (units >= static_cast<int64_t>(next_reachable_.size())) return total_;
  return next_reachable_[static_cast<size_t>(units)] * unit_;
}

FfdResult first_fit_decreasing(std::span<const TracePod> pods, std::span<const NodeSpec> nodes) {
  std::vector<size_t> order(pods.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const TracePod& x = pods[a];
    const TracePod& y = pods[b];
    if (x.epc_bytes != y.epc_bytes) return x.epc_bytes > y.epc_bytes;
    if (x.cpu_milli != y.cpu_milli) return x.cpu_milli > y.cpu_milli;
    return x.memory_bytes > y.memory_bytes;
  });
  struct Bin {
    const NodeSpec* node;
    int64_t epc = 0, cpu = 0, memory = 0;
    bool used = false;
  };
  std::vector<Bin> bins;
  for (const NodeSpec& node : nodes) {
    if (node.epc_bytes > 0) bins.push_back({&node});
  }
  std::stable_sort(bins.begin(), bins.end(), [](const Bin& a, const Bin& b) {
    return a.node->epc_bytes > b.node->epc_bytes;
  });
  FfdResult result;
  for (size_t index : order) {
    const TracePod& pod = pods[index];
    const auto fits = [&](const Bin& bin) {
      return bin.epc + pod.epc_bytes <= bin.node->epc_bytes &&
             bin.cpu + pod.cpu_milli <= bin.node->cpu_milli &&
             bin.memory + pod.memory_bytes <= bin.node->memory_bytes;
    };
    const auto bin = std::find_if(bins.begin(), bins.end(), fits);
    if (bin == bins.end()) {
      ++result.unplaced;
      continue;
    }
    bin->epc += pod.epc_bytes;
    bin->cpu += pod.cpu_milli;
    bin->memory += pod.memory_bytes;
    bin->used = true;
  }
  std::map<std::string, size_t> per_pool;
  for (const Bin& bin : bins) {
    if (!bin.used) continue;
    ++result.nodes_used;
    ++per_pool[bin.node->pool];
  }
  for (const NodeSpec& node : nodes) {
    const auto it = per_pool.find(node.pool);
    if (it == per_pool.end()) continue;
    result.nodes_used_per_pool.emplace_back(it->first, it->second);
    per_pool.erase(it);
  }
  return result;
}

double simulation_horizon(const Trace& trace) {
  double horizon = 0;
  for (const TracePod& pod : trace) horizon = std::max(horizon, pod.arrival_seconds);
  return horizon;
}

TraceBounds trace_bounds(const Trace& trace, std::span<const NodeSpec> nodes) {
  const double horizon = simulation_horizon(trace);
  // (time, +bytes at arrival / −bytes at departure, pod); departures first at equal times.
  struct Change {
    double time;
    int64_t bytes;  // > 0 arrival, < 0 departure
    size_t pod;
  };
  std::vector<Change> changes;
  for (size_t i = 0; i < trace.size(); ++i) {
    const TracePod& pod = trace[i];
    if (!pod.needs_epc()) continue;
    changes.push_back({pod.arrival_seconds, pod.epc_bytes, i});
    if (pod.duration_seconds && pod.arrival_seconds + *pod.duration_seconds <= horizon) {
      changes.push_back({pod.arrival_seconds + *pod.duration_seconds, -pod.epc_bytes, i});
    }
  }
  std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
    if (a.time != b.time) return a.time < b.time;
    return a.bytes < b.bytes;
  });
  const VolumeBound volume(nodes);
  TraceBounds bounds;
  int64_t running = 0;
  EpcPodsDemand demand;
  double weighted = 0;
  double last_time = trace.empty() ? 0 : trace.front().arrival_seconds;
  const double start = last_time;
  size_t peak_index = 0;
  for (size_t i = 0; i < changes.size(); ++i) {
    weighted += static_cast<double>(volume.nodes_for(demand)) * (changes[i].time - last_time);
    last_time = changes[i].time;
    running += changes[i].bytes;
    const TracePod& pod = trace[changes[i].pod];
    const int64_t sign = changes[i].bytes > 0 ? 1 : -1;
    demand.epc_bytes += sign * pod.epc_bytes;
    demand.cpu_milli += sign * pod.cpu_milli;
    demand.memory_bytes += sign * pod.memory_bytes;
    const size_t nodes = volume.nodes_for(demand);
    if (bounds.volume_bound_timeline.empty() ||
        bounds.volume_bound_timeline.back().second != nodes) {
      bounds.volume_bound_timeline.emplace_back(last_time, nodes);
    }
    if (running > bounds.peak_epc_bytes) {
      bounds.peak_epc_bytes = running;
      bounds.peak_time_seconds = changes[i].time;
      peak_index = i;
    }
  }
  weighted += static_cast<double>(volume.nodes_for(demand)) * (horizon - last_time);
  if (horizon > start) bounds.time_weighted_volume_bound = weighted / (horizon - start);
  // The pods running right after the peak change: replay up to it.
  std::vector<bool> live(trace.size(), false);
  for (size_t i = 0; i < changes.size() && bounds.peak_epc_bytes > 0 && i <= peak_index; ++i) {
    live[changes[i].pod] = changes[i].bytes > 0;
  }
  std::vector<TracePod> peak_pods;
  EpcPodsDemand peak;
  for (size_t i = 0; i < trace.size(); ++i) {
    if (!live[i]) continue;
    peak_pods.push_back(trace[i]);
    peak.epc_bytes += trace[i].epc_bytes;
    peak.cpu_milli += trace[i].cpu_milli;
    peak.memory_bytes += trace[i].memory_bytes;
  }
  bounds.peak_epc_pods = peak_pods.size();
  bounds.volume_bound = volume.nodes_for(peak);
  bounds.epc_volume_bound = volume.nodes_for_epc(peak.epc_bytes);
  bounds.ffd = first_fit_decreasing(peak_pods, nodes);
  return bounds;
}

}  // namespace epc
