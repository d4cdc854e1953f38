#include "model/cluster_state.h"

namespace epc {

const NodeRecord* ClusterSnapshot::node(std::string_view name) const {
  auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : &it->second;
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
  if (reservations_.empty() || pod_id.empty()) return record;
  auto own = reservations_.find(std::string(pod_id));
  if (own != reservations_.end() && own->second.node_name == record.name) {
    record.reserved_bytes -= own->second.bytes;
  }
  return record;
}

ClusterState::ClusterState(EpcResources resources)
    : ledger_(std::move(resources)), snapshot_(std::make_shared<const ClusterSnapshot>()) {}

void ClusterState::publish() {
  snapshot_.store(
      std::make_shared<const ClusterSnapshot>(ledger_.node_records(), ledger_.reservations()));
}

}  // namespace epc
