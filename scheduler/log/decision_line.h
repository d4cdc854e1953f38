// log_decision: the debug line for one extender call, so that `--log-level=debug` answers "why is
// this pod pending" and "how long did that take" from the logs alone.
//
// One line per call, component "decision": the message names the verb, pod and outcome; the fields
// are pod, verb, outcome, duration_seconds, node, epc_bytes, nodes_considered, nodes_passing, bind
// (the ledger effect) and reasons (the error message, and for filter the per-pool rejection summary
// of describe_rejections). Nothing is formatted when debug is off: the observer calls this for
// every request.
#pragma once

#include "scheduler/extender/decision.h"
#include "scheduler/log/logger.h"

namespace epc {

void log_decision(const Logger& logger, const Decision& decision);

}  // namespace epc
