// Decision: what one verb call decided and why, handed to observers once the reply is built.
//
// The metrics, the decision log behind /status, the debug log line and the Kubernetes Events all
// read this one record, so they can never disagree about a call. It is built from what the
// handler computed anyway; failed nodes are grouped by pool and cause (a 5000-node filter call
// yields a handful of groups), which is also the shape an operator wants: "0/12 nodes fit:
// 4 in confpool insufficient_epc, 8 in general no_epc".
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "model/fit.h"
#include "model/rejection_groups.h"
#include "scheduler/extender/verb.h"

namespace epc {

// What a bind call did to the ledger.
enum class BindEffect {
  kNone,        // not a bind, or refused before the ledger (not ready, bad request)
  kBound,       // committed (or already bound there) and, with an API server, the Binding created
  kConflict,    // the ledger refused: EPC no longer free, or the pod is bound elsewhere
  kRolledBack,  // committed, then the API server refused the Binding: the commitment was undone
  kHeld,  // committed, then the Binding's fate is unknown (timeout, 5xx): held as a reservation
};

// What a filter's recheck (model/recheck_plan.h) found: whether fresh reads overturned the view's
// rejection of every node.
enum class RecheckOutcome {
  kNone,       // no recheck: a node passed, nothing a read could change, or rechecks are off
  kReversed,   // after the reads, some node passes
  kConfirmed,  // every read answered, and still no node passes
  kFailed,     // still no node passes, and some reads got no answer or were not made
};
std::string_view to_string(RecheckOutcome outcome);

struct Recheck {
  RecheckOutcome outcome = RecheckOutcome::kNone;
  size_t reads = 0;                  // planned
  size_t failures = 0;               // planned reads without an answer (failed or skipped)
  std::chrono::nanoseconds took{0};  // from planning to the reads taken into the view
};

struct Decision {
  Verb verb = Verb::kFilter;
  Outcome outcome = Outcome::kSuccess;
  std::string pod_namespace;  // empty when the request named no pod
  std::string pod_name;
  std::string pod_uid;
  int64_t epc_bytes = 0;  // the pod's EPC demand; 0 without one or when unreadable
  std::string message;    // why, for kError and kInvalid
  size_t nodes_considered = 0;
  size_t nodes_passing = 0;              // filter: nodes left; preempt: nodes offered
  std::vector<RejectionGroup> rejected;  // filter only
  std::string node;  // bind: the target; filter: the only survivor; prioritize: the top node
  BindEffect bind = BindEffect::kNone;
  Recheck recheck;                       // filter only
  std::chrono::nanoseconds duration{0};  // from the body's arrival to the reply being built
  std::chrono::system_clock::time_point at;

  // "namespace/name", or "" without a pod.
  std::string pod_key() const;
  size_t nodes_rejected() const;
};

// "0/12 nodes fit: 4 insufficient_epc in pool confpool (e.g. conf-1: insufficient ...); 8 no_epc
// in pool general (e.g. ...)". Empty when nothing was rejected.
std::string describe_rejections(const Decision& decision);

// Called once per call, on the thread that built the reply; must be quick and thread-safe.
using DecisionObserver = std::function<void(const Decision&)>;

}  // namespace epc
