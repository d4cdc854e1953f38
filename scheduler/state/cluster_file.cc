#include "scheduler/state/cluster_file.h"

#include <utility>
#include <vector>

#include "model/epc_capacity.h"
#include "model/epc_demand.h"
#include "scheduler/state/cluster_objects.h"
#include "scheduler/wire/extender_codec.h"

namespace epc {
namespace {

ClusterFileSummary summarize(const ClusterObjects& objects, const EpcResources& epc) {
  ClusterFileSummary summary;
  summary.nodes = objects.nodes.size();
  for (const Node& node : objects.nodes) {
    // read_cluster_objects checked every capacity.
    if (Result<EpcCapacity> capacity = epc_capacity(node, epc);
        capacity && capacity->confidential()) {
      ++summary.confidential_nodes;
    }
  }
  for (const Pod& pod : objects.pods) {
    if (holds_resources(pod)) {
      ++summary.bound_pods;
    } else if (pod.node_name.empty() && pod.phase != PodPhase::Succeeded &&
               pod.phase != PodPhase::Failed) {
      ++summary.pending_pods;
    }
  }
  return summary;
}

// Every change goes to a copy of the ledger that replaces it only when all were accepted: the
// ledger rejects a pod only after earlier items have changed it.
Result<void> apply(const ClusterObjects& objects, ClusterState& state) {
  return state.modify([&](EpcLedger& ledger) -> Result<void> {
    EpcLedger next = ledger;
    for (const Node& node : objects.nodes) next.upsert_node(node);
    for (const Pod& pod : objects.pods) {
      if (Result<void> done = next.upsert_pod(pod); !done) return done;
    }
    ledger = std::move(next);
    return {};
  });
}

}  // namespace

Result<ClusterFileSummary> load_cluster_json(std::string json, std::string_view source,
                                             ClusterState& state) {
  const auto fail = [&](const Error& error) {
    return make_error(std::string(source) + ": " + error.message);
  };
  pad_body(json);
  Result<ClusterObjects> objects = read_cluster_objects(json, state.resources());
  if (!objects) return fail(objects.error());
  if (Result<void> applied = apply(*objects, state); !applied) return fail(applied.error());
  return summarize(*objects, state.resources());
}

Result<ClusterFileSummary> load_cluster_file(const std::string& path, ClusterState& state) {
  Result<ClusterObjects> objects = load_cluster_objects(path, state.resources());
  if (!objects) return objects.error();
  if (Result<void> applied = apply(*objects, state); !applied) {
    return make_error(path + ": " + applied.error().message);
  }
  return summarize(*objects, state.resources());
}

}  // namespace epc
