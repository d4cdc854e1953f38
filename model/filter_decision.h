// decide_filter: which candidate nodes the pod may go on, and why the others may not.
//
// The filter verb and the simulator both call this, so `simulate` predicts exactly what `serve`
// answers. The verdicts follow model/fit.h: nodes where evicting pods could help go to
// kube-scheduler's FailedNodes, the rest to FailedAndUnresolvableNodes.
//
// With one node left kube-scheduler places the pod there without calling prioritize, so that is
// where the pod's EPC is reserved until its binding is seen.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/epc_resources.h"
#include "model/node_record.h"
#include "model/pod_request.h"
#include "model/rejection_groups.h"
#include "model/result.h"
#include "model/scoring/recent_demands.h"

namespace epc {

// The candidates as decisions read them: names[i] and records[i] describe the same node; a null
// record is a node the extender does not hold (see model/candidate_nodes.h).
struct CandidateView {
  std::span<const std::string_view> names;
  std::span<const NodeRecord* const> records;
};

struct FilterDecision {
  // Set when the pod cannot be judged at all (its EPC demand is unreadable): the reply's Error,
  // which kube-scheduler records on the pod. Nothing else is set then.
  std::optional<Error> error;
  // A candidate turned away: its index, and its reason's index in `reasons`.
  struct Rejection {
    size_t candidate = 0;
    size_t reason = 0;
  };
  std::vector<size_t> passing;          // indices into the candidates
  std::vector<Rejection> failed;        // FailedNodes: preemption may help
  std::vector<Rejection> unresolvable;  // FailedAndUnresolvableNodes
  // Each reason text once: a filter over thousands of general nodes gives each the same reason.
  // Keeping one string per node, with the reply's copies and re-escaping of them, cost a
  // 5000-candidate filter a quarter of its instructions (12.5 M against 9.5 M per call under
  // callgrind, docs/benchmarks.md).
  std::vector<std::string> reasons;
  std::vector<RejectionGroup> rejected;  // when asked for
  std::optional<size_t> reserve_on;      // where the pod's EPC is held

  // No node passed. No candidates at all is kube-scheduler's business (its own filters removed
  // them), not a rejection.
  bool rejects(size_t candidates) const { return passing.empty() && candidates > 0; }
  std::string_view reason_of(const Rejection& rejection) const { return reasons[rejection.reason]; }
};

// What a filter call adds to the recent EPC sizes that bestfit reads: prioritize scores a pod
// against the sizes of the pods filtered before it, itself included.
void record_demand(const PodRequest& pod, RecentDemands& recent);

// `group_rejections` builds `rejected` (for observers; it costs a label look-up per failed node).
FilterDecision decide_filter(const PodRequest& pod, CandidateView candidates,
                             const EpcResources& resources, bool group_rejections);

}  // namespace epc
