// Pod: the parts of a v1.Pod that EPC placement depends on.
//
// Decoders fill it from kube-scheduler requests, cluster files and (later) watch events; the model
// never sees the full Kubernetes object. Resource lists may be filtered to EPC resources by the
// decoder: nothing else in a pod affects the extender's decisions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/resource_list.h"
#include "model/toleration.h"

namespace epc {

inline constexpr std::string_view kPodAnnotationPrefix = "epc-extender.io/";

struct ContainerResources {
  ResourceList requests;
  ResourceList limits;
  std::string name;  // for error messages; containers without one are named by position
};

struct InitContainer {
  ContainerResources resources;
  // restartPolicy: Always makes an init container a sidecar that runs beside the app containers
  // (KEP-753), so its resources add to theirs instead of only bounding them.
  bool restartable = false;
};

enum class PodPhase { Pending, Running, Succeeded, Failed, Unknown };

struct Pod {
  std::string namespace_name;
  std::string name;
  std::string uid;
  std::vector<ContainerResources> containers;
  std::vector<InitContainer> init_containers;
  ResourceList overhead;  // spec.overhead (RuntimeClass), counted on top of the containers
  std::string node_name;  // spec.nodeName; empty while the pod is pending
  PodPhase phase = PodPhase::Pending;
  int32_t priority = 0;
  // metadata.annotations under kPodAnnotationPrefix only (decoders drop the rest): the per-pod
  // overrides of the scoring config (see model/pod_policy.h).
  std::vector<std::pair<std::string, std::string>> annotations;
  // spec.tolerations: which cordoned or NotReady nodes the pod may still go to
  // (model/toleration.h).
  std::vector<Toleration> tolerations;

  // "namespace/name", the way kubectl and kube-scheduler's logs name a pod.
  std::string key() const { return namespace_name + "/" + name; }
};

// A pod holds resources on its node from binding until it terminates or is deleted.
inline bool holds_resources(const Pod& pod) {
  return !pod.node_name.empty() && pod.phase != PodPhase::Succeeded &&
         pod.phase != PodPhase::Failed;
}

}  // namespace epc
