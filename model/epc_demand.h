// EpcDemand: what a pod asks of a node, as fit judges it: how much EPC, by Kubernetes' own
// resource rule, and which of the node conditions fit turns nodes away for the pod tolerates.
//
// Effective request = max(sum over app containers and restartable (sidecar) init containers,
// largest regular init container plus the sidecars started before it) + spec.overhead, the rule
// kube-scheduler's NodeResourcesFit and the kubelet apply (k8s.io/component-helpers resource
// PodRequests). A limit stands in for a missing request, as API defaulting does for extended
// resources. A pod with zero demand is treated as a plain (non-EPC) pod.
//
// EPC names are not interchangeable on a node (kube-scheduler's NodeResourcesFit matches each
// extended resource by its exact name), so the demand keeps the name it asks for; a pod asking
// under several names (rare) keeps each name's own effective request, by the same rule applied to
// that name alone, and needs every one of them on the node.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/epc_resources.h"
#include "model/pod.h"
#include "model/result.h"
#include "model/toleration.h"

namespace epc {

// One EPC name a pod asks for, and how many bytes under it.
struct EpcRequest {
  std::string_view resource;
  int64_t bytes = 0;
};

struct EpcDemand {
  // The pod's EPC in bytes over every name: what it commits on its node.
  int64_t bytes = 0;
  // The EPC resource name the pod asks for (the first it mentions when it asks under several);
  // empty when the pod names no EPC resource at all. A hand-built demand with bytes but no name
  // asks for whatever name the node publishes first.
  std::string resource;
  // Each name's own bytes when the pod asks for EPC under more than one name, in EpcResources'
  // order; empty otherwise (then the pod asks for `bytes` under `resource`).
  std::vector<EpcAmount> by_resource = {};
  // Which cordoned or NotReady nodes the pod may still go to, from its tolerations. A demand built
  // by hand tolerates none, as before pods' tolerations were read.
  PodTolerations tolerates = {};

  bool needs_epc() const { return bytes > 0; }
  // The EPC names asked for, each with its bytes: request(0) .. request(request_count() - 1).
  size_t request_count() const { return by_resource.empty() ? 1 : by_resource.size(); }
  EpcRequest request(size_t i) const {
    if (by_resource.empty()) return {resource, bytes};
    return {by_resource[i].resource, by_resource[i].bytes};
  }
};

// Errors name the container and echo the offending quantity.
Result<EpcDemand> epc_demand(const Pod& pod, const EpcResources& resources);

}  // namespace epc
