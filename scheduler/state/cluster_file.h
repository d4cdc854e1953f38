// Cluster files: the nodes and pods of a `kubectl get nodes,pods -A -o json` dump (a kubectl List),
// loaded into ClusterState at startup so that NodeNames-mode requests and bind calls can be served
// before (or without) a live API-server source.
//
// Items are read with the same Pod and Node readers as kube-scheduler's requests, so a file means
// exactly what the same objects would mean on the wire. Loading is all or nothing: every item is
// read and checked first, then all are applied in one ClusterState::modify, so readers see either
// the old state or the whole file, and a bad file changes nothing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "model/cluster_state.h"
#include "model/result.h"

namespace epc {

// What a file contributed, for the startup log line.
struct ClusterFileSummary {
  size_t nodes = 0;
  size_t confidential_nodes = 0;  // nodes that offer EPC
  size_t bound_pods = 0;          // pods holding resources on a node
  size_t pending_pods = 0;        // pods without a node, remembered for bind
  // Terminated pods (Succeeded, Failed) count as neither: they hold nothing.
};

// Errors start with `path` and name the item, e.g.
// `cluster.json: items[4]: unsupported kind "Service" (expected Node or Pod)`.
Result<ClusterFileSummary> load_cluster_file(const std::string& path, ClusterState& state);

// The same for a document already in memory; `source` names it in errors.
Result<ClusterFileSummary> load_cluster_json(std::string json, std::string_view source,
                                             ClusterState& state);

}  // namespace epc
