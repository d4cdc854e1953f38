#include "model/epc_ledger.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <utility>

#include "model/fit.h"
#include "model/int128.h"

namespace epc {
namespace {

std::string describe(const BindRequest& request) {
  std::string text = "pod " + request.pod_namespace + "/" + request.pod_name;
  if (!request.pod_uid.empty()) text += " (uid " + request.pod_uid + ")";
  return text;
}

bool terminated(const Pod& pod) {
  return pod.phase == PodPhase::Succeeded || pod.phase == PodPhase::Failed;
}

int64_t clamp_to_int64(Int128 value) {
  constexpr Int128 kMax = std::numeric_limits<int64_t>::max();
  return static_cast<int64_t>(std::clamp<Int128>(value, 0, kMax));
}

}  // namespace

EpcLedger::EpcLedger(EpcResources resources, size_t pending_capacity)
    : resources_(std::move(resources)), pending_capacity_(pending_capacity) {}

std::string pod_identity(std::string_view uid, std::string_view namespace_name,
                         std::string_view name) {
  if (!uid.empty()) return std::string(uid);
  return std::string(namespace_name) + "/" + std::string(name);
}

void EpcLedger::upsert_node(const Node& node) {
  removed_nodes_.erase(node.name);
  nodes_.insert_or_assign(make_node_record(node, resources_));
  // Pods bound to a node can be seen before the node itself, so its record starts from usage_.
  sync_usage(node.name);
}

void EpcLedger::remove_node(std::string_view name) {
  if (nodes_.erase(name)) remember_removed(std::string(name));
}

void EpcLedger::replace_nodes(const std::vector<Node>& nodes) {
  std::unordered_set<std::string_view> listed;
  for (const Node& node : nodes) listed.insert(node.name);
  std::vector<std::string> gone;
  for (const auto& [name, record] : nodes_) {
    if (!listed.contains(name)) gone.push_back(name);
  }
  for (std::string& name : gone) {
    nodes_.erase(name);
    remember_removed(std::move(name));
  }
  for (const Node& node : nodes) upsert_node(node);
}

bool EpcLedger::learn_node(const Node& node) {
  if (nodes_.contains(node.name) || removed_nodes_.contains(node.name)) return false;
  upsert_node(node);
  return true;
}

void EpcLedger::remember_removed(std::string name) {
  constexpr size_t kRemovedNodesKept = 1024;
  if (!removed_nodes_.insert(name).second) return;
  removed_order_.push_back(std::move(name));
  if (removed_order_.size() > kRemovedNodesKept) {
    removed_nodes_.erase(removed_order_.front());
    removed_order_.pop_front();
  }
}

std::vector<Error> EpcLedger::replace_pods(const std::vector<Pod>& pods, uint64_t listed_since) {
  std::unordered_set<std::string> listed;
  std::vector<Error> errors;
  for (const Pod& pod : pods) {
    listed.insert(pod_identity(pod.uid, pod.namespace_name, pod.name));
    if (Result<void> applied = upsert_pod(pod); !applied) errors.push_back(applied.error());
  }
  std::vector<std::string> gone;
  for (const auto& [id, record] : pods_) {
    if (listed.contains(id)) continue;
    // A pod only kube-scheduler has told us about, since the list began, may be newer than it.
    const bool newer_than_list = !record.from_source && record.local_generation > listed_since;
    if (!newer_than_list) gone.push_back(id);
  }
  for (const std::string& id : gone) erase_pod(id);
  return errors;
}

Result<void> EpcLedger::upsert_pod(const Pod& pod) {
  auto demand = epc_demand(pod, resources_);
  if (!demand) return make_error("pod " + pod.key() + ": " + demand.error().message);
  std::string id = pod_identity(pod.uid, pod.namespace_name, pod.name);

  // Names are unique among live pods, so a namespace/name seen with a new UID means the pod
  // was re-created and the old one is gone, even if its deletion was missed.
  if (auto old = uid_by_key_.find(pod.key()); old != uid_by_key_.end() && old->second != id) {
    erase_pod(std::string(old->second));
  }
  if (terminated(pod)) {
    erase_pod(id);
    return {};
  }

  PodRecord next{.namespace_name = pod.namespace_name,
                 .name = pod.name,
                 .uid = pod.uid,
                 .epc_bytes = demand->bytes,
                 .epc_resource = demand->resource,
                 .epc_by_resource = demand->by_resource,
                 .node_name = holds_resources(pod) ? pod.node_name : std::string(),
                 .priority = pod.priority,
                 .from_source = true};
  auto existing = pods_.find(id);
  if (existing == pods_.end()) {
    insert_pod(std::move(id), std::move(next));
    return {};
  }
  PodRecord& current = existing->second;
  // spec.nodeName is never cleared in Kubernetes, so a pending view of a bound pod is an event
  // from before the bind call: releasing its EPC now would let the node be over-committed.
  if (next.node_name.empty() && !current.node_name.empty()) return {};
  if (current.node_name.empty() && !next.node_name.empty()) {
    forget_pending(id);
    drop_reservation(id);
  }
  next.local_generation = current.local_generation;
  release(current);
  current = std::move(next);
  commit(current);
  return {};
}

void EpcLedger::remove_pod(std::string_view uid) {
  erase_pod(std::string(uid));
}

void EpcLedger::remember_pending(const Pod& pod, const EpcDemand& demand) {
  std::string id = pod_identity(pod.uid, pod.namespace_name, pod.name);
  if (pods_.contains(id)) return;
  if (auto old = uid_by_key_.find(pod.key()); old != uid_by_key_.end()) {
    erase_pod(std::string(old->second));
  }
  insert_pod(std::move(id), PodRecord{.namespace_name = pod.namespace_name,
                                      .name = pod.name,
                                      .uid = pod.uid,
                                      .epc_bytes = demand.bytes,
                                      .epc_resource = demand.resource,
                                      .epc_by_resource = demand.by_resource,
                                      .node_name = {},
                                      .priority = pod.priority,
                                      .from_source = false,
                                      .local_generation = ++generation_});
}

Result<EpcLedger::BindOutcome> EpcLedger::bind(const BindRequest& request) {
  PodRecord* pod = find_pod(request);
  if (pod == nullptr) {
    return make_error(describe(request) +
                      " is not known: no filter or prioritize call and no cluster record for it");
  }
  const std::string failure =
      "cannot bind " + describe(request) + " to node \"" + request.node_name + "\": ";
  // Points into nodes_, which commit() below changes: not to be used after it.
  const NodeRecord* node = nodes_.find(request.node_name);
  if (node == nullptr) return make_error(failure + unknown_node_reason(request.node_name));
  if (!node->capacity_error.empty()) return make_error(failure + node->capacity_error);
  if (!pod->node_name.empty()) {
    if (pod->node_name == request.node_name) return BindOutcome::kAlreadyBound;
    return make_error(failure + "it is already bound to node \"" + pod->node_name + "\"");
  }
  const EpcDemand demand{pod->epc_bytes, pod->epc_resource, pod->epc_by_resource};
  if (demand.needs_epc()) {
    if (auto shortfall = epc_shortfall(demand, node->epc, committed_bytes(request.node_name))) {
      return make_error(failure + shortfall->reason);
    }
  }
  forget_pending(pod_identity(pod->uid, pod->namespace_name, pod->name));
  const std::string id = pod_identity(pod->uid, pod->namespace_name, pod->name);
  drop_reservation(id);
  pod->node_name = request.node_name;
  pod->local_generation = ++generation_;
  commit(*pod);
  return BindOutcome::kCommitted;
}

void EpcLedger::unbind(const BindRequest& request) {
  PodRecord* pod = find_pod(request);
  if (pod == nullptr || pod->node_name != request.node_name) return;
  release(*pod);
  pod->node_name.clear();
  pod->local_generation = ++generation_;
  queue_pending(pod_identity(pod->uid, pod->namespace_name, pod->name));
}

const PodRecord* EpcLedger::pod_by_uid(std::string_view uid) const {
  auto it = pods_.find(std::string(uid));
  return it == pods_.end() ? nullptr : &it->second;
}

const PodRecord* EpcLedger::pod_by_name(std::string_view namespace_name,
                                        std::string_view name) const {
  auto id = uid_by_key_.find(std::string(namespace_name) + "/" + std::string(name));
  return id == uid_by_key_.end() ? nullptr : pod_by_uid(id->second);
}

NodeRecordMap EpcLedger::node_records() const {
  NodeRecordMap records;
  for (const auto& [name, record] : nodes_) records.emplace(name, record);
  return records;
}

int64_t EpcLedger::committed_bytes(std::string_view node_name) const {
  auto usage = usage_.find(node_name);
  return usage == usage_.end() ? 0 : clamp_to_int64(usage->second.bytes);
}

void EpcLedger::sync_usage(std::string_view node_name) {
  NodeRecord* record = nodes_.find_mutable(node_name);
  if (record == nullptr) return;
  auto usage = usage_.find(node_name);
  if (usage == usage_.end()) {
    record->committed_bytes = 0;
    record->epc_pods = 0;
    record->reserved_bytes = 0;
    record->reservations.clear();
    return;
  }
  record->committed_bytes = clamp_to_int64(usage->second.bytes);
  record->epc_pods = usage->second.pods;
  Int128 reserved = 0;  // 128 bits for the same reason as NodeUsage::bytes
  for (const NodeReservation& held : usage->second.reservations) reserved += held.bytes;
  record->reserved_bytes = clamp_to_int64(reserved);
  record->reservations = usage->second.reservations;
}

PodRecord* EpcLedger::find_pod(const BindRequest& request) {
  if (!request.pod_uid.empty()) {
    if (auto it = pods_.find(request.pod_uid); it != pods_.end()) return &it->second;
  }
  auto id = uid_by_key_.find(request.pod_namespace + "/" + request.pod_name);
  if (id == uid_by_key_.end()) return nullptr;
  PodRecord& pod = pods_.at(id->second);
  // The same name under another UID is another pod (re-created); binding it would be wrong.
  if (!request.pod_uid.empty() && !pod.uid.empty() && pod.uid != request.pod_uid) return nullptr;
  return &pod;
}

void EpcLedger::insert_pod(std::string id, PodRecord record) {
  uid_by_key_.insert_or_assign(record.namespace_name + "/" + record.name, id);
  const bool pending = record.node_name.empty();
  auto [it, inserted] = pods_.insert_or_assign(id, std::move(record));
  if (pending) {
    queue_pending(std::move(id));
  } else {
    commit(it->second);
  }
}

void EpcLedger::erase_pod(const std::string& id) {
  drop_reservation(id);
  auto it = pods_.find(id);
  if (it == pods_.end()) return;
  const PodRecord& pod = it->second;
  if (pod.node_name.empty()) {
    forget_pending(id);
  } else {
    release(pod);
  }
  if (auto key = uid_by_key_.find(pod.namespace_name + "/" + pod.name);
      key != uid_by_key_.end() && key->second == id) {
    uid_by_key_.erase(key);
  }
  pods_.erase(it);
}

void EpcLedger::queue_pending(std::string id) {
  const uint64_t seq = ++next_pending_seq_;
  pending_seq_.insert_or_assign(id, seq);
  pending_order_.push_back(PendingEntry{seq, std::move(id)});
  forget_oldest_pending();
}

void EpcLedger::forget_pending(const std::string& id) {
  if (pending_seq_.erase(id) == 0) return;
  // Stale entries are dropped in one pass once they outnumber the live ones, so the queue stays
  // within twice the pending pods (plus a constant) and each forget costs O(1) amortized.
  if (pending_order_.size() <= 2 * pending_seq_.size() + 64) return;
  std::erase_if(pending_order_, [this](const PendingEntry& entry) {
    const auto live = pending_seq_.find(entry.id);
    return live == pending_seq_.end() || live->second != entry.seq;
  });
}

void EpcLedger::commit(const PodRecord& pod) {
  if (pod.node_name.empty() || pod.epc_bytes == 0) return;
  NodeUsage& usage = usage_[pod.node_name];
  usage.bytes += pod.epc_bytes;
  ++usage.pods;
  sync_usage(pod.node_name);
}

void EpcLedger::release(const PodRecord& pod) {
  if (pod.node_name.empty() || pod.epc_bytes == 0) return;
  auto usage = usage_.find(pod.node_name);
  if (usage == usage_.end()) return;
  usage->second.bytes -= pod.epc_bytes;
  --usage->second.pods;
  // Dropping empty entries keeps usage_ bounded by the nodes that hold EPC right now.
  if (usage->second.pods <= 0 && usage->second.reservations.empty()) usage_.erase(usage);
  sync_usage(pod.node_name);
}

void EpcLedger::reserve(const BindRequest& request, SteadyTime expires) {
  PodRecord* pod = find_pod(request);
  if (pod == nullptr || !pod->node_name.empty() || pod->epc_bytes == 0) return;
  if (!nodes_.contains(request.node_name)) return;
  const std::string id = pod_identity(pod->uid, pod->namespace_name, pod->name);
  drop_reservation(id);
  NodeUsage& usage = usage_[request.node_name];
  usage.reservations.push_back(NodeReservation{id, pod->epc_bytes});
  reservations_.insert_or_assign(id, Reservation{request.node_name, pod->epc_bytes, expires});
  by_expiry_.emplace(expires, id);
  sync_usage(request.node_name);
}

size_t EpcLedger::expire_reservations(SteadyTime now) {
  size_t expired = 0;
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    const std::string id = by_expiry_.begin()->second;  // drop_reservation erases the entry
    drop_reservation(id);
    ++expired;
  }
  return expired;
}

