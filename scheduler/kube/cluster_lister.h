// list_cluster: the nodes, pods and PodDisruptionBudgets of a cluster, read once from the API
// server, for `consolidate`.
//
// A plan is only as good as the state it was made from, and `consolidate` has no watch to keep a
// view current, so it reads the three lists afresh (consistent reads: no resourceVersion, so the
// API server answers from etcd, not its watch cache) with each pod's owner, labels and age. Lists
// are not paged: a one-shot read of a whole cluster, as `kubectl get -A` does.
#pragma once

#include "model/epc_resources.h"
#include "model/result.h"
#include "scheduler/kube/api_client.h"
#include "scheduler/state/cluster_objects.h"

namespace epc {

// Blocks until the three lists are in (each within the client's request timeout); call it from a
// thread of its own, never from the client's pool. Errors name the list and the API's answer,
// e.g. `listing /apis/policy/v1/poddisruptionbudgets: HTTP 403: ...`.
Result<ClusterObjects> list_cluster(ApiClient& client, const EpcResources& epc);

}  // namespace epc
