// EpcLedger: the single-threaded book of nodes, pods and the EPC each pod holds on its node.
//
// It is the one place that decides what counts: a pod's EPC counts on its node from binding
// (spec.nodeName set, or a successful bind call) until it terminates or is deleted; pods seen
// pending are remembered so that a later bind call can find their demand. Every change is
// idempotent (re-applying an event changes nothing), which is what a list/watch source needs.
// ClusterState wraps it for concurrent use; tests and the simulator can use it directly.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "model/epc_demand.h"
#include "model/epc_resources.h"
#include "model/int128.h"
#include "model/node.h"
#include "model/node_record.h"
#include "model/node_table.h"
#include "model/pod.h"
#include "model/result.h"

namespace epc {

// What the ledger keeps of a pod.
struct PodRecord {
  std::string namespace_name;
  std::string name;
  std::string uid;
  int64_t epc_bytes = 0;
  std::string epc_resource;
  // Each name's bytes for a pod asking for EPC under several names (EpcDemand::by_resource).
  std::vector<EpcAmount> epc_by_resource = {};
  std::string node_name;  // empty while pending
  int32_t priority = 0;
  bool from_source = false;       // seen in a cluster file, list or watch event
  uint64_t local_generation = 0;  // the ledger generation of its last remember_pending or bind
};

using SteadyTime = std::chrono::steady_clock::time_point;

// EPC held on a node for a pod that kube-scheduler is placing there, before the pod's binding is
// seen: kube-scheduler places pods back to back, faster than their bindings come back as watch
// events, and the next pod's decision must not count the same free EPC again.
struct Reservation {
  std::string node_name;
  int64_t bytes = 0;
  SteadyTime expires;

  friend bool operator==(const Reservation&, const Reservation&) = default;
};
using ReservationMap = std::unordered_map<std::string, Reservation>;  // by pod identity

// The ledger's key for a pod: its UID, or "namespace/name" for pods without one (hand-written
// cluster files), so that every pod has exactly one identity.
std::string pod_identity(std::string_view uid, std::string_view namespace_name,
                         std::string_view name);

// A bind call: which pod goes where. The UID identifies the pod when present; namespace and name
// are used otherwise.
struct BindRequest {
  std::string pod_namespace;
  std::string pod_name;
  std::string pod_uid;
  std::string node_name;
};

class EpcLedger {
 public:
  // `pending_capacity` bounds how many pending pods are remembered for bind (oldest forgotten).
  explicit EpcLedger(EpcResources resources, size_t pending_capacity = 10000);

  const EpcResources& resources() const { return resources_; }

  void upsert_node(const Node& node);
  void remove_node(std::string_view name);
  // A source's complete list of nodes (a re-list): nodes not in it are removed.
  void replace_nodes(const std::vector<Node>& nodes);
  // A node kube-scheduler sent in a Nodes-mode request before the source delivered it (its
  // informer saw it first). Added only when the ledger neither holds it nor removed it lately (an
  // older view of a deleted node must not bring it back); returns whether it was added. The
  // source's own events then replace it as usual.
  bool learn_node(const Node& node);

  // Records a pod as the API or a cluster file shows it: bound pods that have not terminated hold
  // their EPC on their node; terminated pods release it; pending pods are remembered for bind.
  // Errors (an unreadable EPC quantity) name the pod; the ledger is then unchanged.
  Result<void> upsert_pod(const Pod& pod);
  // `uid` is "namespace/name" for a pod recorded without a UID.
  void remove_pod(std::string_view uid);
  // A source's complete list of pods (a re-list). Pods the source showed before and no longer
  // lists are removed; pods the ledger learnt from kube-scheduler's calls (remember_pending, bind)
  // after `listed_since` (a generation() read before the list was requested) are kept,
  // because the list may predate them. Pods that cannot be read are skipped and returned as errors;
  // the rest of the list still applies.
  std::vector<Error> replace_pods(const std::vector<Pod>& pods, uint64_t listed_since);

  // Counts changes made by kube-scheduler's calls (remember_pending, bind); see replace_pods.
  uint64_t generation() const { return generation_; }

  // Remembers a pod that kube-scheduler asked about, so that its bind call can be served. A pod
  // already known keeps its record (a bound pod stays bound).
  void remember_pending(const Pod& pod, const EpcDemand& demand);

  // Commits the pod's EPC to the node after re-checking that it still fits. Binding a pod again to
  // the node it is bound to succeeds and changes nothing (kAlreadyBound); to another node it is an
  // error. Unknown pods and nodes are errors.
  enum class BindOutcome { kCommitted, kAlreadyBound };
  Result<BindOutcome> bind(const BindRequest& request);
  // Takes back a bind that returned kCommitted when the API server then refused the Binding: the
  // pod is pending again and its EPC is free. A pod bound elsewhere meanwhile is left alone.
  void unbind(const BindRequest& request);

