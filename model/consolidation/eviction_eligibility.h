// Eviction eligibility: whether consolidation may evict one pod to recreate it elsewhere, and if
// not, exactly why.
//
// Consolidation only moves pods that come back on their own and whose owners have not said no. The
// rules follow the Kubernetes descheduler's default evictor (sigs.k8s.io/descheduler
// pkg/descheduler/evictions/evictions.go with pkg/utils/pod.go: IsMirrorPod, IsStaticPod,
// IsDaemonsetPod, and its refusal of pods without ownerReferences and of system-critical
// priorities) and the eviction subresource's PodDisruptionBudget check (kubernetes
// pkg/registry/core/pod/storage/eviction.go: a pod covered by more than one budget cannot be
// evicted at all, and a budget with disruptionsAllowed 0 refuses). Never movable:
// - mirror pods: the kubelet runs a static pod from a file; the API object is only its mirror, and
//   deleting it moves nothing (static pods are only visible to the API as mirrors, so this also
//   covers IsStaticPod);
// - DaemonSet pods: their controller recreates them on the same node;
// - pods without a controller: nothing would recreate them;
// - pods annotated epc-extender.io/evict: "never" (the owner's opt-out, like Karpenter's
//   karpenter.sh/do-not-disrupt);
// - pods above the configured priority limit, and always system-critical ones (priority
//   ≥ 2000000000, system-cluster-critical and system-node-critical);
// - pods younger than the configured minimum age, when their creation time is known;
// - pods being deleted already (metadata.deletionTimestamp set): they are leaving;
// - pods the eviction API would refuse for their PodDisruptionBudget.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "model/consolidation/disruption_budget.h"
#include "model/pod.h"

namespace epc {

// The pod annotation through which an owner opts a pod out of consolidation.
inline constexpr std::string_view kEvictAnnotation = "epc-extender.io/evict";
inline constexpr std::string_view kEvictNever = "never";
// scheduling.k8s.io SystemCriticalPriority: priorities from here up belong to system-cluster- and
// system-node-critical pods, which are never moved whatever the configured limit.
inline constexpr int32_t kSystemCriticalPriority = 2000000000;

struct EvictionRules {
  // Pods of a higher priority never move.
  int32_t max_priority = 0;
  // Pods younger than this (by created_unix_seconds, against now_unix_seconds) never move; pods
  // whose creation time is unknown are not held back by it.
  int64_t min_age_seconds = 0;
  int64_t now_unix_seconds = 0;
};

// The pod stays on its node when the node is drained, and does not keep the node from being
// freed, as `kubectl drain` treats them (k8s.io/kubectl/pkg/drain/filters.go): a DaemonSet pod,
// whose controller puts one on every node anyway (daemonSetFilter with --ignore-daemonsets), and a
// mirror pod, the API's view of a static pod that belongs to the node itself (mirrorPodFilter
// skips it). Neither is ever evicted.
bool stays_with_node(const Pod& pod);

// nullopt when `pod` may be evicted under `rules` and the budgets' current allowances; otherwise
// why not, e.g. `no controller would recreate it` or `PodDisruptionBudget team-a/web allows no
// more disruptions`.
std::optional<std::string> eviction_blocker(const Pod& pod, const EvictionRules& rules,
                                            std::span<const DisruptionBudget> budgets);

}  // namespace epc
