// The drain taint: how a consolidation run marks the nodes it is emptying, for kube-scheduler, for
// every replica of the extender and for the next run.
//
// While a node is drained its evicted pods are recreated, and they must land on the nodes the plan
// chose, not back on the node they left. A PreferNoSchedule taint does that for kube-scheduler
// (its TaintToleration plugin scores a node down for each such taint a pod does not tolerate)
// without ever leaving a pod pending: when no other node fits, the node is still allowed. The
// taint lives on the Node object, so it outlives the replica that set it: every replica's watch
// sees which nodes are draining, and a restarted leader finds the drains of its predecessor and
// ends them. Its value is the Unix second the drain began (a label value: digits only), so the
// next run knows how long a node has been draining without any state of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace epc {

inline constexpr std::string_view kDrainTaintKey = "epc-extender.io/consolidating";
inline constexpr std::string_view kDrainTaintEffect = "PreferNoSchedule";

// The taint's value for a drain that begins at `unix_seconds`.
std::string drain_taint_value(int64_t unix_seconds);

// When the drain marked by a taint with this value began. A value that is not a Unix second (a
// hand-made taint, another tool's) reads as 0: a drain of unknown age, which the next run treats
// as long over and ends.
int64_t drain_started_at(std::string_view taint_value);

}  // namespace epc