void EpcLedger::drop_reservation(const std::string& id) {
  auto it = reservations_.find(id);
  if (it == reservations_.end()) return;
  const std::string node_name = it->second.node_name;
  auto usage = usage_.find(node_name);
  if (usage != usage_.end()) {
    std::erase_if(usage->second.reservations,
                  [&id](const NodeReservation& held) { return held.pod_id == id; });
    if (usage->second.pods <= 0 && usage->second.reservations.empty()) usage_.erase(usage);
  }
  by_expiry_.erase({it->second.expires, id});
  reservations_.erase(it);
  sync_usage(node_name);
}

void EpcLedger::forget_oldest_pending() {
  while (pending_seq_.size() > pending_capacity_ && !pending_order_.empty()) {
    const PendingEntry entry = std::move(pending_order_.front());
    pending_order_.pop_front();
    const auto live = pending_seq_.find(entry.id);
    if (live == pending_seq_.end() || live->second != entry.seq) continue;  // bound or removed
    pending_seq_.erase(live);
    const std::string& id = entry.id;
    auto it = pods_.find(id);
    if (it == pods_.end()) continue;
    const PodRecord& pod = it->second;
    if (auto key = uid_by_key_.find(pod.namespace_name + "/" + pod.name);
        key != uid_by_key_.end() && key->second == id) {
      uid_by_key_.erase(key);
    }
    pods_.erase(it);
  }
}

}  // namespace epc
