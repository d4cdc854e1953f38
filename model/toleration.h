// Tolerations and taints: which node conditions a pod accepts, matched as Kubernetes matches them.
//
// Fit turns cordoned and NotReady nodes away unless the pod tolerates the taint that stands for
// the condition, as kube-scheduler does: its NodeUnschedulable plugin admits a pod on a node with
// spec.unschedulable when it tolerates node.kubernetes.io/unschedulable:NoSchedule, and the node
// lifecycle controller taints a node whose Ready condition is False with
// node.kubernetes.io/not-ready:NoSchedule and one whose Ready condition is Unknown with
// node.kubernetes.io/unreachable:NoSchedule (nodeConditionToTaintKeyStatusMap and
// doNoScheduleTaintingPass in pkg/controller/nodelifecycle), which the TaintToleration plugin
// then judges.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace epc {

inline constexpr std::string_view kTaintNodeUnschedulable = "node.kubernetes.io/unschedulable";
inline constexpr std::string_view kTaintNodeNotReady = "node.kubernetes.io/not-ready";
inline constexpr std::string_view kTaintNodeUnreachable = "node.kubernetes.io/unreachable";
inline constexpr std::string_view kTaintEffectNoSchedule = "NoSchedule";

// The parts of a v1.Taint that matching reads.
struct Taint {
  std::string_view key;
  std::string_view value;
  std::string_view effect;
};

// v1.Toleration's operator. An empty operator is Equal (ToleratesTaint's own defaulting); any
// other (Lt and Gt, alpha in Kubernetes 1.35, or a value validation would refuse) is kOther.
enum class TolerationOperator { kEqual, kExists, kOther };

// The parts of a v1.Toleration that matching reads (tolerationSeconds only bounds how long a
// NoExecute taint is tolerated, which placement never asks).
struct Toleration {
  std::string key;  // empty: every key (with operator Exists)
  TolerationOperator op = TolerationOperator::kEqual;
  std::string value;
  std::string effect;  // empty: every effect
};

// Whether `toleration` tolerates `taint`, as Toleration.ToleratesTaint decides
// (staging/src/k8s.io/api/core/v1/toleration.go): an effect, when given, must equal the taint's; a
// key, when given, must equal the taint's; then Exists matches any value, Equal (or no operator)
// the taint's value exactly, and any other operator nothing. (Lt and Gt compare integer values
// there; the taints judged here carry no value, which never parses as an integer, so they match
// nothing there either.)
bool tolerates(const Toleration& toleration, const Taint& taint);

// Whether any of `tolerations` tolerates `taint` (component-helpers' TolerationsTolerateTaint).
bool tolerates(std::span<const Toleration> tolerations, const Taint& taint);

// The node conditions fit turns nodes away for, and whether a pod tolerates the taint that stands
// for each. The default, tolerating none, is what a pod without tolerations gets.
struct PodTolerations {
  bool unschedulable = false;  // node.kubernetes.io/unschedulable:NoSchedule (spec.unschedulable)
  bool not_ready = false;      // node.kubernetes.io/not-ready:NoSchedule (Ready False)
  bool unreachable = false;    // node.kubernetes.io/unreachable:NoSchedule (Ready Unknown)
};

PodTolerations pod_tolerations(std::span<const Toleration> tolerations);

}  // namespace epc
