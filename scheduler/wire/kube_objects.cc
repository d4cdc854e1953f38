#include "scheduler/wire/kube_objects.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "model/consolidation/drain_taint.h"
#include "model/label_selector.h"
#include "scheduler/wire/rfc3339.h"

namespace epc {
namespace {

using simdjson::ondemand::json_type;

// JSON's number grammar, for numbers taken as quantity text without being converted.
bool is_json_number(std::string_view text) {
  size_t i = 0;
  const auto digits = [&] {
    const size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i > start;
  };
  if (i < text.size() && text[i] == '-') ++i;
  if (i < text.size() && text[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

Result<std::string> read_quantity(JsonValue& value, const JsonPath& at) {
  json_type type;
  if (auto error = value.type().get(type)) return json_error(at, error);
  if (type == json_type::null) return std::string("0");
  if (type == json_type::string) return read_string(value, at);
  if (type == json_type::number) {
    const std::string_view text = trim_right(value.raw_json_token());
    if (!is_json_number(text)) return error_at(at, "invalid JSON number " + echo(text));
    return std::string(text);
  }
  return type_error(at, "a quantity string", value);
}

// The last value given for a name wins, as when Go decodes a map with a repeated key.
void set_resource(ResourceList& list, std::string_view name, std::string quantity) {
  for (auto& [existing, text] : list) {
    if (existing == name) {
      text = std::move(quantity);
      return;
    }
  }
  list.emplace_back(std::string(name), std::move(quantity));
}

struct ObjectMeta {
  std::string name;
  std::string namespace_name;
  std::string uid;
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::pair<std::string, std::string>> annotations;
  // kPodDisruption only.
  std::string controller_kind;
  bool mirror = false;
  int64_t created_unix_seconds = 0;
  bool deleting = false;  // metadata.deletionTimestamp is set
};

// Which string maps of metadata to keep: node labels (any key may be selected on) and, of pod
// annotations, only the extender's own (the rest can be large: last-applied-configuration).
// kPodDisruption keeps those annotations too, and every label, the controller, the creation time
// and the mirror annotation (PodDetail::kDisruption).
enum class MetaMaps { kNone, kLabels, kExtenderAnnotations, kPodDisruption };

// The annotation the kubelet puts on the API mirror of a static pod
// (kubetypes.ConfigMirrorAnnotationKey).
constexpr std::string_view kMirrorAnnotation = "kubernetes.io/config.mirror";

// metadata.ownerReferences: the kind of the one reference with controller: true, as
// metav1.GetControllerOf picks it (the first such reference); "" when none is.
Result<std::string> read_controller_kind(JsonValue& value, const JsonPath& at) {
  std::string controller_kind;
  bool found = false;
  Result<void> done =
      read_array(value, at, [&](size_t, JsonValue& item, const JsonPath& item_at) -> Result<void> {
        std::string kind;
        bool controller = false;
        Result<void> fields = read_object(
            item, item_at,
            [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
              if (keys_equal(key, "kind")) return read_string_into(field, field_at, kind);
              if (!keys_equal(key, "controller")) return {};
              Result<bool> flag = read_bool(field, field_at);
              if (!flag) return flag.error();
              controller = *flag;
              return {};
            });
        if (!fields) return fields;
        if (controller && !found) {
          controller_kind = std::move(kind);
          found = true;
        }
        return {};
      });
  if (!done) return done.error();
  return controller_kind;
}

// A map of strings; keys match exactly, as map keys do in Go. `keep` filters by key.
template <class Keep>
Result<void> read_string_map(JsonValue& value, const JsonPath& at, Keep keep,
                             std::vector<std::pair<std::string, std::string>>& out) {
  out.clear();
  return read_object(
      value, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        if (!keep(key)) return {};
        Result<std::string> text = read_string(field, field_at);
        if (!text) return text.error();
        out.emplace_back(std::string(key), std::move(*text));
        return {};
      });
}

Result<ObjectMeta> read_object_meta(JsonValue& value, const JsonPath& at,
                                    MetaMaps maps = MetaMaps::kNone,
                                    const NodeLabelKeys& label_keys = {}) {
  ObjectMeta meta;
  const auto assign = [](std::string& target, Result<std::string> text) -> Result<void> {
    if (!text) return text.error();
    target = std::move(*text);
    return {};
  };
  Result<void> done = read_object(
      value, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        if (keys_equal(key, "name")) return assign(meta.name, read_string(field, field_at));
        if (keys_equal(key, "namespace")) {
          return assign(meta.namespace_name, read_string(field, field_at));
        }
        if (keys_equal(key, "uid")) return assign(meta.uid, read_string(field, field_at));
        if (maps == MetaMaps::kLabels && keys_equal(key, "labels")) {
          return read_string_map(
              field, field_at, [&](std::string_view name) { return label_keys.keeps(name); },
              meta.labels);
        }
        if (maps == MetaMaps::kExtenderAnnotations && keys_equal(key, "annotations")) {
          return read_string_map(
              field, field_at,
              [](std::string_view name) { return name.starts_with(kPodAnnotationPrefix); },
              meta.annotations);
        }
        if (maps != MetaMaps::kPodDisruption) return {};
        if (keys_equal(key, "labels")) {
          return read_string_map(
              field, field_at, [](std::string_view) { return true; }, meta.labels);
        }
        if (keys_equal(key, "annotations")) {
          Result<void> read = read_string_map(
              field, field_at,
              [](std::string_view name) {
                return name.starts_with(kPodAnnotationPrefix) || name == kMirrorAnnotation;
              },
              meta.annotations);
          if (!read) return read;
          const auto mirror = std::find_if(
              meta.annotations.begin(), meta.annotations.end(),
              [](const auto& annotation) { return annotation.first == kMirrorAnnotation; });
          meta.mirror = mirror != meta.annotations.end();
          if (meta.mirror) meta.annotations.erase(mirror);
          return {};
        }
        if (keys_equal(key, "ownerReferences")) {
          Result<std::string> kind = read_controller_kind(field, field_at);
          if (!kind) return kind.error();
          meta.controller_kind = std::move(*kind);
          return {};
        }
        if (keys_equal(key, "creationTimestamp")) {
          Result<std::string> text = read_string(field, field_at);
          if (!text) return text.error();
          if (text->empty()) return {};  // null: metav1.Time's zero value, unknown
          Result<int64_t> seconds = parse_rfc3339(*text);
          if (!seconds) return error_at(field_at, seconds.error().message);
          meta.created_unix_seconds = *seconds;
          return {};
        }
        if (keys_equal(key, "deletionTimestamp")) {
          Result<std::string> text = read_string(field, field_at);
          if (!text) return text.error();
          meta.deleting = !text->empty();
          return {};
        }
        return {};
      });
  if (!done) return done.error();
  return meta;
}

// An object of which only string fields are wanted: each key of `fields` (matched as keys_equal
// does) is read into its target; other keys are skipped.
Result<void> read_string_fields(
    JsonValue& value, const JsonPath& at,
    std::initializer_list<std::pair<std::string_view, std::string*>> fields) {
  return read_object(
      value, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        for (const auto& [name, target] : fields) {
          if (keys_equal(key, name)) return read_string_into(field, field_at, *target);
        }
        return {};
      });
}

// One container of spec.containers or spec.initContainers.
struct Container {
  ContainerResources resources;
  std::string restart_policy;  // init containers only; "Always" makes a sidecar
};

Result<ContainerResources> read_container_resources(JsonValue& value, const JsonPath& at,
                                                    const EpcResources& epc) {
  ContainerResources resources;
  Result<void> done = read_object(
      value, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        ResourceList* target = keys_equal(key, "requests") ? &resources.requests
                               : keys_equal(key, "limits") ? &resources.limits
                                                           : nullptr;
        if (target == nullptr) return {};
        Result<ResourceList> list = read_resource_list(field, field_at, epc);
        if (!list) return list.error();
        *target = std::move(*list);
        return {};
      });
  if (!done) return done.error();
  return resources;
}

Result<Container> read_container(JsonValue& value, const JsonPath& at, const EpcResources& epc) {
  Container container;
  Result<void> done = read_object(
      value, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        if (keys_equal(key, "resources")) {
          Result<ContainerResources> resources = read_container_resources(field, field_at, epc);
          if (!resources) return resources.error();
          // Field by field: `name` may have come first.
          container.resources.requests = std::move(resources->requests);
          container.resources.limits = std::move(resources->limits);
        } else if (keys_equal(key, "name")) {
          Result<std::string> name = read_string(field, field_at);
          if (!name) return name.error();
          container.resources.name = std::move(*name);
        } else if (keys_equal(key, "restartPolicy")) {
          Result<std::string> policy = read_string(field, field_at);
          if (!policy) return policy.error();
          container.restart_policy = std::move(*policy);
        }
        return {};
      });
  if (!done) return done.error();
  return container;
}

