#include "scheduler/wire/node_taints.h"

#include <string_view>
#include <utility>

#include "scheduler/wire/json_reader.h"
#include "scheduler/wire/json_writer.h"

namespace epc {
namespace {

Result<void> read_into(JsonValue& value, const JsonPath& at, std::string& target) {
  return read_string_into(value, at, target);
}

Result<NodeTaintSpec> read_taint(JsonValue& value, const JsonPath& at) {
  NodeTaintSpec taint;
  Result<void> done =
      read_object(value, at, [&](std::string_view key, JsonValue& field, const JsonPath& field_at) {
        if (keys_equal(key, "key")) return read_into(field, field_at, taint.key);
        if (keys_equal(key, "value")) return read_into(field, field_at, taint.value);
        if (keys_equal(key, "effect")) return read_into(field, field_at, taint.effect);
        return Result<void>{};
      });
  if (!done) return done.error();
  return taint;
}

Result<void> read_taints(JsonValue& value, const JsonPath& at, std::vector<NodeTaintSpec>& out) {
  return read_array(value, at, [&](size_t, JsonValue& item, const JsonPath& item_at) {
    Result<NodeTaintSpec> taint = read_taint(item, item_at);
    if (!taint) return Result<void>(taint.error());
    out.push_back(std::move(*taint));
    return Result<void>{};
  });
}

void append_test_resource_version(std::string& out, const std::string& resource_version) {
  out += R"({"op":"test","path":"/metadata/resourceVersion","value":)";
  append_json_string(out, resource_version);
  out += '}';
}

void append_taint(std::string& out, const NodeTaintSpec& taint) {
  out += R"({"key":)";
  append_json_string(out, taint.key);
  // Taint.value is omitempty in core/v1; leaving it out keeps the stored object as kubectl's.
  if (!taint.value.empty()) {
    out += R"(,"value":)";
    append_json_string(out, taint.value);
  }
  out += R"(,"effect":)";
  append_json_string(out, taint.effect);
  out += '}';
}

}  // namespace

Result<NodeTaints> read_node_taints(const std::string& padded_json) {
  JsonParserPool parsers(1);
  NodeTaints node;
  Result<void> done = read_document_fields(
      parsers, padded_json, "Node",
      [&](std::string_view key, JsonValue& value, const JsonPath& at) -> Result<void> {
        if (keys_equal(key, "metadata")) {
          return read_object(
              value, at, [&](std::string_view name, JsonValue& field, const JsonPath& field_at) {
                if (!keys_equal(name, "resourceVersion")) return Result<void>{};
                return read_into(field, field_at, node.resource_version);
              });
        }
        if (keys_equal(key, "spec")) {
          return read_object(
              value, at, [&](std::string_view name, JsonValue& field, const JsonPath& field_at) {
                if (!keys_equal(name, "taints")) return Result<void>{};
                return read_taints(field, field_at, node.taints);
              });
        }
        return {};
      });
  if (!done) return done.error();
  if (node.resource_version.empty()) {
    return make_error("metadata.resourceVersion: missing");
  }
  return node;
}

std::string encode_add_taint_patch(const std::string& resource_version, bool node_has_taints,
                                   const NodeTaintSpec& taint) {
  std::string out = "[";
  append_test_resource_version(out, resource_version);
  if (node_has_taints) {
    out += R"(,{"op":"add","path":"/spec/taints/-","value":)";
    append_taint(out, taint);
  } else {
    out += R"(,{"op":"add","path":"/spec/taints","value":[)";
    append_taint(out, taint);
    out += ']';
  }
  out += "}]";
  return out;
}

std::string encode_remove_taint_patch(const std::string& resource_version, size_t index) {
  std::string out = "[";
  append_test_resource_version(out, resource_version);
  out += R"(,{"op":"remove","path":"/spec/taints/)" + std::to_string(index) + "\"}]";
  return out;
}

}  // namespace epc
