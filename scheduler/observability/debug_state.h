// /debug/state: the StateReport as JSON, for scripts and for an operator with curl and jq.
//
// Keys are camelCase like Kubernetes' own JSON; byte counts are exact integers (EPC sizes stay far
// below 2^53, so JavaScript readers lose nothing). Shape:
//   {"ready": true, "reason": "",
//    "nodes": [{"name", "pool", "schedulable", "capacityBytes", "committedBytes", "reservedBytes",
//               "freeBytes", "epcPods", "pods": [{"namespace", "name", "epcBytes"}]}],
//    "pools": [{"name", "nodes", "capacityBytes", ...}], "total": {"nodes", "capacityBytes", ...},
//    "generalNodes": 3, "pendingPods": 1}
#pragma once

#include <string>

#include "scheduler/observability/state_report.h"

namespace epc {

std::string encode_debug_state(const StateReport& report);

}  // namespace epc