Result<void> read_containers(JsonValue& value, const JsonPath& at, const EpcResources& epc,
                             std::vector<ContainerResources>& out) {
  out.clear();  // a repeated key replaces the list, as Go does for slices
  return read_array(value, at,
                    [&](size_t, JsonValue& item, const JsonPath& item_at) -> Result<void> {
                      Result<Container> container = read_container(item, item_at, epc);
                      if (!container) return container.error();
                      out.push_back(std::move(container->resources));
                      return {};
                    });
}

Result<void> read_init_containers(JsonValue& value, const JsonPath& at, const EpcResources& epc,
                                  std::vector<InitContainer>& out) {
  out.clear();
  return read_array(
      value, at, [&](size_t, JsonValue& item, const JsonPath& item_at) -> Result<void> {
        Result<Container> container = read_container(item, item_at, epc);
        if (!container) return container.error();
        out.push_back({std::move(container->resources), container->restart_policy == "Always"});
        return {};
      });
}

// Operators compare exactly, as ToleratesTaint does; "" is Equal.
TolerationOperator parse_toleration_operator(std::string_view op) {
  if (op.empty() || op == "Equal") return TolerationOperator::kEqual;
  if (op == "Exists") return TolerationOperator::kExists;
  return TolerationOperator::kOther;
}

