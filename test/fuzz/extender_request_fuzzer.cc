// libFuzzer target: the extender protocol's request decoders (scheduler/wire/extender_codec.h)
// on arbitrary bodies: filter/prioritize args in both the Nodes and the NodeNames form, bind args
// and preempt args in both victim forms. Every decoder sees every input.
//
// Invariants checked besides "no crash, no UB, no leak":
// - a Nodes-mode node's raw_json lies inside the body, is one object, and decodes again to the
//   same node (filter replies return it byte for byte);
// - replies built from what was decoded (and every error, as an {"Error": ...} reply) are valid
//   JSON that give the decoded names back (a Nodes-mode reply: when the request was valid JSON);
// - node-label filtering changes labels only (and may accept what it skips); preempt victims in
// full form keep one UID per pod;
// - what the model does next with a decoded pod or node (EPC demand and capacity) does not crash.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "model/epc_capacity.h"
#include "model/epc_demand.h"
#include "scheduler/wire/extender_codec.h"
#include "test/fuzz/fuzz_check.h"

namespace epc::fuzz {
namespace {

struct Context {
  JsonParserPool parsers{1};
  EpcResources epc = EpcResources::defaults();
};

nlohmann::json parse_reply(const std::string& reply) {
  nlohmann::json json = nlohmann::json::parse(reply, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) std::fprintf(stderr, "reply: %s\n", reply.c_str());
  check(!json.is_discarded(), "an encoded reply must be valid JSON");
  return json;
}

void check_error_reply(const Error& error) {
  check(!error.message.empty(), "a refused request must say why");
  parse_reply(encode_error(error.message));
}

bool inside(std::string_view part, const std::string& whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

// The raw node texts, wrapped in a fresh request, decode to the same nodes.
void check_raw_nodes(Context& context, const std::vector<NodeArg>& nodes) {
  std::string request = R"({"Pod":{},"Nodes":{"items":[)";
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (i > 0) request += ',';
    request += nodes[i].raw_json;
  }
  request += "]}}";
  pad_body(request);
  Result<ExtenderArgs> again = decode_extender_args(context.parsers, request, context.epc);
  check(again.ok(), "a node's raw_json must decode again");
  check(again->nodes && again->nodes->size() == nodes.size(), "raw_json must keep every node");
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& before = nodes[i].node;
    const Node& after = (*again->nodes)[i].node;
    check(after.name == before.name && after.allocatable == before.allocatable &&
              after.capacity == before.capacity && after.labels == before.labels &&
              after.readiness == before.readiness && after.unschedulable == before.unschedulable,
          "raw_json must decode to the same node");
  }
}

// `request_is_json`: a Nodes-mode reply echoes the nodes' raw text, and the decoder does not check
// the text of fields it skips (json_reader.h), so only a valid request promises a valid reply.
void check_filter_reply(const ExtenderArgs& args, bool request_is_json) {
  FilterResult result;
  std::vector<std::string> names;    // what the reply must give back
  std::vector<std::string> reasons;  // what the result's reasons view; never reallocated
  if (args.nodes) {
    result.nodes_mode = true;
    reasons.reserve(args.nodes->size());
    for (const NodeArg& node : *args.nodes) {
      result.passing_nodes_json.push_back(node.raw_json);
      reasons.push_back("insufficient " + node.node.name);
      result.failed.emplace_back(node.node.name, reasons.back());
      names.push_back(node.node.name);
    }
  } else if (args.node_names) {
    result.passing_node_names = *args.node_names;
    for (std::string_view name : *args.node_names) result.unresolvable.emplace_back(name, name);
    names.assign(args.node_names->begin(), args.node_names->end());
  }
  const std::string encoded = encode_filter_result(result);
  if (args.nodes && !request_is_json) return;
  // Not const: operator[] on a missing key is then null rather than undefined behaviour.
  nlohmann::json reply = parse_reply(encoded);
  if (args.nodes) {
    // The items are the raw node texts, whose decoding check_raw_nodes already compared.
    check(reply["Nodes"]["items"].size() == names.size(), "a Nodes reply keeps every node");
    check(reply["FailedNodes"].size() <= names.size(), "FailedNodes has one entry per name");
  } else if (args.node_names) {
    check(reply["NodeNames"] == names, "a NodeNames reply gives back the names");
  }
}

void check_extender_args(Context& context, const std::string& body) {
  Result<ExtenderArgs> args = decode_extender_args(context.parsers, body, context.epc);
  const Result<ExtenderArgs> few_labels = decode_extender_args(
      context.parsers, body, context.epc, NodeLabelKeys::only({"kubernetes.io/hostname"}));
  // Labels left out are skipped unread (like any unused field), so only the other way round holds.
  check(!args.ok() || few_labels.ok(), "what decodes with every label decodes with fewer");
  if (!args) {
    check_error_reply(args.error());
    return;
  }
  (void)epc_demand(args->pod, context.epc);
  if (args->nodes) {
    check(few_labels->nodes && few_labels->nodes->size() == args->nodes->size(),
          "label filtering must keep every node");
    for (size_t i = 0; i < args->nodes->size(); ++i) {
      const NodeArg& node = (*args->nodes)[i];
      check(!node.node.name.empty(), "a decoded node has a name");
      check(inside(node.raw_json, body), "raw_json must point into the body");
      check(node.raw_json.front() == '{' && node.raw_json.back() == '}',
            "raw_json must be one object");
      check((*few_labels->nodes)[i].node.name == node.node.name &&
                (*few_labels->nodes)[i].raw_json == node.raw_json,
            "label filtering must change labels only");
      (void)epc_capacity(node.node, context.epc);
    }
    check_raw_nodes(context, *args->nodes);
  }
  check_filter_reply(*args, nlohmann::json::accept(body));
}

void check_binding_args(Context& context, const std::string& body) {
  Result<BindingArgs> args = decode_binding_args(context.parsers, body);
  if (!args) {
    check_error_reply(args.error());
    return;
  }
  check(!args->pod_name.empty() && !args->pod_namespace.empty() && !args->node.empty(),
        "bind args name the pod, its namespace and the node");
}

void check_preemption_args(Context& context, const std::string& body) {
  Result<PreemptionArgs> args = decode_preemption_args(context.parsers, body, context.epc);
  if (!args) {
    check_error_reply(args.error());
    return;
  }
  PreemptionResult result;
  for (const NodeVictims& victims : args->victims) {
    check(victims.pods.empty() || victims.pods.size() == victims.pod_uids.size(),
          "full victims keep one UID per pod");
    for (const Pod& pod : victims.pods) (void)epc_demand(pod, context.epc);
    result.victims.push_back(victims);
  }
  nlohmann::json reply = parse_reply(encode_preemption_result(result));
  for (const NodeVictims& victims : args->victims) {
    check(
        reply["NodeNameToMetaVictims"][victims.node_name]["Pods"].size() == victims.pod_uids.size(),
        "a preempt reply keeps every victim");
  }
}

}  // namespace
}  // namespace epc::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static epc::fuzz::Context context;  // a warm pool, as the server keeps one
  std::string body(reinterpret_cast<const char*>(data), size);
  epc::pad_body(body);
  epc::fuzz::check_extender_args(context, body);
  epc::fuzz::check_binding_args(context, body);
  epc::fuzz::check_preemption_args(context, body);
  return 0;
}
