#include "simulator/cluster_spec.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "model/quantity.h"
#include "simulator/resource_quantities.h"

namespace epc {
namespace {

Result<std::string> scalar(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) return make_error(path + ": expected a scalar");
  return node.Scalar();
}

Result<Labels> parse_labels(const YAML::Node& node, const std::string& path) {
  if (!node.IsMap()) return make_error(path + ": expected a mapping of label keys to values");
  Labels labels;
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    Result<std::string> value = scalar(entry.second, path + "." + key);
    if (!value) return value.error();
    labels.emplace_back(key, *value);
  }
  return labels;
}

Result<int64_t> field_quantity(const YAML::Node& node, const std::string& path,
                               Result<int64_t> (*parse)(std::string_view)) {
  Result<std::string> text = scalar(node, path);
  if (!text) return text.error();
  Result<int64_t> value = parse(*text);
  if (!value) return make_error(path + ": " + value.error().message);
  return value;
}

Result<int64_t> parse_count(const YAML::Node& node, const std::string& path) {
  Result<std::string> text = scalar(node, path);
  if (!text) return text.error();
  Result<int64_t> value = parse_quantity(*text);
  if (!value || *value < 0 || text->find_first_not_of("0123456789") != std::string::npos) {
    return make_error(path + ": \"" + *text + "\" is not a non-negative integer");
  }
  return value;
}

Result<PoolSpec> parse_pool(const YAML::Node& node, const std::string& path) {
  if (!node.IsMap()) return make_error(path + ": expected a mapping");
  PoolSpec pool;
  std::set<std::string> seen;
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    const std::string at = path + "." + key;
    if (!seen.insert(key).second) return make_error(at + ": given more than once");
    if (key == "name") {
      Result<std::string> name = scalar(entry.second, at);
      if (!name) return name.error();
      pool.name = *name;
    } else if (key == "count") {
      Result<int64_t> count = parse_count(entry.second, at);
      if (!count) return count.error();
      pool.count = *count;
    } else if (key == "epc" || key == "cpu" || key == "memory") {
      Result<int64_t> value =
          field_quantity(entry.second, at, key == "cpu" ? parse_cpu_milli : parse_bytes);
      if (!value) return value.error();
      (key == "epc" ? pool.epc_bytes : key == "cpu" ? pool.cpu_milli : pool.memory_bytes) = *value;
    } else if (key == "pricePerHour") {
      Result<std::string> text = scalar(entry.second, at);
      if (!text) return text.error();
      char* end = nullptr;
      const double price = std::strtod(text->c_str(), &end);
      if (text->empty() || end != text->c_str() + text->size() || !(price >= 0) ||
          !std::isfinite(price)) {
        return make_error(at + ": \"" + *text + "\" is not a non-negative number");
      }
      pool.price_per_hour = price;
    } else if (key == "labels") {
      Result<Labels> labels = parse_labels(entry.second, at);
      if (!labels) return labels.error();
      pool.labels = std::move(*labels);
    } else {
      return make_error(
          at + ": unknown key (expected name, count, epc, cpu, memory, pricePerHour, labels)");
    }
  }
  if (pool.name.empty()) return make_error(path + ".name: required");
  if (pool.cpu_milli <= 0) return make_error(path + ".cpu: required and positive");
  if (pool.memory_bytes <= 0) return make_error(path + ".memory: required and positive");
  return pool;
}

Result<ClusterSpec> parse_document(const YAML::Node& root) {
  if (!root.IsMap() || !root["pools"]) return make_error("expected a mapping with key \"pools\"");
  for (const auto& entry : root) {
    if (entry.first.as<std::string>() != "pools") {
      return make_error(entry.first.as<std::string>() + ": unknown key (expected pools)");
    }
  }
  const YAML::Node pools = root["pools"];
  if (!pools.IsSequence() || pools.size() == 0)
    return make_error("pools: expected a non-empty list");
  ClusterSpec spec;
  std::set<std::string> names;
  for (size_t i = 0; i < pools.size(); ++i) {
    const std::string path = "pools[" + std::to_string(i) + "]";
    Result<PoolSpec> pool = parse_pool(pools[i], path);
    if (!pool) return pool.error();
    if (!names.insert(pool->name).second) {
      return make_error(path + ".name: \"" + pool->name + "\" used by an earlier pool");
    }
    spec.pools.push_back(std::move(*pool));
  }
  return spec;
}

}  // namespace

Result<ClusterSpec> parse_cluster_spec(std::string_view text, std::string_view source) {
  const std::string prefix = std::string(source) + ": ";
  try {
    Result<ClusterSpec> spec = parse_document(YAML::Load(std::string(text)));
    if (!spec) return make_error(prefix + spec.error().message);
    return spec;
  } catch (const YAML::Exception& error) {
    return make_error(prefix + error.what());
  }
}

Result<ClusterSpec> load_cluster_spec(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  return parse_cluster_spec(text.str(), path);
}

std::vector<NodeSpec> expand_nodes(const ClusterSpec& spec) {
  std::vector<NodeSpec> nodes;
  for (const PoolSpec& pool : spec.pools) {
    for (int64_t i = 0; i < pool.count; ++i) {
      nodes.push_back({pool.name + "-" + std::to_string(i), pool.name, pool.epc_bytes,
                       pool.cpu_milli, pool.memory_bytes, pool.labels, pool.price_per_hour});
    }
  }
  return nodes;
}

Node to_model_node(const NodeSpec& spec) {
  Node node;
  node.name = spec.name;
  node.readiness = NodeReadiness::Ready;
  node.labels = spec.labels;
  if (spec.epc_bytes > 0) {
    node.allocatable.emplace_back(std::string(kSimulatedEpcResource),
                                  std::to_string(spec.epc_bytes));
  }
  return node;
}

}  // namespace epc
