// decide_preempt: on which of kube-scheduler's candidate nodes evicting the proposed victims would
// let the pod in.
//
// kube-scheduler proposes victims per node from its own view; the extender keeps a node only when
// the pod then passes the extender's filter there. The EPC a victim frees is what the ledger says
// it holds on that node, whichever form the victims came in: a victim the ledger does not know, or
// knows on another node, frees nothing, so a stale or invented victim cannot justify an eviction.
//
// A node is never offered with an empty victim list: kube-scheduler's Evaluator.callExtenders
// (pkg/scheduler/framework/preemption/preemption.go) fails the whole preemption with "expected at
// least one victim pod on node" when an extender does that.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "model/cluster_state.h"
#include "model/epc_ledger.h"
#include "model/epc_resources.h"
#include "model/pod_request.h"
#include "model/victims.h"

namespace epc {

struct PreemptDecision {
  std::vector<size_t> offered;  // indices into the victims, in their order
};

// Reads pods from `ledger` (call under the state's lock) and nodes from `snapshot`. Nothing is
// offered when the pod cannot be judged (unreadable demand, rejected override) or the view is not
// `ready`: no eviction can be justified then.
PreemptDecision decide_preempt(const PodRequest& pod, std::span<const NodeVictims> victims,
                               const ClusterSnapshot& snapshot, const EpcLedger& ledger,
                               const EpcResources& resources, bool ready);

// The EPC evicting `victims` would free on their node, as the ledger accounts it.
int64_t freed_epc_bytes(const NodeVictims& victims, const EpcLedger& ledger);

}  // namespace epc
