// ApiPodBinder: the PodBinder that creates Bindings through the Kubernetes API.
//
// A 409 saying the pod is already assigned to the very node asked for counts as success: the
// earlier attempt (whose reply kube-scheduler may have lost to a timeout) did the work, and binding
// is idempotent from kube-scheduler's point of view.
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

}  // namespace epc
