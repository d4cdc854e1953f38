// DisruptionBudget: the parts of a policy/v1 PodDisruptionBudget that decide whether the eviction
// API would let one more of its pods go.
//
// Consolidation plans evictions only where the API server would accept them, so it reads budgets as
// the eviction subresource does (kubernetes pkg/registry/core/pod/storage/eviction.go,
// EvictionREST.getPodDisruptionBudgets): a budget covers the pods of its own namespace that
// metav1.LabelSelectorAsSelector(spec.selector) matches. That makes a null selector cover no pod
// and, in policy/v1, an empty selector ({}) cover every pod of the namespace, labelled or not
// (policy/v1beta1's empty selector covered none; that API is gone since Kubernetes 1.25). The
// planner spends `disruptions_allowed` as it plans evictions, one per evicted pod a budget covers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model/label_selector.h"
#include "model/pod.h"

namespace epc {

struct DisruptionBudget {
  std::string namespace_name;
  std::string name;
  LabelSelector selector;  // spec.selector; default: none, which covers no pod
  // spec.selector is {} (no matchLabels, no matchExpressions): every pod of the namespace.
  bool selects_every_pod = false;
  // status.disruptionsAllowed: how many covered pods may be evicted now. The disruption controller
  // computes it from minAvailable/maxUnavailable and the healthy pods; the model only spends it.
  int32_t disruptions_allowed = 0;

  std::string key() const { return namespace_name + "/" + name; }
  bool covers(const Pod& pod) const;
};

// Indices into `budgets` of those that cover `pod`.
std::vector<size_t> covering_budgets(const Pod& pod, std::span<const DisruptionBudget> budgets);

}  // namespace epc