Result<Toleration> read_toleration(JsonValue& value, const JsonPath& at) {
  Toleration toleration;
  std::string op;
  Result<void> done = read_string_fields(value, at,
                                         {{"key", &toleration.key},
                                          {"operator", &op},
                                          {"value", &toleration.value},
                                          {"effect", &toleration.effect}});
  if (!done) return done.error();
  toleration.op = parse_toleration_operator(op);
  return toleration;
}

Result<void> read_tolerations(JsonValue& value, const JsonPath& at, std::vector<Toleration>& out) {
  out.clear();  // a repeated key replaces the list, as Go does for slices
  return read_array(value, at,
                    [&](size_t, JsonValue& item, const JsonPath& item_at) -> Result<void> {
                      Result<Toleration> toleration = read_toleration(item, item_at);
                      if (!toleration) return toleration.error();
                      out.push_back(std::move(*toleration));
                      return {};
                    });
}

Result<void> read_pod_spec(JsonValue& value, const JsonPath& at, const EpcResources& epc,
                           Pod& pod) {
  return read_object(
      value, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        if (keys_equal(key, "containers"))
          return read_containers(field, field_at, epc, pod.containers);
        if (keys_equal(key, "initContainers")) {
          return read_init_containers(field, field_at, epc, pod.init_containers);
        }
        if (keys_equal(key, "tolerations"))
          return read_tolerations(field, field_at, pod.tolerations);
        if (keys_equal(key, "overhead")) {
          Result<ResourceList> overhead = read_resource_list(field, field_at, epc);
          if (!overhead) return overhead.error();
          pod.overhead = std::move(*overhead);
        } else if (keys_equal(key, "nodeName")) {
          Result<std::string> node_name = read_string(field, field_at);
          if (!node_name) return node_name.error();
          pod.node_name = std::move(*node_name);
        } else if (keys_equal(key, "priority")) {
          Result<int32_t> priority = read_int32(field, field_at);
          if (!priority) return priority.error();
          pod.priority = *priority;
        }
        return {};
      });
}

