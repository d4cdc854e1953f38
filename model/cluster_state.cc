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

ClusterState::ClusterState(EpcResources resources)
    : ledger_(std::move(resources)), snapshot_(std::make_shared<const ClusterSnapshot>()) {}

void ClusterState::publish() {
  snapshot_.store(std::make_shared<const ClusterSnapshot>(ledger_.node_records()));
}

}  // namespace epc
