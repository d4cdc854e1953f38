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

#include "model/labels.h"
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

  // What consolidation needs to decide whether the pod may be evicted and recreated elsewhere
  // (model/consolidation/eviction_eligibility.h). Every default means "not known", and unknown
  // is never taken as permission: a pod with no controller is not movable.
  //
  // metadata.ownerReferences: the kind of the reference with controller: true ("ReplicaSet",
  // "StatefulSet", "Job", "DaemonSet", ...); "" when there is none. Only a controller recreates
  // an evicted pod.
  std::string controller_kind;
  // The annotation kubernetes.io/config.mirror is present: the API's mirror of a static pod that
  // the kubelet runs from a file; evicting it changes nothing on the node.
  bool mirror = false;
  // metadata.labels: what PodDisruptionBudget selectors match.
  Labels labels;
  // metadata.creationTimestamp in Unix seconds; 0 when unknown.
  int64_t created_unix_seconds = 0;
  // metadata.deletionTimestamp is set: the pod is leaving its node already (an eviction or a
  // delete in its grace period), so there is nothing left to evict.
  bool terminating = false;

  // "namespace/name", the way kubectl and kube-scheduler's logs name a pod.
  std::string key() const { return namespace_name + "/" + name; }
};

// A pod holds resources on its node from binding until it terminates or is deleted.
inline bool holds_resources(const Pod& pod) {
  return !pod.node_name.empty() && pod.phase != PodPhase::Succeeded &&
         pod.phase != PodPhase::Failed;
}

}  // namespace epc
