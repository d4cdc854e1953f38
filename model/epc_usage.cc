#include "model/epc_usage.h"

#include <algorithm>
#include <map>

#include "model/fit.h"

namespace epc {
namespace {

FitCause unschedulable_cause(const NodeRecord& node) {
  if (node.unschedulable) return FitCause::kCordoned;
  if (node.readiness == NodeReadiness::NotReady) return FitCause::kNotReady;
  if (!node.capacity_error.empty()) return FitCause::kInvalidCapacity;
  return FitCause::kNone;
}

EpcTotals totals_of(const NodeRecord& node) {
  EpcTotals totals;
  totals.capacity_bytes = node.epc.bytes;
  totals.committed_bytes = node.committed_bytes;
  totals.reserved_bytes = node.reserved_bytes;
  totals.free_bytes =
      std::max<int64_t>(0, node.epc.bytes - node.committed_bytes - node.reserved_bytes);
  totals.epc_pods = node.epc_pods;
  return totals;
}

}  // namespace

void EpcTotals::add(const EpcTotals& other) {
  capacity_bytes += other.capacity_bytes;
  committed_bytes += other.committed_bytes;
  reserved_bytes += other.reserved_bytes;
  free_bytes += other.free_bytes;
  epc_pods += other.epc_pods;
}

EpcUsage epc_usage(const ClusterSnapshot& snapshot, const PlacementPolicy& policy) {
  EpcUsage usage;
  std::map<std::string, PoolUsage, std::less<>> pools;
  for (const auto& [name, node] : snapshot.nodes()) {
    if (!is_confidential(node, policy)) {
      ++usage.general_nodes;
      continue;
    }
    NodeUsage entry;
    entry.name = name;
    entry.pool = std::string(node.label(policy.pool_label_key));
    entry.unschedulable_cause = unschedulable_cause(node);
    entry.schedulable = entry.unschedulable_cause == FitCause::kNone;
    entry.epc = totals_of(node);
    PoolUsage& pool = pools[entry.pool];
    pool.name = entry.pool;
    ++pool.nodes;
    pool.epc.add(entry.epc);
    usage.total.add(entry.epc);
    usage.nodes.push_back(std::move(entry));
  }
  std::sort(usage.nodes.begin(), usage.nodes.end(),
            [](const NodeUsage& a, const NodeUsage& b) { return a.name < b.name; });
  for (auto& [name, pool] : pools) usage.pools.push_back(std::move(pool));
  return usage;
}

}  // namespace epc
