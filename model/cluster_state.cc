#include "model/cluster_state.h"

#include <algorithm>

namespace epc {

ClusterSnapshot::ClusterSnapshot() : nodes_(std::make_shared<const NodeTable>()) {}

ClusterSnapshot::ClusterSnapshot(std::shared_ptr<const NodeTable> nodes, SteadyTime earliest_expiry)
    : nodes_(std::move(nodes)), earliest_expiry_(earliest_expiry) {}

int64_t ClusterSnapshot::reserved_bytes(std::string_view name) const {
  const NodeRecord* record = node(name);
  return record == nullptr ? 0 : record->reserved_bytes;
}

int64_t ClusterSnapshot::committed_bytes(std::string_view name) const {
  const NodeRecord* record = node(name);
  return record == nullptr ? 0 : record->committed_bytes;
}

ClusterState::ClusterState(EpcResources resources)
    : nodes_(std::make_shared<const NodeTable>()),
      ledger_(std::move(resources)),
      snapshot_(std::make_shared<const ClusterSnapshot>()) {}

void ClusterState::publish() {
  // One pointer per shard: the ledger's next change clones only the shards it touches, so this
  // snapshot's records stay as they are.
  const bool same_nodes = nodes_->same_storage_as(ledger_.node_table());
  // A change that touched no node and no reservation (a pending pod's event, a bind settled as
  // it was) leaves the snapshot as it is: readers keep theirs, and nothing is allocated.
  if (same_nodes && snapshot_.load()->earliest_expiry() == ledger_.earliest_expiry()) return;
  if (!same_nodes) nodes_ = std::make_shared<const NodeTable>(ledger_.node_table());
  snapshot_.store(std::make_shared<const ClusterSnapshot>(nodes_, ledger_.earliest_expiry()));
}

}  // namespace epc
