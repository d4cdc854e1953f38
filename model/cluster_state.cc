#include "model/cluster_state.h"

#include <algorithm>

namespace epc {

SnapshotReservations::SnapshotReservations(ReservationMap reservations)
    : by_pod(std::move(reservations)) {
  for (const auto& [pod, reservation] : by_pod) {
    by_node[reservation.node_name] += reservation.bytes;
    earliest_expiry = std::min(earliest_expiry, reservation.expires);
  }
}

ClusterSnapshot::ClusterSnapshot()
    : nodes_(std::make_shared<const NodeTable>()),
      reservations_(std::make_shared<const SnapshotReservations>(ReservationMap{})) {}

ClusterSnapshot::ClusterSnapshot(std::shared_ptr<const NodeTable> nodes,
                                 std::shared_ptr<const SnapshotReservations> reservations)
    : nodes_(std::move(nodes)), reservations_(std::move(reservations)) {}

int64_t ClusterSnapshot::reserved_bytes(std::string_view name) const {
  auto it = reservations_->by_node.find(name);
  return it == reservations_->by_node.end() ? 0 : it->second;
}

int64_t ClusterSnapshot::committed_bytes(std::string_view name) const {
  const NodeRecord* record = node(name);
  return record == nullptr ? 0 : record->committed_bytes;
}

bool ClusterSnapshot::has_expired_reservations(SteadyTime now) const {
  return reservations_->earliest_expiry <= now;
}

NodeRecord ClusterSnapshot::as_seen_by(std::string_view pod_id, NodeRecord record) const {
  record.reserved_bytes = reserved_bytes(record.name);
  if (record.reserved_bytes == 0 || pod_id.empty()) return record;
  auto own = reservations_->by_pod.find(std::string(pod_id));
  if (own != reservations_->by_pod.end() && own->second.node_name == record.name) {
    record.reserved_bytes -= own->second.bytes;
  }
  return record;
}

ClusterState::ClusterState(EpcResources resources)
    : nodes_(std::make_shared<const NodeTable>()),
      reservations_(std::make_shared<const SnapshotReservations>(ReservationMap{})),
      ledger_(std::move(resources)),
      snapshot_(std::make_shared<const ClusterSnapshot>()) {}

void ClusterState::publish() {
  // One pointer per shard: the ledger's next change clones only the shards it touches, so this
  // snapshot's records stay as they are. Reservations are not in the table; the snapshot carries
  // them beside it.
  if (!nodes_->same_storage_as(ledger_.node_table())) {
    nodes_ = std::make_shared<const NodeTable>(ledger_.node_table());
  }
  publish_reservations();
}

void ClusterState::publish_reservations() {
  // Copying costs an allocation per reservation and per node holding one, and as many frees when
  // the snapshot goes, so it happens only when they changed. The ledger says so: comparing the maps
  // instead cost a hashed look-up per reservation on every publish, one per watch event.
  if (ledger_.take_reservations_changed()) {
    reservations_ = std::make_shared<const SnapshotReservations>(ledger_.reservations());
  }
  snapshot_.store(std::make_shared<const ClusterSnapshot>(nodes_, reservations_));
}

}  // namespace epc
