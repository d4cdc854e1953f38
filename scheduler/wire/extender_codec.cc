#include "scheduler/wire/extender_codec.h"

#include <charconv>
#include <deque>
#include <iterator>
#include <map>
#include <optional>
#include <utility>

#include "scheduler/wire/json_writer.h"
#include "scheduler/wire/kube_objects.h"

namespace epc {
namespace {

constexpr std::string_view kBody = "body";

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The exact text of a Node object whose fields have just been read in full: from its `{` to the `}`
// before the iterator's next token (the `,` or `]` that follows it in `items`). Taking both ends
// from the iterator keeps the decode to one pass over the node.
Result<std::string_view> node_text(const char* start, JsonValue& node, const JsonPath& at) {
  const char* next = nullptr;
  if (auto error = node.current_location().get(next)) return json_error(at, error);
  const char* end = next;
  while (end > start && (is_json_space(*end) || *end == ',' || *end == ']')) --end;
  if (end <= start || *end != '}') {
    return error_at(at, "internal error: cannot find the end of the node object");
  }
  return std::string_view(start, static_cast<size_t>(end - start + 1));
}

Result<NodeArg> read_node_arg(JsonValue& value, const JsonPath& at, const EpcResources& epc,
                              const NodeLabelKeys& labels) {
  const char* start = value.raw_json_token().data();
  JsonObject object;
  if (auto error = value.get_object().get(object)) {
    if (error == simdjson::INCORRECT_TYPE) return type_error(at, "an object", value);
    return json_error(at, error);
  }
  Result<Node> node = read_node_fields(object, at, epc, labels);
  if (!node) return node.error();
  if (node->name.empty()) return error_at(at, "node without metadata.name");
  Result<std::string_view> text = node_text(start, value, at);
  if (!text) return text.error();
  return NodeArg{std::move(*node), *text};
}

// A v1.NodeList: only `items` matters (kube-scheduler sends no kind, apiVersion or metadata).
Result<std::vector<NodeArg>> read_node_list(JsonValue& value, const JsonPath& at,
                                            const EpcResources& epc, const NodeLabelKeys& labels) {
  std::vector<NodeArg> nodes;
  Result<void> done = read_object(
      value, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        if (!keys_equal(key, "items")) return {};
        nodes.clear();
        return read_array(field, field_at,
                          [&](size_t, JsonValue& item, const JsonPath& item_at) -> Result<void> {
                            Result<NodeArg> node = read_node_arg(item, item_at, epc, labels);
                            if (!node) return node.error();
                            nodes.push_back(std::move(*node));
                            return {};
                          });
      });
  if (!done) return done.error();
  return nodes;
}

// JSON's insignificant whitespace (RFC 8259, section 2).
bool is_json_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// An array of strings, as views: into the request body where a string is written there as it
// reads (no escapes, the case for every node name), else into `unescaped`, which keeps the
// decoded text.
Result<std::vector<std::string_view>> read_node_names(JsonValue& value, const JsonPath& at,
                                                      std::deque<std::string>& unescaped) {
  std::vector<std::string_view> names;
  Result<void> done =
      read_array(value, at, [&](size_t, JsonValue& item, const JsonPath& item_at) -> Result<void> {
        std::string_view text;  // in the parser's buffer, which the next request reuses
        if (auto error = item.get_string().get(text)) {
          if (error == simdjson::INCORRECT_TYPE) return type_error(item_at, "a string", item);
          return json_error(item_at, error);
        }
        // The token as the body has it: a quote, the string's raw bytes, a quote, then any
        // whitespace. Every escape is longer than what it stands for (`\n` for a newline, six
        // bytes of `\u00e9` for two of UTF-8), so raw bytes as long as the decoded text hold no
        // escape and are that text: a length test, not a comparison of every name's bytes.
        std::string_view token = item.raw_json_token();
        while (!token.empty() && is_json_whitespace(token.back())) token.remove_suffix(1);
        if (token.size() == text.size() + 2 && token.front() == '"' && token.back() == '"') {
          names.push_back(token.substr(1, text.size()));
        } else {
          names.push_back(unescaped.emplace_back(text));
        }
        return {};
      });
  if (!done) return done.error();
  return names;
}

// Null is absent (a nil pointer in the Go type); anything else is read by `read()`.
template <class T, class Read>
Result<std::optional<T>> read_nullable(JsonValue& value, const JsonPath& at, Read&& read) {
  Result<bool> null = read_null(value, at);
  if (!null) return null.error();
  if (*null) return std::optional<T>();
  Result<T> read_value = read();
  if (!read_value) return read_value.error();
  return std::optional<T>(std::move(*read_value));
}

// Last one wins: a repeated key replaces what an earlier one set, as in Go.
template <class T>
Result<void> assign(Result<T> read, T& target) {
  if (!read) return read.error();
  target = std::move(*read);
  return {};
}

// `Pod` of a filter, prioritize or preempt request. Null counts as missing: there is nothing to
// place.
Result<void> read_request_pod(JsonValue& value, const JsonPath& at, const EpcResources& epc,
                              std::optional<Pod>& pod) {
  return assign(read_nullable<Pod>(value, at, [&] { return read_pod(value, at, epc); }), pod);
}

// One entry of NodeNameToVictims ({Pods: [v1.Pod], NumPDBViolations}) or NodeNameToMetaVictims
// ({Pods: [{UID}], NumPDBViolations}); both forms leave the UIDs in `pod_uids`.
Result<NodeVictims> read_victims(std::string_view node_name, JsonValue& value, const JsonPath& at,
                                 const EpcResources& epc, bool full_pods) {
  NodeVictims victims;
  victims.node_name = std::string(node_name);
  const auto read_pod_entry = [&](size_t, JsonValue& item,
                                  const JsonPath& item_at) -> Result<void> {
    Result<bool> null = read_null(item, item_at);
    if (!null) return null.error();
    if (*null) return {};  // a nil *Pod in the Go slice: nothing to evict
    if (full_pods) {
      Result<Pod> pod = read_pod(item, item_at, epc);
      if (!pod) return pod.error();
      victims.pod_uids.push_back(pod->uid);
      victims.pods.push_back(std::move(*pod));
      return {};
    }
    return read_object(
        item, item_at,
        [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
          if (!keys_equal(key, "UID")) return {};
          Result<std::string> uid = read_string(field, field_at);
          if (!uid) return uid.error();
          victims.pod_uids.push_back(std::move(*uid));
          return {};
        });
  };
  Result<void> done = read_object(
      value, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        if (keys_equal(key, "Pods")) {
          victims.pods.clear();
          victims.pod_uids.clear();
          return read_array(field, field_at, read_pod_entry);
        }
        if (keys_equal(key, "NumPDBViolations")) {
          Result<int64_t> count = read_int64(field, field_at);
          if (!count) return count.error();
          victims.num_pdb_violations = *count;
        }
        return {};
      });
  if (!done) return done.error();
  return victims;
}

