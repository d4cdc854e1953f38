#include "scheduler/state/cluster_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "model/epc_capacity.h"
#include "model/epc_demand.h"
#include "scheduler/wire/extender_codec.h"
#include "scheduler/wire/kube_objects.h"

namespace epc {
namespace {

// The objects of a file, read and checked, not yet applied.
struct ClusterObjects {
  std::vector<Node> nodes;
  std::vector<Pod> pods;
  ClusterFileSummary summary;
};

// `kind` compared on the key's raw bytes, so that this first look at an item unescapes nothing:
// On-Demand's string buffer is sized for each string to be unescaped once, and the item's fields
// are read again after the rewind. (A key spelled with escapes, `"\u006bind"`, is not recognised.)
bool is_kind_key(simdjson::ondemand::raw_json_string key) {
  const char* raw = key.raw();
  for (char expected : std::string_view("kind")) {
    const char c = *raw++;
    if (c != expected && c != expected - 32) return false;
  }
  return *raw == '"';
}

Result<std::string> read_kind(JsonObject& item, const JsonPath& at) {
  std::string kind;
  bool found = false;
  for (auto field : item) {
    simdjson::ondemand::raw_json_string key;
    if (auto error = field.key().get(key)) return json_error(at, error);
    if (!is_kind_key(key)) continue;
    JsonValue value;
    const JsonPath kind_at = at.key("kind");
    if (auto error = field.value().get(value)) return json_error(kind_at, error);
    Result<std::string> text = read_string(value, kind_at);
    if (!text) return text.error();
    kind = std::move(*text);  // the last of repeated keys wins
    found = true;
  }
  if (!found || kind.empty()) return error_at(at, "missing kind (expected Node or Pod)");
  return kind;
}

Result<void> add_node(JsonObject& item, const JsonPath& at, const EpcResources& epc,
                      ClusterObjects& out) {
  Result<Node> node = read_node_fields(item, at, epc);
  if (!node) return node.error();
  if (node->name.empty()) return error_at(at, "node without metadata.name");
  // An unreadable EPC quantity would leave the node unusable for the whole run: say so now.
  Result<EpcCapacity> capacity = epc_capacity(*node, epc);
  if (!capacity) return error_at(at, capacity.error().message);
  ++out.summary.nodes;
  if (capacity->confidential()) ++out.summary.confidential_nodes;
  out.nodes.push_back(std::move(*node));
  return {};
}

Result<void> add_pod(JsonObject& item, const JsonPath& at, const EpcResources& epc,
                     ClusterObjects& out) {
  Result<Pod> pod = read_pod_fields(item, at, epc);
  if (!pod) return pod.error();
  if (pod->name.empty()) return error_at(at, "pod without metadata.name");
  // What `kubectl apply` would do with a hand-written pod that names no namespace.
  if (pod->namespace_name.empty()) pod->namespace_name = "default";
  Result<EpcDemand> demand = epc_demand(*pod, epc);
  if (!demand) return error_at(at, "pod " + pod->key() + ": " + demand.error().message);
  if (holds_resources(*pod)) {
    ++out.summary.bound_pods;
  } else if (pod->node_name.empty() && pod->phase != PodPhase::Succeeded &&
             pod->phase != PodPhase::Failed) {
    ++out.summary.pending_pods;
  }
  out.pods.push_back(std::move(*pod));
  return {};
}

Result<void> add_item(JsonValue& value, const JsonPath& at, const EpcResources& epc,
                      ClusterObjects& out) {
  JsonObject item;
  if (auto error = value.get_object().get(item)) {
    if (error == simdjson::INCORRECT_TYPE) return type_error(at, "an object", value);
    return json_error(at, error);
  }
  Result<std::string> kind = read_kind(item, at);
  if (!kind) return kind.error();
  if (auto error = item.reset().error()) return json_error(at, error);
  if (*kind == "Node") return add_node(item, at, epc, out);
  if (*kind == "Pod") return add_pod(item, at, epc, out);
  return error_at(at, "unsupported kind \"" + *kind + "\" (expected Node or Pod)");
}

Result<ClusterObjects> read_cluster_list(const std::string& padded_json, const EpcResources& epc) {
  ClusterObjects objects;
  bool has_items = false;
  JsonParserPool parsers(1);  // a file is read once: no warm parser to keep
  Result<void> done = parse_document(
      parsers, padded_json, "file", [&](JsonObject& root, const JsonPath& at) -> Result<void> {
        return read_fields(
            root, at,
            [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
              if (!keys_equal(key, "items")) return {};
              has_items = true;
              objects = {};
              return read_array(
                  field, field_at,
                  [&](size_t, JsonValue& item, const JsonPath& item_at) -> Result<void> {
                    return add_item(item, item_at, epc, objects);
                  });
            });
      });
  if (!done) return done.error();
  if (!has_items) {
    return make_error("no items: expected a kubectl List (kubectl get nodes,pods -A -o json)");
  }
  return objects;
}

// Every change goes to a copy of the ledger that replaces it only when all were accepted: the
// ledger rejects a pod only after earlier items have changed it.
Result<void> apply(const ClusterObjects& objects, ClusterState& state) {
  return state.modify([&](EpcLedger& ledger) -> Result<void> {
    EpcLedger next = ledger;
    for (const Node& node : objects.nodes) next.upsert_node(node);
    for (const Pod& pod : objects.pods) {
      if (Result<void> done = next.upsert_pod(pod); !done) return done;
    }
    ledger = std::move(next);
    return {};
  });
}

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot open cluster file " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return make_error("cannot read cluster file " + path + ": " + std::strerror(errno));
  return std::move(text).str();
}

}  // namespace

Result<ClusterFileSummary> load_cluster_json(std::string json, std::string_view source,
                                             ClusterState& state) {
  const auto fail = [&](const Error& error) {
    return make_error(std::string(source) + ": " + error.message);
  };
  pad_body(json);
  Result<ClusterObjects> objects = read_cluster_list(json, state.resources());
  if (!objects) return fail(objects.error());
  if (Result<void> applied = apply(*objects, state); !applied) return fail(applied.error());
  return objects->summary;
}

Result<ClusterFileSummary> load_cluster_file(const std::string& path, ClusterState& state) {
  Result<std::string> text = read_text(path);
  if (!text) return text.error();
  return load_cluster_json(std::move(*text), path, state);
}

}  // namespace epc
