// EpcDemand: what a pod asks of a node, as fit judges it: how much EPC, by Kubernetes' own
// resource rule, and which of the node conditions fit turns nodes away for the pod tolerates.
//
// Effective request = max(sum over app containers and restartable (sidecar) init containers,
// largest regular init container plus the sidecars started before it) + spec.overhead, the rule
// kube-scheduler's NodeResourcesFit and the kubelet apply (k8s.io/component-helpers resource
// PodRequests). A limit stands in for a missing request, as API defaulting does for extended
// resources. A pod with zero demand is treated as a plain (non-EPC) pod.
#pragma once

#include <cstdint>
#include <string>

#include "model/epc_resources.h"
#include "model/pod.h"
#include "model/result.h"
#include "model/toleration.h"

namespace epc {

struct EpcDemand {
  int64_t bytes = 0;
  // The EPC resource name the pod asked for, used in messages ("insufficient sgx.intel.com/epc").
  // Empty when the pod names no EPC resource at all.
  std::string resource;
  // Which cordoned or NotReady nodes the pod may still go to, from its tolerations. A demand built
  // by hand tolerates none, as before pods' tolerations were read.
  PodTolerations tolerates = {};

  bool needs_epc() const { return bytes > 0; }
};

// Errors name the container and echo the offending quantity.
Result<EpcDemand> epc_demand(const Pod& pod, const EpcResources& resources);

}  // namespace epc