// Phases are enum values, compared exactly as the API server does; an empty phase is a pod the
// kubelet has not reported on yet.
PodPhase parse_phase(std::string_view phase) {
  if (phase.empty() || phase == "Pending") return PodPhase::Pending;
  if (phase == "Running") return PodPhase::Running;
  if (phase == "Succeeded") return PodPhase::Succeeded;
  if (phase == "Failed") return PodPhase::Failed;
  return PodPhase::Unknown;
}

Result<void> read_pod_status(JsonValue& value, const JsonPath& at, Pod& pod) {
  return read_object(
      value, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        if (!keys_equal(key, "phase")) return {};
        Result<std::string> phase = read_string(field, field_at);
        if (!phase) return phase.error();
        pod.phase = parse_phase(*phase);
        return {};
      });
}

struct Condition {
  std::string type;
  std::string status;
};

Result<Condition> read_condition(JsonValue& value, const JsonPath& at) {
  Condition condition;
  Result<void> done =
      read_string_fields(value, at, {{"type", &condition.type}, {"status", &condition.status}});
  if (!done) return done.error();
  return condition;
}

Result<void> read_node_conditions(JsonValue& value, const JsonPath& at, Node& node) {
  return read_array(
      value, at, [&](size_t, JsonValue& item, const JsonPath& item_at) -> Result<void> {
        Result<Condition> condition = read_condition(item, item_at);
        if (!condition) return condition.error();
        if (condition->type == "Ready") {
          node.readiness =
              condition->status == "True" ? NodeReadiness::Ready : NodeReadiness::NotReady;
          node.unreachable = condition->status == "Unknown";
        }
        return {};
      });
}

Result<void> read_node_status(JsonValue& value, const JsonPath& at, const EpcResources& epc,
                              Node& node) {
  return read_object(
      value, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        ResourceList* target = keys_equal(key, "allocatable") ? &node.allocatable
                               : keys_equal(key, "capacity")  ? &node.capacity
                                                              : nullptr;
        if (target != nullptr) {
          Result<ResourceList> list = read_resource_list(field, field_at, epc);
          if (!list) return list.error();
          *target = std::move(*list);
          return {};
        }
        if (keys_equal(key, "conditions")) return read_node_conditions(field, field_at, node);
        return {};
      });
}

// spec.taints: only consolidation's drain taint is kept (model/consolidation/drain_taint.h); the
// taints kube-scheduler judges stand for conditions the node's status already says.
Result<void> read_drain_taint(JsonValue& value, const JsonPath& at, Node& node) {
  return read_array(value, at, [&](size_t, JsonValue& item, const JsonPath& item_at) {
    std::string key;
    std::string taint_value;
    std::string effect;
    Result<void> done = read_string_fields(
        item, item_at, {{"key", &key}, {"value", &taint_value}, {"effect", &effect}});
    if (done && key == kDrainTaintKey && effect == kDrainTaintEffect) {
      node.draining_since = drain_started_at(taint_value);
    }
    return done;
  });
}

Result<void> read_node_spec(JsonValue& value, const JsonPath& at, Node& node) {
  return read_object(
      value, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        if (keys_equal(key, "taints")) return read_drain_taint(field, field_at, node);
        if (!keys_equal(key, "unschedulable")) return {};
        Result<bool> unschedulable = read_bool(field, field_at);
        if (!unschedulable) return unschedulable.error();
        node.unschedulable = *unschedulable;
        return {};
      });
}

}  // namespace

