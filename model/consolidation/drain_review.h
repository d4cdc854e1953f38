// review_drains: what became of the drains earlier consolidation runs began, so that each run knows
// which nodes are still draining and which drain taints come off.
//
// A run drains a node by tainting it (drain_taint.h) and evicting its pods; their controllers
// recreate them and kube-scheduler places them elsewhere. Nothing watches that happen: the next
// run reads the nodes and pods afresh and reviews every tainted node. The review keeps no memory
// of its own, so a restarted or new leader picks up where the last one stopped.
// - Pods that keep the node busy are still there (an eviction was refused, or a recreated pod came
//   back because no other node had room): the drain is unfinished. The taint comes off and the
//   node may be planned again in the same run; the planner then decides afresh whether it can be
//   emptied. A pod being deleted does not count: it is leaving.
// - The node is empty: it stays tainted for `hold` after the drain began, so that new pods keep off
//   it while an autoscaler removes it, and counts against maxDrainingNodes meanwhile; then the
//   taint comes off (an operator who keeps the node gets it back).
// A node that is gone (removed by an autoscaler) is not reviewed: the drain ended with it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model/node.h"
#include "model/pod.h"

namespace epc {

struct EndedDrain {
  std::string node;
  bool emptied = false;  // false: unfinished, pods that keep it busy remain
  std::string reason;    // for logs and Events, e.g. "empty for 30m0s"
};

struct DrainReview {
  std::vector<std::string> draining;  // still draining: not planned, neither drained nor landed on
  std::vector<EndedDrain> ended;      // their drain taint comes off now
};

DrainReview review_drains(std::span<const Node> nodes, std::span<const Pod> pods,
                          int64_t hold_seconds, int64_t now_unix_seconds);

}  // namespace epc
