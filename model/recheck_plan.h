// plan_recheck: which nodes and pods to read afresh from the API server before the extender turns
// a pod away on every node.
//
// kube-scheduler retries an unschedulable pod the moment its own informer sees a cluster event
// (a pod deleted, a node added or changed), which is often before the extender's watch has
// delivered the same event. Answered from the older view, the pod is turned away again, and
// kube-scheduler parks it until the next event or its five-minute flush. So before a filter
// rejects every candidate, the facts a stale view could have wrong are read again: a node the
// view does not hold, or holds without (enough) EPC, cordoned or not Ready; and the pods the view
// counts on a node that is short of EPC, which may have gone. The reads are bounded per filter,
// most promising first: unknown nodes, then nodes whose own facts turned the pod away, then nodes
// where the fewest pods would have to be gone. docs/live-state.md ("Stale views") has the design,
// the alternatives and their measurements.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/epc_ledger.h"
#include "model/filter_decision.h"
#include "model/pod_request.h"

namespace epc {

// A pod the view holds EPC for on a node (bound there, or reserved there while being placed).
struct HeldPod {
  std::string identity;  // the ledger's key (pod_identity)
  std::string namespace_name;
  std::string name;
  std::string uid;
  std::string node_name;  // where the view holds its EPC
};

struct RecheckPlan {
  std::vector<std::string> nodes;  // read GET /api/v1/nodes/{name}
  std::vector<HeldPod> pods;       // read GET /api/v1/namespaces/{ns}/pods/{name}
  size_t reads() const { return nodes.size() + pods.size(); }
  bool empty() const { return reads() == 0; }
};

// Empty unless `first` (decide_filter's answer from the view) rejects every candidate for a
// reason fresh reads could overturn; at most `max_reads` reads. `node_facts_sent`: the candidates'
// node facts came with the request (Nodes mode, kube-scheduler's own view), so only the pods on
// them can be stale.
RecheckPlan plan_recheck(const PodRequest& pod, CandidateView candidates,
                         const FilterDecision& first, const EpcLedger& ledger, bool node_facts_sent,
                         size_t max_reads);

}  // namespace epc
