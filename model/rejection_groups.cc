#include "model/rejection_groups.h"

#include <utility>

namespace epc {

void RejectionTally::add(const NodeRecord* node, std::string_view name, const FitVerdict& verdict) {
  const std::string_view pool = node != nullptr ? node->label(pool_label_key_) : "";
  for (RejectionGroup& group : groups_) {
    if (group.cause == verdict.cause && group.pool == pool) {
      ++group.nodes;
      return;
    }
  }
  groups_.push_back(
      {std::string(pool), verdict.cause, 1, std::string(name) + ": " + verdict.reason});
}

}  // namespace epc
