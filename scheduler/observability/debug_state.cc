#include "scheduler/observability/debug_state.h"

#include <nlohmann/json.hpp>

namespace epc {
namespace {

// ordered: keys stay in the documented order, which reads better than alphabetical.
using json = nlohmann::ordered_json;

void put_totals(json& object, const EpcTotals& totals) {
  object["capacityBytes"] = totals.capacity_bytes;
  object["committedBytes"] = totals.committed_bytes;
  object["reservedBytes"] = totals.reserved_bytes;
  object["freeBytes"] = totals.free_bytes;
  object["epcPods"] = totals.epc_pods;
}

json pods_json(const StateReport& report, const std::string& node) {
  json pods = json::array();
  auto found = report.pods_by_node.find(node);
  if (found == report.pods_by_node.end()) return pods;
  for (const PodOnNode& pod : found->second) {
    pods.push_back(
        {{"namespace", pod.namespace_name}, {"name", pod.name}, {"epcBytes", pod.epc_bytes}});
  }
  return pods;
}

json node_json(const StateReport& report, const NodeUsage& node) {
  json object = {{"name", node.name}, {"pool", node.pool}, {"schedulable", node.schedulable}};
  if (!node.schedulable) object["unschedulableReason"] = to_string(node.unschedulable_cause);
  put_totals(object, node.epc);
  object["pods"] = pods_json(report, node.name);
  return object;
}

json pool_json(const PoolUsage& pool) {
  json object = {{"name", pool.name}, {"nodes", pool.nodes}};
  put_totals(object, pool.epc);
  return object;
}

}  // namespace

std::string encode_debug_state(const StateReport& report) {
  const EpcUsage& usage = report.usage;
  json nodes = json::array();
  for (const NodeUsage& node : usage.nodes) nodes.push_back(node_json(report, node));
  json pools = json::array();
  for (const PoolUsage& pool : usage.pools) pools.push_back(pool_json(pool));
  json total = {{"nodes", usage.nodes.size()}};
  put_totals(total, usage.total);

  json document = {{"ready", report.readiness.ready},   {"reason", report.readiness.reason},
                   {"nodes", std::move(nodes)},         {"pools", std::move(pools)},
                   {"total", std::move(total)},         {"generalNodes", usage.general_nodes},
                   {"pendingPods", report.pending_pods}};
  // Node names and pod names come from the cluster; replace rather than throw on invalid UTF-8.
  return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace epc
