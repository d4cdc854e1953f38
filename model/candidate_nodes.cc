#include "model/candidate_nodes.h"

#include <utility>

namespace epc {

CandidateNodes::CandidateNodes(Mode mode, const ClusterSnapshot& snapshot, std::string pod_id,
                               size_t expected)
    : snapshot_(&snapshot),
      pod_id_(std::move(pod_id)),
      any_reservation_(!snapshot.reservations().empty()) {
  names_.reserve(expected);
  records_.reserve(expected);
  // Never reallocated: `records_` points into it. In NodeNames mode only nodes holding
  // reservations are copied, and none when no reservation exists.
  if (mode == Mode::kNodes || any_reservation_) copies_.reserve(expected);
}

void CandidateNodes::add_names(std::span<const std::string_view> names) {
  const size_t first = records_.size();
  records_.resize(first + names.size());
  snapshot_->nodes().find_all(names, std::span(records_).subspan(first));
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string_view name = names[i];
    const NodeRecord*& known = records_[first + i];
    // Only a node that holds reservations looks different to this pod: the others are used as
    // published, without a copy (a handful of pods are in flight; thousands of nodes are not).
    if (known != nullptr && any_reservation_ && snapshot_->reserved_bytes(name) > 0) {
      copies_.push_back(snapshot_->as_seen_by(pod_id_, *known));
      known = &copies_.back();
    }
    names_.push_back(name);
  }
}

void CandidateNodes::add_node(const Node& node, const EpcResources& resources) {
  names_.push_back(node.name);
  NodeRecord record = make_node_record(node, resources);
  if (const NodeRecord* known = snapshot_->node(node.name)) {
    record.committed_bytes = known->committed_bytes;
    record.epc_pods = known->epc_pods;
  }
  copies_.push_back(snapshot_->as_seen_by(pod_id_, std::move(record)));
  records_.push_back(&copies_.back());
}

}  // namespace epc
