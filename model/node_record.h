// NodeRecord: one node as the placement decisions see it: EPC capacity, EPC committed by pods bound
// to it, and whether it may take new pods at all.
//
// Built from a Node (its status) plus the ledger's committed and reserved bytes. In NodeNames mode
// the record comes from the cluster state; in Nodes mode the capacity comes from the Node object in
// the request (what kube-scheduler currently sees) and only the EPC in use from the cluster state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/epc_capacity.h"
#include "model/epc_resources.h"
#include "model/node.h"

namespace epc {

// EPC held on a node for one pod being placed there (see EpcLedger::reserve).
struct NodeReservation {
  std::string pod_id;  // pod_identity
  int64_t bytes = 0;

  friend bool operator==(const NodeReservation&, const NodeReservation&) = default;
};

struct NodeRecord {
  std::string name;
  EpcCapacity epc;
  // Non-empty when the node's EPC quantity could not be read; such a node is reported, never used.
  std::string capacity_error;
  bool unschedulable = false;
  NodeReadiness readiness = NodeReadiness::Unknown;
  bool unreachable = false;     // see Node::unreachable
  int64_t committed_bytes = 0;  // EPC of pods bound to the node that have not terminated
  int32_t epc_pods = 0;         // how many such pods hold EPC here
  // EPC held for pods kube-scheduler is placing here right now, whose binding has not been seen
  // yet (see EpcLedger::reserve), and the reservations it sums (clamped to int64). The record
  // carries them, not a map beside the table, so that a reservation changes one node's shard and
  // a decision reads them with the record: a map of every reservation, copied into each snapshot,
  // cost in proportion to the bindings in flight, and that was every pod's cost twice over.
  int64_t reserved_bytes = 0;
  std::vector<NodeReservation> reservations;
  // The node's labels, shared: a node table clones the records of a shard it changes, and labels
  // are the bulk of a record. Null when the node has none.
  std::shared_ptr<const Labels> labels;

  // The value of label `key`, or "" when the node lacks it (or `key` is empty). With the scoring
  // config's pools.labelKey this is the node's pool name (e.g. agentpool: "confpool").
  std::string_view label(std::string_view key) const;
  // The reservation pod `pod_id` holds here, or null: a pod holds at most one.
  const NodeReservation* reservation_of(std::string_view pod_id) const;
  // What pod `pod_id` has reserved here: 0 unless its reservation is on this node.
  int64_t reserved_for(std::string_view pod_id) const;
  // The node as pod `pod_id` sees it: without the pod's own reservation, so that a pod asked about
  // again is not turned away by the EPC held for itself. Other pods' reservations count.
  NodeRecord as_seen_by(std::string_view pod_id) const;
  void leave_out_reservation_of(std::string_view pod_id);
  int64_t used_bytes() const { return committed_bytes + reserved_bytes; }
  int64_t free_bytes() const { return epc.bytes - used_bytes(); }
};

// Node records by name. The transparent hash lets a request's node names (string_views into the
// body) be looked up without building a std::string per candidate.
struct NodeNameHash {
  using is_transparent = void;
  size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
};
using NodeRecordMap = std::unordered_map<std::string, NodeRecord, NodeNameHash, std::equal_to<>>;

NodeRecord make_node_record(const Node& node, const EpcResources& resources,
                            int64_t committed_bytes = 0, int32_t epc_pods = 0);

}  // namespace epc