// A map of node name → victims.
Result<std::vector<NodeVictims>> read_victims_map(JsonValue& value, const JsonPath& at,
                                                  const EpcResources& epc, bool full_pods) {
  std::vector<NodeVictims> all;
  Result<void> done = read_object(
      value, at,
      [&](std::string_view node_name, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        Result<NodeVictims> victims = read_victims(node_name, field, field_at, epc, full_pods);
        if (!victims) return victims.error();
        // A repeated node name: the last entry wins, as in a Go map.
        std::erase_if(all, [&](const NodeVictims& v) { return v.node_name == node_name; });
        all.push_back(std::move(*victims));
        return {};
      });
  if (!done) return done.error();
  return all;
}

}  // namespace

void pad_body(std::string& body) {
  const size_t needed = body.size() + simdjson::SIMDJSON_PADDING;
  if (body.capacity() < needed) body.reserve(needed);
}

Result<ExtenderArgs> decode_extender_args(JsonParserPool& parsers, const std::string& padded_body,
                                          const EpcResources& epc,
                                          const NodeLabelKeys& node_labels) {
  std::optional<Pod> pod;
  ExtenderArgs args;
  Result<void> done = read_document_fields(
      parsers, padded_body, kBody,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        if (keys_equal(key, "Pod")) return read_request_pod(field, field_at, epc, pod);
        if (keys_equal(key, "Nodes")) {
          return assign(read_nullable<std::vector<NodeArg>>(
                            field, field_at,
                            [&] { return read_node_list(field, field_at, epc, node_labels); }),
                        args.nodes);
        }
        if (keys_equal(key, "NodeNames")) {
          return assign(read_nullable<std::vector<std::string_view>>(
                            field, field_at,
                            [&] { return read_node_names(field, field_at, args.unescaped_names); }),
                        args.node_names);
        }
        return {};
      });
  if (!done) return done.error();
  if (!pod) return make_error("missing Pod");
  args.pod = std::move(*pod);
  return args;
}

Result<BindingArgs> decode_binding_args(JsonParserPool& parsers, const std::string& padded_body) {
  BindingArgs args;
  Result<void> done = read_document_fields(
      parsers, padded_body, kBody,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        std::string* target = keys_equal(key, "PodName")        ? &args.pod_name
                              : keys_equal(key, "PodNamespace") ? &args.pod_namespace
                              : keys_equal(key, "PodUID")       ? &args.pod_uid
                              : keys_equal(key, "Node")         ? &args.node
                                                                : nullptr;
        if (target == nullptr) return {};
        return read_string_into(field, field_at, *target);
      });
  if (!done) return done.error();
  // The UID may be empty (the ledger then finds the pod by namespace and name); the rest may not.
  if (args.pod_name.empty()) return make_error("missing PodName");
  if (args.pod_namespace.empty()) return make_error("missing PodNamespace");
  if (args.node.empty()) return make_error("missing Node");
  return args;
}