Result<ResourceList> read_resource_list(JsonValue& value, const JsonPath& at,
                                        const EpcResources& epc) {
  ResourceList list;
  // Resource names are map keys, not struct fields: they match exactly, as in Kubernetes.
  Result<void> done = read_object(
      value, at,
      [&](std::string_view name, JsonValue& quantity, const JsonPath& quantity_at) -> Result<void> {
        if (!epc.is_epc(name)) return {};
        Result<std::string> text = read_quantity(quantity, quantity_at);
        if (!text) return text.error();
        set_resource(list, name, std::move(*text));
        return {};
      });
  if (!done) return done.error();
  return list;
}

Result<Pod> read_pod_fields(JsonObject& object, const JsonPath& at, const EpcResources& epc,
                            PodDetail detail) {
  Pod pod;
  const MetaMaps maps =
      detail == PodDetail::kDisruption ? MetaMaps::kPodDisruption : MetaMaps::kExtenderAnnotations;
  Result<void> done = read_fields(
      object, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        if (keys_equal(key, "metadata")) {
          Result<ObjectMeta> meta = read_object_meta(field, field_at, maps);
          if (!meta) return meta.error();
          pod.name = std::move(meta->name);
          pod.namespace_name = std::move(meta->namespace_name);
          pod.uid = std::move(meta->uid);
          pod.annotations = std::move(meta->annotations);
          pod.labels = std::move(meta->labels);
          pod.controller_kind = std::move(meta->controller_kind);
          pod.mirror = meta->mirror;
          pod.created_unix_seconds = meta->created_unix_seconds;
          pod.terminating = meta->deleting;
          return {};
        }
        if (keys_equal(key, "spec")) return read_pod_spec(field, field_at, epc, pod);
        if (keys_equal(key, "status")) return read_pod_status(field, field_at, pod);
        return {};
      });
  if (!done) return done.error();
  return pod;
}

bool NodeLabelKeys::keeps(std::string_view key) const {
  return all || std::find(keys.begin(), keys.end(), key) != keys.end();
}

Result<Node> read_node_fields(JsonObject& object, const JsonPath& at, const EpcResources& epc,
                              const NodeLabelKeys& labels) {
  Node node;
  Result<void> done = read_fields(
      object, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        if (keys_equal(key, "metadata")) {
          Result<ObjectMeta> meta = read_object_meta(field, field_at, MetaMaps::kLabels, labels);
          if (!meta) return meta.error();
          node.name = std::move(meta->name);
          node.labels = std::move(meta->labels);
          return {};
        }
        if (keys_equal(key, "spec")) return read_node_spec(field, field_at, node);
        if (keys_equal(key, "status")) return read_node_status(field, field_at, epc, node);
        return {};
      });
  if (!done) return done.error();
  return node;
}

namespace {

// metav1.LabelSelectorRequirement: key, operator, values.
Result<LabelRequirement> read_label_requirement(JsonValue& value, const JsonPath& at) {
  LabelRequirement requirement;
  std::string op;
  Result<void> done = read_object(
      value, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        if (keys_equal(key, "key")) return read_string_into(field, field_at, requirement.key);
        if (keys_equal(key, "operator")) return read_string_into(field, field_at, op);
        if (!keys_equal(key, "values")) return {};
        return read_array(field, field_at,
                          [&](size_t, JsonValue& item, const JsonPath& item_at) -> Result<void> {
                            Result<std::string> text = read_string(item, item_at);
                            if (!text) return text.error();
                            requirement.values.push_back(std::move(*text));
                            return {};
                          });
      });
  if (!done) return done.error();
  // metav1.LabelSelectorOperator's values; the names match exactly, as Go's constants do.
  if (op == "In") {
    requirement.op = LabelOperator::kIn;
  } else if (op == "NotIn") {
    requirement.op = LabelOperator::kNotIn;
  } else if (op == "Exists") {
    requirement.op = LabelOperator::kExists;
  } else if (op == "DoesNotExist") {
    requirement.op = LabelOperator::kDoesNotExist;
  } else {
    return error_at(at.key("operator"), "unknown label selector operator \"" + op +
                                            "\" (expected In, NotIn, Exists or DoesNotExist)");
  }
  return requirement;
}

