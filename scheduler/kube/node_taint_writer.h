// Adding and removing one taint on a node, for consolidation: it taints a node it is about to
// drain so that nothing new lands there, and removes the taint when it gives the node up.
//
// Each change reads the node and sends an RFC 6902 JSON Patch whose first operation tests
// metadata.resourceVersion (scheduler/wire/node_taints.h): every other taint stays exactly as it
// is, and a node changed since the read is never overwritten. The API server answers a failed test
// with 422 (jsonPatcher.applyJSPatch in k8s.io/apiserver/pkg/endpoints/handlers/patch.go wraps any
// patch that does not apply in NewGenericServerResponse(http.StatusUnprocessableEntity, ...)); a
// 409 can come from a conflict the server gave up retrying. Either means the node moved on, so the
// change starts again from a fresh read, at most kTaintAttempts times in all. Nothing throws.
#pragma once

#include <pplx/pplxtasks.h>

#include <string>

#include "model/result.h"
#include "scheduler/kube/api_client.h"
#include "scheduler/wire/node_taints.h"

namespace epc {

// kUnchanged: the taint was there already (add) or was not there (remove); no patch was sent.
enum class TaintChange { kChanged, kUnchanged };

// Reads plus patches per change: a node that changes three times between our read and our patch
// is busy enough that the caller should come back later rather than race it.
inline constexpr int kTaintAttempts = 3;

// Adds `taint` to the node unless a taint with the same key and effect is there already (the API
// server allows one per key and effect: ValidateNodeSpec's "taints must be unique by key and
// effect pair"). Errors name the node and the API's answer, e.g. `node "n1" not found`. `client`
// must outlive the task.
pplx::task<Result<TaintChange>> add_node_taint(ApiClient& client, std::string node,
                                               NodeTaintSpec taint);

// Removes the node's taint with this key and effect, if any.
pplx::task<Result<TaintChange>> remove_node_taint(ApiClient& client, std::string node,
                                                  std::string key, std::string effect);

}  // namespace epc
