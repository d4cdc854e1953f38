#include "model/node_record.h"

#include <algorithm>

namespace epc {

NodeRecord make_node_record(const Node& node, const EpcResources& resources,
                            int64_t committed_bytes, int32_t epc_pods) {
  NodeRecord record{.name = node.name,
                    .epc = {},
                    .capacity_error = {},
                    .unschedulable = node.unschedulable,
                    .readiness = node.readiness,
                    .unreachable = node.unreachable,
                    .committed_bytes = committed_bytes,
                    .epc_pods = epc_pods,
                    .reserved_bytes = 0,
                    .reservations = {},
                    .labels = nullptr};
  if (!node.labels.empty()) record.labels = std::make_shared<const Labels>(node.labels);
  auto capacity = epc_capacity(node, resources);
  if (capacity) {
    record.epc = std::move(*capacity);
  } else {
    record.capacity_error = capacity.error().message;
  }
  return record;
}

std::string_view NodeRecord::label(std::string_view key) const {
  if (labels == nullptr || key.empty()) return {};
  for (const auto& [name, value] : *labels) {
    if (name == key) return value;
  }
  return {};
}

const NodeReservation* NodeRecord::reservation_of(std::string_view pod_id) const {
  const auto own = std::find_if(
      reservations.begin(), reservations.end(),
      [pod_id](const NodeReservation& reservation) { return reservation.pod_id == pod_id; });
  return own == reservations.end() ? nullptr : &*own;
}

int64_t NodeRecord::reserved_for(std::string_view pod_id) const {
  const NodeReservation* own = reservation_of(pod_id);
  return own == nullptr ? 0 : own->bytes;
}

NodeRecord NodeRecord::as_seen_by(std::string_view pod_id) const {
  NodeRecord seen = *this;
  seen.leave_out_reservation_of(pod_id);
  return seen;
}

void NodeRecord::leave_out_reservation_of(std::string_view pod_id) {
  const NodeReservation* own = reservation_of(pod_id);
  if (own == nullptr) return;
  reserved_bytes = std::max<int64_t>(0, reserved_bytes - own->bytes);
  reservations.erase(reservations.begin() + (own - reservations.data()));
}

}  // namespace epc