Result<PreemptionArgs> decode_preemption_args(JsonParserPool& parsers,
                                              const std::string& padded_body,
                                              const EpcResources& epc) {
  std::optional<Pod> pod;
  std::optional<std::vector<NodeVictims>> full;
  std::optional<std::vector<NodeVictims>> meta;
  Result<void> done = read_document_fields(
      parsers, padded_body, kBody,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        if (keys_equal(key, "Pod")) return read_request_pod(field, field_at, epc, pod);
        if (keys_equal(key, "NodeNameToVictims")) {
          return assign(
              read_nullable<std::vector<NodeVictims>>(
                  field, field_at, [&] { return read_victims_map(field, field_at, epc, true); }),
              full);
        }
        if (keys_equal(key, "NodeNameToMetaVictims")) {
          return assign(
              read_nullable<std::vector<NodeVictims>>(
                  field, field_at, [&] { return read_victims_map(field, field_at, epc, false); }),
              meta);
        }
        return {};
      });
  if (!done) return done.error();
  if (!pod) return make_error("missing Pod");
  PreemptionArgs args;
  args.pod = std::move(*pod);
  // kube-scheduler fills exactly one map; should a client send both, the full form wins because
  // it carries the victims' own resources.
  if (full) {
    args.victims = std::move(*full);
  } else if (meta) {
    args.victims = std::move(*meta);
  }
  return args;
}

std::string encode_filter_result(const FilterResult& result) {
  // Fields in the Go type's declaration order, as kube-scheduler's own encoder writes them.
  std::string out;
  size_t size = 128;
  for (std::string_view node : result.passing_nodes_json) size += node.size() + 1;
  for (std::string_view name : result.passing_node_names) size += name.size() + 3;
  out.reserve(size);
  if (result.nodes_mode) {
    out += R"({"Nodes":{"metadata":{},"items":[)";
    for (size_t i = 0; i < result.passing_nodes_json.size(); ++i) {
      if (i > 0) out += ',';
      out += result.passing_nodes_json[i];
    }
    out += R"(]},"NodeNames":null)";
  } else {
    out += R"({"Nodes":null,"NodeNames":[)";
    for (size_t i = 0; i < result.passing_node_names.size(); ++i) {
      if (i > 0) out += ',';
      append_json_string(out, result.passing_node_names[i]);
    }
    out += ']';
  }
  out += R"(,"FailedNodes":)";
  append_json_string_map(out, result.failed);
  out += R"(,"FailedAndUnresolvableNodes":)";
  append_json_string_map(out, result.unresolvable);
  out += R"(,"Error":)";
  append_json_string(out, result.error);
  out += '}';
  return out;
}

std::string encode_host_priorities(const std::vector<HostPriority>& priorities) {
  constexpr std::string_view kHost = R"({"Host":)";
  constexpr std::string_view kScore = R"(,"Score":)";
  // Names as they are, scores of two digits, and the punctuation: most replies in one allocation.
  size_t expected = 2;
  for (const HostPriority& priority : priorities) {
    expected += kHost.size() + priority.host.size() + 2 + kScore.size() + 2 + 2;
  }
  std::string out;
  out.reserve(expected);
  out += '[';
  for (size_t i = 0; i < priorities.size(); ++i) {
    if (i > 0) out += ',';
    out += kHost;
    append_json_string(out, priorities[i].host);
    out += kScore;
    char digits[24];
    const auto written = std::to_chars(std::begin(digits), std::end(digits), priorities[i].score);
    out.append(digits, written.ptr);
    out += '}';
  }
  out += ']';
  return out;
}

std::string encode_binding_result(std::string_view error) {
  std::string out = R"({"Error":)";
  append_json_string(out, error);
  out += '}';
  return out;
}

std::string encode_preemption_result(const PreemptionResult& result) {
  std::map<std::string_view, const NodeVictims*> sorted;  // map keys sorted, as Go writes them
  for (const NodeVictims& victims : result.victims)
    sorted.insert_or_assign(victims.node_name, &victims);
  std::string out = R"({"NodeNameToMetaVictims":{)";
  bool first_node = true;
  for (const auto& [name, victims] : sorted) {
    if (!first_node) out += ',';
    first_node = false;
    append_json_string(out, name);
    out += R"(:{"Pods":[)";
    for (size_t i = 0; i < victims->pod_uids.size(); ++i) {
      if (i > 0) out += ',';
      out += R"({"UID":)";
      append_json_string(out, victims->pod_uids[i]);
      out += '}';
    }
    out += R"(],"NumPDBViolations":)";
    out += std::to_string(victims->num_pdb_violations);
    out += '}';
  }
  out += "}}";
  return out;
}

std::string encode_error(std::string_view error) {
  return encode_binding_result(error);
}

}  // namespace epc
