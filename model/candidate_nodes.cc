#include "model/candidate_nodes.h"

#include <utility>

namespace epc {

CandidateNodes::CandidateNodes(Mode mode, const ClusterSnapshot& snapshot, std::string pod_id,
                               size_t expected)
    : snapshot_(&snapshot), pod_id_(std::move(pod_id)) {
  names_.reserve(expected);
  records_.reserve(expected);
  // Never reallocated: `records_` points into it. In NodeNames mode the one copy is the node
  // holding the pod's own reservation (a pod has at most one).
  copies_.reserve(mode == Mode::kNodes ? expected : 1);
}

void CandidateNodes::add_names(std::span<const std::string_view> names) {
  const size_t first = records_.size();
  records_.resize(first + names.size());
  snapshot_->nodes().find_all(names, std::span(records_).subspan(first));
  for (size_t i = 0; i < names.size(); ++i) {
    const NodeRecord*& known = records_[first + i];
    // Every record is used as published, other pods' reservations included, except the one
    // holding this pod's own: this pod sees that node without it. The ledger keeps one reservation
    // per pod, so that is one node, and a name sent twice shares its copy.
    if (known != nullptr && !known->reservations.empty() && known->reserved_for(pod_id_) > 0) {
      if (copies_.empty()) copies_.push_back(known->as_seen_by(pod_id_));
      if (copies_.front().name == known->name) known = &copies_.front();
    }
    names_.push_back(names[i]);
  }
}

void CandidateNodes::add_node(const Node& node, const EpcResources& resources) {
  names_.push_back(node.name);
  NodeRecord record = make_node_record(node, resources);
  if (const NodeRecord* known = snapshot_->node(node.name)) {
    record.committed_bytes = known->committed_bytes;
    record.epc_pods = known->epc_pods;
    record.reserved_bytes = known->reserved_bytes;
    record.reservations = known->reservations;
    record.leave_out_reservation_of(pod_id_);
  }
  copies_.push_back(std::move(record));
  records_.push_back(&copies_.back());
}

}  // namespace epc