// spec.selector of a PodDisruptionBudget, into `budget`: null leaves it covering nothing; {}
// covers every pod of the namespace (metav1.LabelSelectorAsSelector: labels.Everything()).
Result<void> read_budget_selector(JsonValue& value, const JsonPath& at, DisruptionBudget& budget) {
  JsonObject object;
  Result<bool> present = open_object(value, at, object);
  if (!present) return present.error();
  if (!*present) return {};
  Labels match_labels;
  std::vector<LabelRequirement> match_expressions;
  Result<void> done = read_fields(
      object, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        if (keys_equal(key, "matchLabels")) {
          return read_string_map(
              field, field_at, [](std::string_view) { return true; }, match_labels);
        }
        if (!keys_equal(key, "matchExpressions")) return {};
        return read_array(
            field, field_at, [&](size_t, JsonValue& item, const JsonPath& item_at) -> Result<void> {
              Result<LabelRequirement> requirement = read_label_requirement(item, item_at);
              if (!requirement) return requirement.error();
              match_expressions.push_back(std::move(*requirement));
              return {};
            });
      });
  if (!done) return done;
  if (match_labels.empty() && match_expressions.empty()) {
    budget.selects_every_pod = true;
    return {};
  }
  Result<LabelSelector> selector =
      LabelSelector::from_match(match_labels, std::move(match_expressions));
  if (!selector) return error_at(at, selector.error().message);
  budget.selector = std::move(*selector);
  return {};
}

}  // namespace

Result<DisruptionBudget> read_disruption_budget_fields(JsonObject& object, const JsonPath& at) {
  DisruptionBudget budget;
  Result<void> done = read_fields(
      object, at,
      [&](std::string_view key, JsonValue& field, const JsonPath& field_at) -> Result<void> {
        if (keys_equal(key, "metadata")) {
          Result<ObjectMeta> meta = read_object_meta(field, field_at);
          if (!meta) return meta.error();
          budget.name = std::move(meta->name);
          budget.namespace_name = std::move(meta->namespace_name);
          return {};
        }
        if (keys_equal(key, "spec")) {
          return read_object(field, field_at,
                             [&](std::string_view spec_key, JsonValue& spec_field,
                                 const JsonPath& spec_at) -> Result<void> {
                               if (!keys_equal(spec_key, "selector")) return {};
                               return read_budget_selector(spec_field, spec_at, budget);
                             });
        }
        if (keys_equal(key, "status")) {
          return read_object(field, field_at,
                             [&](std::string_view status_key, JsonValue& status_field,
                                 const JsonPath& status_at) -> Result<void> {
                               if (!keys_equal(status_key, "disruptionsAllowed")) return {};
                               Result<int32_t> allowed = read_int32(status_field, status_at);
                               if (!allowed) return allowed.error();
                               if (*allowed < 0) {
                                 return error_at(status_at, "must not be negative, got " +
                                                                std::to_string(*allowed));
                               }
                               budget.disruptions_allowed = *allowed;
                               return {};
                             });
        }
        return {};
      });
  if (!done) return done.error();
  return budget;
}

Result<Pod> read_pod(JsonValue& value, const JsonPath& at, const EpcResources& epc) {
  JsonObject object;
  Result<bool> present = open_object(value, at, object);
  if (!present) return present.error();
  if (!*present) return Pod{};
  return read_pod_fields(object, at, epc);
}

Result<Node> read_node(JsonValue& value, const JsonPath& at, const EpcResources& epc,
                       const NodeLabelKeys& labels) {
  JsonObject object;
  Result<bool> present = open_object(value, at, object);
  if (!present) return present.error();
  if (!*present) return Node{};
  return read_node_fields(object, at, epc, labels);
}

}  // namespace epc
