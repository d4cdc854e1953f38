#include "scheduler/observability/state_report.h"

#include <algorithm>
#include <memory>
#include <tuple>
#include <utility>

namespace epc {
namespace {

struct LedgerView {
  std::shared_ptr<const ClusterSnapshot> snapshot;
  std::map<std::string, std::vector<PodOnNode>> pods_by_node;
  size_t pending_pods = 0;
};

// Snapshots are published under the writer lock, so the one loaded here matches the pods read.
LedgerView read_ledger(const ClusterState& state) {
  return state.inspect([&state](const EpcLedger& ledger) {
    LedgerView view;
    view.snapshot = state.snapshot();
    for (const auto& [id, pod] : ledger.pods()) {
      if (pod.epc_bytes <= 0) continue;
      if (pod.node_name.empty()) {
        ++view.pending_pods;
        continue;
      }
      view.pods_by_node[pod.node_name].push_back({pod.namespace_name, pod.name, pod.epc_bytes});
    }
    return view;
  });
}

}  // namespace

StateReport state_report(const ClusterState& state, const PlacementPolicy& policy,
                         Readiness readiness) {
  LedgerView view = read_ledger(state);
  for (auto& [node, pods] : view.pods_by_node) {
    std::sort(pods.begin(), pods.end(), [](const PodOnNode& a, const PodOnNode& b) {
      return std::tie(a.namespace_name, a.name) < std::tie(b.namespace_name, b.name);
    });
  }
  StateReport report;
  report.usage = epc_usage(*view.snapshot, policy);
  report.pods_by_node = std::move(view.pods_by_node);
  report.pending_pods = view.pending_pods;
  report.readiness = std::move(readiness);
  return report;
}

}  // namespace epc
