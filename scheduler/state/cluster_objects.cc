#include "scheduler/state/cluster_objects.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include "model/epc_capacity.h"
#include "model/epc_demand.h"
#include "scheduler/wire/extender_codec.h"
#include "scheduler/wire/json_reader.h"

namespace epc {
namespace {

constexpr std::string_view kKinds = "(expected Node, Pod or PodDisruptionBudget)";

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

// The item's own kind, or `list_kind`'s item kind when the item has none.
Result<std::string> read_kind(JsonObject& item, const JsonPath& at, const std::string& item_kind) {
  std::string kind;
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
  }
  if (kind.empty()) kind = item_kind;
  if (kind.empty()) return error_at(at, "missing kind " + std::string(kKinds));
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
  out.nodes.push_back(std::move(*node));
  return {};
}

Result<void> add_pod(JsonObject& item, const JsonPath& at, const EpcResources& epc,
                     PodDetail detail, ClusterObjects& out) {
  Result<Pod> pod = read_pod_fields(item, at, epc, detail);
  if (!pod) return pod.error();
  if (pod->name.empty()) return error_at(at, "pod without metadata.name");
  // What `kubectl apply` would do with a hand-written pod that names no namespace.
  if (pod->namespace_name.empty()) pod->namespace_name = "default";
  Result<EpcDemand> demand = epc_demand(*pod, epc);
  if (!demand) return error_at(at, "pod " + pod->key() + ": " + demand.error().message);
  out.pods.push_back(std::move(*pod));
  return {};
}

Result<void> add_budget(JsonObject& item, const JsonPath& at, ClusterObjects& out) {
  Result<DisruptionBudget> budget = read_disruption_budget_fields(item, at);
  if (!budget) return budget.error();
  if (budget->name.empty()) return error_at(at, "PodDisruptionBudget without metadata.name");
  if (budget->namespace_name.empty()) budget->namespace_name = "default";
  out.budgets.push_back(std::move(*budget));
  return {};
}

Result<void> add_item(JsonValue& value, const JsonPath& at, const EpcResources& epc,
                      PodDetail detail, const std::string& item_kind, ClusterObjects& out) {
  JsonObject item;
  if (auto error = value.get_object().get(item)) {
    if (error == simdjson::INCORRECT_TYPE) return type_error(at, "an object", value);
    return json_error(at, error);
  }
  Result<std::string> kind = read_kind(item, at, item_kind);
  if (!kind) return kind.error();
  if (auto error = item.reset().error()) return json_error(at, error);
  if (*kind == "Node") return add_node(item, at, epc, out);
  if (*kind == "Pod") return add_pod(item, at, epc, detail, out);
  if (*kind == "PodDisruptionBudget") return add_budget(item, at, out);
  return error_at(at, "unsupported kind \"" + *kind + "\" " + std::string(kKinds));
}

// The kind of a typed list's items: "PodList" → "Pod". A plain "List" (kubectl's) names none.
std::string item_kind_of(std::string_view list_kind) {
  constexpr std::string_view kSuffix = "List";
  if (list_kind.size() <= kSuffix.size() || !list_kind.ends_with(kSuffix)) return {};
  return std::string(list_kind.substr(0, list_kind.size() - kSuffix.size()));
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

Result<ClusterObjects> read_cluster_objects(const std::string& padded_json, const EpcResources& epc,
                                            PodDetail detail) {
  ClusterObjects objects;
  bool has_items = false;
  std::string item_kind;      // from the list's kind, when it comes before its items (it does)
  JsonParserPool parsers(1);  // a document is read once: no warm parser to keep
  Result<void> done = parse_document(
      parsers, padded_json, "file", [&](JsonObject& root, const JsonPath& at) -> Result<void> {
        return read_fields(
            root, at,
            [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
              if (keys_equal(key, "kind")) {
                Result<std::string> kind = read_string(field, field_at);
                if (!kind) return kind.error();
                item_kind = item_kind_of(*kind);
                return {};
              }
              if (!keys_equal(key, "items")) return {};
              has_items = true;
              objects = {};
              return read_array(
                  field, field_at,
                  [&](size_t, JsonValue& item, const JsonPath& item_at) -> Result<void> {
                    return add_item(item, item_at, epc, detail, item_kind, objects);
                  });
            });
      });
  if (!done) return done.error();
  if (!has_items) {
    return make_error("no items: expected a kubectl List (kubectl get nodes,pods -A -o json)");
  }
  return objects;
}

Result<ClusterObjects> load_cluster_objects(const std::string& path, const EpcResources& epc,
                                            PodDetail detail) {
  Result<std::string> text = read_text(path);
  if (!text) return text.error();
  pad_body(*text);
  Result<ClusterObjects> objects = read_cluster_objects(*text, epc, detail);
  if (!objects) return make_error(path + ": " + objects.error().message);
  return objects;
}

void append_objects(ClusterObjects& objects, ClusterObjects more) {
  const auto append = [](auto& to, auto& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  };
  append(objects.nodes, more.nodes);
  append(objects.pods, more.pods);
  append(objects.budgets, more.budgets);
}

}  // namespace epc
