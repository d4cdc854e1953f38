#include "simulator/node_list.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "model/epc_capacity.h"
#include "model/epc_resources.h"
#include "simulator/resource_quantities.h"

namespace epc {
namespace {

using Json = nlohmann::json;

// Quantities may be JSON strings or numbers.
std::string text_of(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// The member `key` of `object`, or an empty object when absent (or `object` is no object).
const Json& member(const Json& object, const char* key) {
  static const Json kEmpty = Json::object();
  if (!object.is_object()) return kEmpty;
  const auto found = object.find(key);
  return found == object.end() ? kEmpty : *found;
}

std::string string_member(const Json& object, const char* key) {
  const Json& value = member(object, key);
  return value.is_string() ? value.get<std::string>() : std::string();
}

ResourceList resource_list(const Json& object) {
  ResourceList list;
  for (auto it = object.begin(); object.is_object() && it != object.end(); ++it) {
    list.emplace_back(it.key(), text_of(it.value()));
  }
  return list;
}

Node model_node(const Json& item) {
  Node node;
  const Json& metadata = member(item, "metadata");
  node.name = string_member(metadata, "name");
  const Json& labels = member(metadata, "labels");
  for (auto it = labels.begin(); labels.is_object() && it != labels.end(); ++it) {
    node.labels.emplace_back(it.key(), text_of(it.value()));
  }
  const Json& unschedulable = member(member(item, "spec"), "unschedulable");
  node.unschedulable = unschedulable.is_boolean() && unschedulable.get<bool>();
  const Json& status = member(item, "status");
  node.allocatable = resource_list(member(status, "allocatable"));
  node.capacity = resource_list(member(status, "capacity"));
  const Json& conditions = member(status, "conditions");
  if (!conditions.is_array()) return node;
  for (const Json& condition : conditions) {
    if (string_member(condition, "type") != "Ready") continue;
    node.readiness = string_member(condition, "status") == "True" ? NodeReadiness::Ready
                                                                  : NodeReadiness::NotReady;
  }
  return node;
}

const std::string* quantity(const Node& node, std::string_view name) {
  const std::string* value = find_quantity(node.allocatable, name);
  return value != nullptr ? value : find_quantity(node.capacity, name);
}

std::string pool_of(const Node& node) {
  for (const char* key : {"agentpool", "kubernetes.azure.com/agentpool"}) {
    for (const auto& [label, value] : node.labels) {
      if (label == key && !value.empty()) return value;
    }
  }
  return "nodes";
}

Result<NodeSpec> node_spec(const Node& node, const EpcResources& resources) {
  Result<EpcCapacity> epc = epc_capacity(node, resources);
  if (!epc) return epc.error();
  const std::string* cpu = quantity(node, "cpu");
  const std::string* memory = quantity(node, "memory");
  if (cpu == nullptr || memory == nullptr) return make_error("no allocatable cpu or memory");
  Result<int64_t> cpu_milli = parse_cpu_milli(*cpu);
  if (!cpu_milli) return make_error("cpu " + cpu_milli.error().message);
  Result<int64_t> memory_bytes = parse_bytes(*memory);
  if (!memory_bytes) return make_error("memory " + memory_bytes.error().message);
  return NodeSpec{node.name, pool_of(node), epc->bytes, *cpu_milli, *memory_bytes, node.labels};
}

}  // namespace

Result<std::vector<NodeSpec>> parse_node_list(std::string_view json, std::string_view source) {
  const std::string prefix = std::string(source) + ": ";
  const Json document = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return make_error(prefix + "not valid JSON");
  if (!document.is_object() || !document.contains("items") || !document["items"].is_array()) {
    return make_error(prefix + "expected a kubectl List (an object with \"items\")");
  }
  const EpcResources resources = EpcResources::defaults();
  std::vector<NodeSpec> nodes;
  const Json& items = document["items"];
  for (size_t i = 0; i < items.size(); ++i) {
    if (string_member(items[i], "kind") != "Node") continue;
    const Node node = model_node(items[i]);
    if (node.unschedulable || node.readiness == NodeReadiness::NotReady) continue;
    Result<NodeSpec> spec = node_spec(node, resources);
    if (!spec) {
      return make_error(prefix + "items[" + std::to_string(i) + "] (node " + node.name +
                        "): " + spec.error().message);
    }
    nodes.push_back(std::move(*spec));
  }
  if (nodes.empty()) return make_error(prefix + "no schedulable Node items");
  return nodes;
}

Result<std::vector<NodeSpec>> load_cluster_nodes(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(path + ": cannot open");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') return parse_node_list(text, path);
  Result<ClusterSpec> spec = parse_cluster_spec(text, path);
  if (!spec) return spec.error();
  return expand_nodes(*spec);
}

}  // namespace epc
