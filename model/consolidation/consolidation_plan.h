// ConsolidationPlan: which confidential nodes to empty, which pods to evict from them, where each
// is expected to land, and what that frees.
//
// A plan is a value: the planner (planner.h) builds it from the model, replay_plan
// (plan_replay.h) checks it, and the simulator or the extender acts on it. It names pods by
// identity as the ledger does, so acting on it later can find the same pods again, and it says
// for every node it considered but left alone why, so an operator can see what holds a node.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace epc {

// One pod to evict from `from`, expected to land on `to` when its controller recreates it.
struct PlannedMove {
  std::string pod;  // pod_identity: its UID, or "namespace/name"
  std::string namespace_name;
  std::string name;
  int64_t epc_bytes = 0;
  std::string from;
  std::string to;
};

// A node the plan empties: every pod that would keep it busy moves (DaemonSet pods stay).
struct DrainedNode {
  std::string node;
  std::vector<PlannedMove> moves;
  int64_t epc_capacity_bytes = 0;        // the EPC freed with the node
  std::optional<double> price_per_hour;  // when the caller gave one
};

// A node considered and left alone: the first pod that could not move or land, and why.
struct KeptNode {
  std::string node;
  std::string pod;  // "namespace/name"; empty when no single pod is to blame (a budget)
  std::string reason;
};

struct ConsolidationPlan {
  std::vector<DrainedNode> drained;  // in the order planned
  std::vector<KeptNode> kept;
  size_t evictions = 0;
  int64_t freed_epc_bytes = 0;
  double freed_price_per_hour = 0;  // over drained nodes with a price

  bool empty() const { return drained.empty(); }
};

}  // namespace epc
