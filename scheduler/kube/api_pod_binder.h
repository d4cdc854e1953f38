// ApiPodBinder: the PodBinder that creates Bindings through the Kubernetes API.
//
// A 409 saying the pod is already assigned to the very node asked for counts as success: the
// earlier attempt (whose reply kube-scheduler may have lost to a timeout) did the work, and binding
// is idempotent from kube-scheduler's point of view. Any other failure is classified by its HTTP
// status alone (binding_failure below), never by the message.
#pragma once

#include "scheduler/extender/pod_binder.h"
#include "scheduler/kube/api_client.h"

namespace epc {

class ApiPodBinder : public PodBinder {
 public:
  // `client` must outlive the binder.
  explicit ApiPodBinder(ApiClient& client) : client_(client) {}

  void bind(const BindingArgs& binding, Done done) const override;

 private:
  ApiClient& client_;
};

// Whether a Binding that failed with `http_status` (0 when no response arrived) may exist:
//
// - kRefused for a 4xx other than 408 and 429. The API server answers those without writing the
//   pod: BindingREST.Create (pkg/registry/core/pod/storage/storage.go) rejects a bad Binding with
//   400, and assignPod turns a missing pod into 404 (apierrors.IsNotFound) and a pod that is bound
//   already, being deleted or of another UID into 409 (apierrors.IsConflict, NewConflict on
//   "pods/binding"); authentication, authorization and admission (401, 403, 422) run before it.
// - kUnknown for everything else. No response (a timeout, a reset or dropped connection) says
//   nothing. A 5xx does not rule the write out: the API server's timeout filter answers 504
//   (apierrors.IsTimeout) while the handler goes on, an etcd write can commit after its client gave
//   up (500: apierrors.IsInternalError, or IsServerTimeout when etcd is unreachable), and a proxy
//   in front can answer 502 or 503 for a request that reached the server. 429
//   (apierrors.IsTooManyRequests) and 408 count as unknown too, to be safe: a real kube-apiserver
//   rejects with 429 before the handler runs, but a proxy or load balancer between us and it may
//   not. (One 500 is a certain refusal: BindingREST returns its validation errors, such as an empty
//   target node, unwrapped. The bind verb never sends one: it refuses a request without a Node.)
//
// kube-scheduler makes no such distinction in its DefaultBinder (framework.AsStatus(err) for any
// error); its handleSchedulingFailure (pkg/scheduler/schedule_one.go) instead looks for a
// spec.nodeName in its informer cache because "the pod may have been bound successfully, but timed
// out returning its response to the scheduler". The caller of a kUnknown failure has to do the
// same.
BindFailure binding_failure(int http_status);

}  // namespace epc