  // Holds the pod's EPC on `request.node_name` until `expires`, replacing the pod's earlier
  // reservation. Nothing happens for a pod that is unknown, already bound or needs no EPC, or when
  // the node is unknown. A reservation ends when the pod is bound (here or by its source), deleted
  // or terminated, or when it expires.
  void reserve(const BindRequest& request, SteadyTime expires);
  // Drops reservations that expired at or before `now`; returns how many.
  size_t expire_reservations(SteadyTime now);
  const ReservationMap& reservations() const { return reservations_; }
  // When the first reservation expires; SteadyTime::max() when there is none.
  SteadyTime earliest_expiry() const {
    return by_expiry_.empty() ? SteadyTime::max() : by_expiry_.begin()->first;
  }

  const PodRecord* pod_by_uid(std::string_view uid) const;
  // Every pod the ledger knows, by identity (see pod_identity); for checks and reports.
  const std::unordered_map<std::string, PodRecord>& pods() const { return pods_; }
  const PodRecord* pod_by_name(std::string_view namespace_name, std::string_view name) const;

  // The node as the source delivered it, with the EPC committed and reserved there and its EPC
  // pods; null when not held. Valid until the next change.
  const NodeRecord* node(std::string_view name) const { return nodes_.find(name); }
  // Every node held, as node() shows it. ClusterState copies it into each snapshot: a copy shares
  // all the records, and the ledger's next change clones only the shard it touches.
  const NodeTable& node_table() const { return nodes_; }
  // A copy of every record, built afresh on each call: for tests and reports, never for the
  // decision path (snapshots share the table).
  NodeRecordMap node_records() const;
  // Committed EPC of pods bound to `node_name`, whether or not the node itself is known yet.
  int64_t committed_bytes(std::string_view node_name) const;

  size_t node_count() const { return nodes_.size(); }
  size_t pod_count() const { return pods_.size(); }

 private:
  PodRecord* find_pod(const BindRequest& request);
  void insert_pod(std::string id, PodRecord record);
  void erase_pod(const std::string& id);
  // Puts a pending pod at the back of the pending order, then forgets the oldest beyond capacity.
  void queue_pending(std::string id);
  void forget_pending(const std::string& id);
  void commit(const PodRecord& pod);
  void release(const PodRecord& pod);
  void forget_oldest_pending();
  void drop_reservation(const std::string& id);
  void remember_removed(std::string name);
  // Copies usage_'s committed bytes, pods and reservations for `node_name` into its record, if the
  // node is held.
  void sync_usage(std::string_view node_name);

  struct NodeUsage {
    // 128 bits so that absurd demands from a cluster file cannot overflow a node's sum.
    Int128 bytes = 0;
    int32_t pods = 0;
    // Reservations on the node; their sum is the record's reserved_bytes (see sync_usage).
    std::vector<NodeReservation> reservations;
  };

  EpcResources resources_;
  size_t pending_capacity_;
  // Parsed once at upsert_node, so snapshots copy, never re-parse. The EPC in use (committed,
  // pods, reserved) follows usage_ (see sync_usage): a change to one node's use clones the one
  // shard that holds it, and snapshots share the rest.
  NodeTable nodes_;
  // Names of nodes removed lately, oldest first (bounded), so learn_node cannot revive them.
  std::unordered_set<std::string> removed_nodes_;
  std::deque<std::string> removed_order_;
  std::unordered_map<std::string, PodRecord> pods_;          // by pod_id
  std::unordered_map<std::string, std::string> uid_by_key_;  // "namespace/name" → pod_id
  // By node name, including nodes not held yet (their pods' EPC counts once they arrive). The
  // exact sums; node records carry them clamped to int64.
  std::unordered_map<std::string, NodeUsage, NodeNameHash, std::equal_to<>> usage_;
  // Pending pods in the order they were remembered, oldest first, by a sequence number: a pod that
  // is bound or removed leaves only pending_seq_, and its stale entry in pending_order_ is skipped
  // or compacted away later. Forgetting one pod of a long queue (each bind) then costs O(1), not a
  // scan of the queue.
  struct PendingEntry {
    uint64_t seq = 0;
    std::string id;
  };
  std::deque<PendingEntry> pending_order_;
  std::unordered_map<std::string, uint64_t> pending_seq_;  // by pod_id: its live entry
  uint64_t next_pending_seq_ = 0;
  uint64_t generation_ = 0;
  ReservationMap reservations_;  // by pod identity
  // The same reservations, first to expire first: expiring them and finding the next expiry cost
  // no scan of every reservation, which hundreds of bindings in flight would make per pod.
  std::set<std::pair<SteadyTime, std::string>> by_expiry_;
};

}  // namespace epc
