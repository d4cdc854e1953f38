// The consolidation plan as `consolidate` prints it: a table for people, JSON for scripts.
//
// Both say the same things: each node the plan empties with every eviction and its landing node,
// what that frees, and each node left alone with the pod and reason that held it. JSON field names
// follow Kubernetes' camelCase; byte counts are exact integers there and binary units in the table.
#pragma once

#include <string>

#include "scheduler/consolidate/cluster_plan.h"

namespace epc {

std::string format_plan_table(const ClusterPlan& plan);
std::string format_plan_json(const ClusterPlan& plan);

}  // namespace epc
