// Rejection groups: a filter call's failed nodes, grouped by pool and cause.
//
// A 5000-node filter call that turns most nodes away yields a handful of groups, which is both
// what the metrics, the decision log and the Events can afford and what an operator wants to read:
// "0/12 nodes fit: 4 in confpool insufficient_epc, 8 in general no_epc". The grouping is part of
// the decision (which pool a node is in is the policy's pools.labelKey), so it lives in the model.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "model/fit.h"
#include "model/node_record.h"

namespace epc {

// Nodes a filter call turned away for the same cause in the same pool.
struct RejectionGroup {
  std::string pool;  // pools.labelKey value of the nodes; "" without pools
  FitCause cause = FitCause::kNone;
  size_t nodes = 0;
  std::string example;  // the first such node and its reason: `conf-1: insufficient ...`
};

// Groups rejections as they are judged. Few groups exist, so a linear scan beats a map.
class RejectionTally {
 public:
  explicit RejectionTally(std::string_view pool_label_key) : pool_label_key_(pool_label_key) {}

  // `node` is null for a node the extender does not know (its pool is then "").
  void add(const NodeRecord* node, std::string_view name, const FitVerdict& verdict);
  std::vector<RejectionGroup> take() { return std::move(groups_); }

 private:
  std::string_view pool_label_key_;
  std::vector<RejectionGroup> groups_;
};

}  // namespace epc
