// CandidateNodes: the nodes one filter or prioritize request asks about, as the pod being placed
// sees them.
//
// Every candidate is seen without the pod's own reservation, so a pod asked about again is not
// turned away by the EPC held for itself. In NodeNames mode each record is the cluster snapshot's
// (copied only for the node holding the pod's own reservation). In Nodes mode the capacity comes
// from the Node kube-scheduler sent (its current view of allocatable) and the committed EPC from
// the snapshot.
//
// In NodeNames mode a name the snapshot does not hold has a null record: nothing is known of it.
// In Nodes mode the service first lets the ledger learn such a node from the request
// (EpcLedger::learn_node), so its committed EPC, its reservations and a later bind all count on it
// as filter did (docs/architecture.md, "Nodes the watch has not delivered").
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/cluster_state.h"
#include "model/epc_resources.h"
#include "model/node.h"
#include "model/node_record.h"

namespace epc {

class CandidateNodes {
 public:
  // Which list kube-scheduler sent: names (nodeCacheCapable) or Node objects.
  enum class Mode { kNodeNames, kNodes };
  // `pod_id` is the pod's pod_identity; `expected` how many candidates will be added.
  CandidateNodes(Mode mode, const ClusterSnapshot& snapshot, std::string pod_id, size_t expected);
  // Moving keeps `records()` valid (the vector's buffer moves with it); copying would not.
  CandidateNodes(CandidateNodes&&) = default;
  CandidateNodes& operator=(CandidateNodes&&) = delete;
  CandidateNodes(const CandidateNodes&) = delete;
  CandidateNodes& operator=(const CandidateNodes&) = delete;

  // At most `expected` candidates in all, in the constructor's mode. NodeNames mode: `names` must
  // outlive this (they point into the request). All of a request's names at once: the snapshot
  // looks a group of names up together (NodeTable::find_all).
  void add_names(std::span<const std::string_view> names);
  // Nodes mode: the capacity from `node`, committed EPC from the snapshot; `node` must outlive
  // this.
  void add_node(const Node& node, const EpcResources& resources);

  size_t size() const { return names_.size(); }
  bool empty() const { return names_.empty(); }
  std::string_view name(size_t i) const { return names_[i]; }
  const std::vector<std::string_view>& names() const { return names_; }
  // One per candidate; null for a node the snapshot does not hold.
  const std::vector<const NodeRecord*>& records() const { return records_; }

 private:
  const ClusterSnapshot* snapshot_;
  std::string pod_id_;
  std::vector<std::string_view> names_;
  std::vector<const NodeRecord*> records_;
  std::vector<NodeRecord> copies_;  // what `records_` points to when a record had to be built
};

}  // namespace epc
