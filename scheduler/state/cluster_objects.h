// ClusterObjects: the nodes, pods and PodDisruptionBudgets of one Kubernetes List document, read
// and checked but not yet applied to anything.
//
// Two readers need the same objects: the cluster file that `serve` loads (a `kubectl get
// nodes,pods -A -o json` dump) and `consolidate`, which reads a cluster file or the API server's
// own lists (NodeList, PodList, PodDisruptionBudgetList) and also needs each pod's owner, labels
// and age and the budgets. One reader serves both, so a file means the same to each. Items say
// their kind; items of a typed list (the API server's lists leave `kind` off their items) take the
// list's. Errors name the item, e.g. `items[4]: unsupported kind "Service" (expected Node, Pod or
// PodDisruptionBudget)`.
#pragma once

#include <string>
#include <vector>

#include "model/consolidation/disruption_budget.h"
#include "model/epc_resources.h"
#include "model/node.h"
#include "model/pod.h"
#include "model/result.h"
#include "scheduler/wire/kube_objects.h"

namespace epc {

struct ClusterObjects {
  std::vector<Node> nodes;
  std::vector<Pod> pods;  // a pod without a namespace is in "default", as kubectl apply puts it
  std::vector<DisruptionBudget> budgets;
};

// `padded_json` must carry the decoder's padding (pad_body). Every node's EPC quantity and every
// pod's EPC demand is checked, so an unreadable one fails the document rather than a decision
// later. Errors lack a source prefix: callers add the file name or the API path.
Result<ClusterObjects> read_cluster_objects(const std::string& padded_json, const EpcResources& epc,
                                            PodDetail detail = PodDetail::kPlacement);

// The same for the file at `path`; errors start with the path (or say why it cannot be read).
Result<ClusterObjects> load_cluster_objects(const std::string& path, const EpcResources& epc,
                                            PodDetail detail = PodDetail::kPlacement);

// Appends `more` to `objects` (the three API lists make one cluster).
void append_objects(ClusterObjects& objects, ClusterObjects more);

}  // namespace epc
