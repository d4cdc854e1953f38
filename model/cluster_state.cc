#include "model/cluster_state.h"

namespace epc {

ClusterSnapshot::ClusterSnapshot() : nodes_(std::make_shared<const NodeTable>()) {}

ClusterSnapshot::ClusterSnapshot(std::shared_ptr<const NodeTable> nodes,
                                 ReservationMap reservations)
    : nodes_(std::move(nodes)), reservations_(std::move(reservations)) {
  for (const auto& [pod, reservation] : reservations_) {
    reserved_by_node_[reservation.node_name] += reservation.bytes;
  }
}

int64_t ClusterSnapshot::reserved_bytes(std::string_view name) const {
  auto it = reserved_by_node_.find(name);
  return it == reserved_by_node_.end() ? 0 : it->second;
}

int64_t ClusterSnapshot::committed_bytes(std::string_view name) const {
  const NodeRecord* record = node(name);
  return record == nullptr ? 0 : record->committed_bytes;
}

bool ClusterSnapshot::has_expired_reservations(SteadyTime now) const {
  for (const auto& [pod, reservation] : reservations_) {
    if (reservation.expires <= now) return true;
  }
  return false;
}

NodeRecord ClusterSnapshot::as_seen_by(std::string_view pod_id, NodeRecord record) const {
  record.reserved_bytes = reserved_bytes(record.name);
  if (record.reserved_bytes == 0 || pod_id.empty()) return record;
  auto own = reservations_.find(std::string(pod_id));
  if (own != reservations_.end() && own->second.node_name == record.name) {
    record.reserved_bytes -= own->second.bytes;
  }
  return record;
}

ClusterState::ClusterState(EpcResources resources)
    : nodes_(std::make_shared<const NodeTable>()),
      ledger_(std::move(resources)),
      snapshot_(std::make_shared<const ClusterSnapshot>()) {}

void ClusterState::publish() {
  // One pointer per shard: the ledger's next change clones only the shards it touches, so this
  // snapshot's records stay as they are. Reservations are not in the table; the snapshot carries
  // them beside it.
  nodes_ = std::make_shared<const NodeTable>(ledger_.node_table());
  publish_reservations();
}

void ClusterState::publish_reservations() {
  snapshot_.store(std::make_shared<const ClusterSnapshot>(nodes_, ledger_.reservations()));
}

}  // namespace epc
