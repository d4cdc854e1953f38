// Evicting a pod through the Eviction API, for consolidation: it empties an under-used SGX node by
// asking the API server to evict each pod, so that PodDisruptionBudgets are honoured (a plain
// delete would ignore them).
//
// The outcome is classified by HTTP status alone, as ApiPodBinder classifies bindings, never by
// the message: what the caller does next (count the pod as gone, wait and try the node again
// later, give up on the node) depends only on which of the four it is.
#pragma once

#include <pplx/pplxtasks.h>

#include <string>

#include "scheduler/kube/api_client.h"

namespace epc {

// How an eviction ended, by the status of the answer. EvictionREST.Create
// (pkg/registry/core/pod/storage/eviction.go) decides:
// - kEvicted: 200 or 201, the pod is being deleted (a terminal, pending or terminating pod is
//   deleted without a budget check; any other after its budget allowed it).
// - kGone: 404, the pod does not exist (deleted by someone else: nothing left to do).
// - kRefused: 429, a PodDisruptionBudget allows no disruption now (checkAndDecrement's
//   NewTooManyRequests, or createTooManyRequestsError while the budget controller catches up);
//   trying again later may succeed.
// - kFailed: everything else. No response, 409 (the UID precondition failed: the name now
//   belongs to another pod; or a conflict the server gave up retrying), 500 (more than one budget
//   covers the pod), 403, 5xx. The pod may or may not be going; the caller re-reads it.
enum class EvictionOutcome { kEvicted, kGone, kRefused, kFailed };

struct EvictionResult {
  EvictionOutcome outcome = EvictionOutcome::kFailed;
  int http_status = 0;  // 0 when no response arrived
  std::string
      message;  // for logs and Events: ApiResponse::describe() of a failure, empty on success
};

// The outcome for an answer with `http_status` (0: none arrived).
EvictionOutcome eviction_outcome(int http_status);

// POST /api/v1/namespaces/{ns}/pods/{name}/eviction with a policy/v1 Eviction whose
// deleteOptions.preconditions.uid is `pod_uid` (omitted when empty), so that a pod recreated under
// the same name is never evicted by mistake. An empty namespace or name is kFailed without a
// request. Never throws; `client` must outlive the task.
pplx::task<EvictionResult> evict_pod(ApiClient& client, std::string pod_namespace,
                                     std::string pod_name, std::string pod_uid);

}  // namespace epc
