// The extender protocol's request and reply types (k8s.io/kube-scheduler/extender/v1), reduced to
// what epc-extender reads and writes.
//
// Requests are decoded by extender_codec.h into these; the verb handlers turn them into replies,
// which the codec encodes with the PascalCase keys kube-scheduler's Go types use.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/node.h"
#include "model/pod.h"
#include "model/victims.h"

namespace epc {

// One Node of a `Nodes` list, with the exact JSON text it arrived as: a filter reply in Nodes mode
// returns the passing nodes byte for byte instead of re-encoding them.
struct NodeArg {
  Node node;
  std::string_view raw_json;  // points into the request body; valid while the body lives
};

// ExtenderArgs: the filter and prioritize request. Exactly one of `nodes` (nodeCacheCapable: false)
// and `node_names` (nodeCacheCapable: true) is normally set; both null means no candidates.
//
// The node names are views, as a NodeArg's raw_json is: into the request body, which must outlive
// them, or, for a name the request spelled with JSON escapes (valid, though no node name needs
// one), into `unescaped_names`. Copying thousands of names into strings of their own was the
// largest count of allocations left in a large NodeNames filter.
struct ExtenderArgs {
  ExtenderArgs() = default;
  // Not copyable: a copy's names would still view this one's `unescaped_names`.
  ExtenderArgs(const ExtenderArgs&) = delete;
  ExtenderArgs& operator=(const ExtenderArgs&) = delete;
  ExtenderArgs(ExtenderArgs&&) = default;  // a deque's elements stay where they are
  ExtenderArgs& operator=(ExtenderArgs&&) = default;

  Pod pod;
  std::optional<std::vector<NodeArg>> nodes;
  std::optional<std::vector<std::string_view>> node_names;
  std::deque<std::string> unescaped_names;
};

// ExtenderBindingArgs.
struct BindingArgs {
  std::string pod_name;
  std::string pod_namespace;
  std::string pod_uid;
  std::string node;
};

// ExtenderPreemptionArgs.
struct PreemptionArgs {
  Pod pod;
  std::vector<NodeVictims> victims;  // from whichever map was sent
};

// ExtenderFilterResult.
struct FilterResult {
  // Nodes mode: the raw JSON of each passing node; NodeNames mode: their names.
  bool nodes_mode = false;
  std::vector<std::string_view> passing_nodes_json;
  // Names and reasons are views: names of the request (or the cluster snapshot), reasons of the
  // filter's decision, all of which outlive the reply's encoding. A filter over thousands of nodes
  // then copies none of their texts.
  std::vector<std::string_view> passing_node_names;
  // FailedNodes, then FailedAndUnresolvableNodes.
  std::vector<std::pair<std::string_view, std::string_view>> failed;
  std::vector<std::pair<std::string_view, std::string_view>> unresolvable;
  std::string error;
};

// The host views the request's node name, which outlives the encoded reply.
struct HostPriority {
  std::string_view host;
  int64_t score = 0;
};

// ExtenderPreemptionResult: always the Meta (UID) form.
struct PreemptionResult {
  std::vector<NodeVictims> victims;  // only node_name, pod_uids and num_pdb_violations are encoded
};

}  // namespace epc
