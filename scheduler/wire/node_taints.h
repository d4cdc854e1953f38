// A node's taints as consolidation reads and changes them: the read of a Node (its
// resourceVersion and spec.taints) and the RFC 6902 JSON Patches that add or remove one taint.
//
// Consolidation taints a node before it drains it, so that kube-scheduler places nothing new
// there, and takes the taint off if it gives up. Other components (the node lifecycle controller,
// cluster autoscalers, people) taint nodes too, so a change must keep every other taint exactly as
// it is and must not overwrite a change made since the node was read. A JSON Patch does both: it
// adds at the end of the list or removes one index, without re-serialising the other taints, and
// its first operation tests metadata.resourceVersion, so the API server applies it only to the
// very version that was read.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/result.h"

namespace epc {

// One entry of a Node's spec.taints (core/v1 Taint without timeAdded: the API server uses that
// only for NoExecute taints, and consolidation's are NoSchedule).
struct NodeTaintSpec {
  std::string key;
  std::string value;
  std::string effect;
};

struct NodeTaints {
  std::string resource_version;
  std::vector<NodeTaintSpec> taints;
};

// Reads metadata.resourceVersion and spec.taints of a core/v1 Node. `padded_json` must be padded
// with pad_body (scheduler/wire/extender_codec.h). Errors name the path, e.g.
// `spec.taints[1].key: expected a string, got number 3`.
Result<NodeTaints> read_node_taints(const std::string& padded_json);

// `[{"op":"test","path":"/metadata/resourceVersion","value":"<rv>"},<add>]`: the add is
// `{"op":"add","path":"/spec/taints","value":[T]}` when `node_has_taints` is false (the list may
// be absent, and an RFC 6902 add cannot append to a missing array), else
// `{"op":"add","path":"/spec/taints/-","value":T}`.
std::string encode_add_taint_patch(const std::string& resource_version, bool node_has_taints,
                                   const NodeTaintSpec& taint);

// `[{"op":"test",...},{"op":"remove","path":"/spec/taints/<index>"}]`.
std::string encode_remove_taint_patch(const std::string& resource_version, size_t index);

}  // namespace epc
