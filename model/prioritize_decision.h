// decide_prioritize: the 0..10 score of every candidate node, and where the pod will most likely
// go.
//
// The prioritize verb and the simulator both call this. The top-ranked node is where the pod's EPC
// is reserved until its binding is seen, so the next pod's decision does not count it as free.
// kube-scheduler adds the extender's score (× weight × 10) to its own plugins' and picks at random
// among equal totals, so the reservation lands where the pod goes only when the extender's top is
// unique and outweighs the plugins; with the bind verb the extender learns the real node and
// commits it there (docs/architecture.md, "Where the EPC is held").
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "model/filter_decision.h"
#include "model/pod_request.h"
#include "model/scoring/recent_demands.h"

namespace epc {

struct PrioritizeDecision {
  std::vector<int64_t> scores;  // one per candidate, 0..10
  std::optional<size_t> top;    // the best-scoring candidate (ties: the first); none when all 0
  std::optional<size_t> reserve_on;  // `top`, for a pod that needs EPC and is named
};

// A pod whose demand cannot be read, or whose override is rejected, gets no preference (every
// node 0): prioritize has no error field, and filter has already said why. So does every pod while
// the view is not `ready`.
PrioritizeDecision decide_prioritize(const PodRequest& pod, CandidateView candidates,
                                     const RecentDemands& recent, bool ready);

}  // namespace epc
