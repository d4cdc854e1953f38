// Reading Kubernetes objects with simdjson On-Demand: the Pod and Node readers shared by the
// extender codec, the cluster-file loader and (later) the watch-event decoder.
//
// Everything here reads in one forward pass and skips, without materialising, every field that
// placement does not need; resource lists keep only EPC resources. Keys match ASCII-case-
// insensitively, as Go's encoding/json does on the other side of the wire; `null` reads as "absent"
// wherever a value is optional. Failures name the JSON path of the offending value and echo it,
// e.g. `Pod.spec.priority: expected an int32, got string "high"`.
#pragma once

#include "model/consolidation/disruption_budget.h"
#include "model/epc_resources.h"
#include "model/node.h"
#include "model/pod.h"
#include "model/resource_list.h"
#include "model/result.h"
#include "scheduler/wire/json_reader.h"

namespace epc {

// Resource name → quantity text, EPC resources only. Quantities are strings in Kubernetes JSON;
// a bare JSON number (hand-written files) is taken as its literal text, as resource.Quantity's own
// UnmarshalJSON does; null is "0" (Quantity's zero value).
Result<ResourceList> read_resource_list(JsonValue& value, const JsonPath& at,
                                        const EpcResources& epc);

// Which node labels to keep. The cluster state keeps them all (a reloaded config may select on any
// key); a request is judged under one policy and keeps only the keys that policy reads: cloud
// nodes carry dozens of labels, and copying them dominated decoding Nodes-mode requests.
struct NodeLabelKeys {
  bool all = true;
  std::vector<std::string> keys;  // the keys kept when !all

  static NodeLabelKeys only(std::vector<std::string> keys) { return {false, std::move(keys)}; }
  bool keeps(std::string_view key) const;
};

// A v1.Pod / v1.Node; null reads as an empty object.
Result<Pod> read_pod(JsonValue& value, const JsonPath& at, const EpcResources& epc);
Result<Node> read_node(JsonValue& value, const JsonPath& at, const EpcResources& epc,
                       const NodeLabelKeys& labels = {});
// How much of a pod to read. The verbs and the watch read what placement needs (kPlacement);
// consolidation, which lists pods afresh before it plans, also needs to know whether a pod may be
// evicted (kDisruption): all its labels (PodDisruptionBudget selectors), the kind of its
// controller (ownerReferences), its creation time and the mirror annotation of static pods. Those
// stay out of the hot path: a pod's labels are copied strings, per pod per event.
enum class PodDetail { kPlacement, kDisruption };

// The same for an object already opened (the cluster-file loader looks at `kind` first).
Result<Pod> read_pod_fields(JsonObject& object, const JsonPath& at, const EpcResources& epc,
                            PodDetail detail = PodDetail::kPlacement);
Result<Node> read_node_fields(JsonObject& object, const JsonPath& at, const EpcResources& epc,
                              const NodeLabelKeys& labels = {});
// A policy/v1 PodDisruptionBudget: namespace, name, spec.selector and status.disruptionsAllowed.
// An invalid selector (an unknown operator, In without values) is an error naming it, as the API
// server's validation would have refused it.
Result<DisruptionBudget> read_disruption_budget_fields(JsonObject& object, const JsonPath& at);

}  // namespace epc
