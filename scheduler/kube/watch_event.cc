#include "scheduler/kube/watch_event.h"

#include <optional>
#include <utility>

#include "scheduler/wire/kube_objects.h"

namespace epc {
namespace {

Result<void> assign_string(std::string& target, JsonValue& value, const JsonPath& at) {
  Result<std::string> text = read_string(value, at);
  if (!text) return text.error();
  target = std::move(*text);
  return {};
}

// metadata.resourceVersion (and metadata.continue for lists) of an already opened object.
struct ListMeta {
  std::string resource_version;
  std::string continue_token;
};

Result<void> read_list_meta(JsonValue& value, const JsonPath& at, ListMeta& meta) {
  return read_object(value, at,
                     [&](std::string_view key, JsonValue& field, const JsonPath& field_at) {
                       if (keys_equal(key, "resourceVersion")) {
                         return assign_string(meta.resource_version, field, field_at);
                       }
                       if (keys_equal(key, "continue"))
                         return assign_string(meta.continue_token, field, field_at);
                       return Result<void>();
                     });
}

Result<std::string> read_resource_version(JsonObject& object, const JsonPath& at) {
  ListMeta meta;
  Result<void> done = read_fields(
      object, at, [&](std::string_view key, JsonValue& field, const JsonPath& field_at) {
        if (keys_equal(key, "metadata")) return read_list_meta(field, field_at, meta);
        return Result<void>();
      });
  if (!done) return done.error();
  return meta.resource_version;
}

Result<ApiStatus> read_status_fields(JsonObject& object, const JsonPath& at) {
  ApiStatus status;
  Result<void> done = read_fields(
      object, at, [&](std::string_view key, JsonValue& field, const JsonPath& field_at) {
        if (keys_equal(key, "code")) {
          Result<int32_t> code = read_int32(field, field_at);
          if (!code) return Result<void>(code.error());
          status.code = *code;
          return Result<void>();
        }
        if (keys_equal(key, "reason")) return assign_string(status.reason, field, field_at);
        if (keys_equal(key, "message")) return assign_string(status.message, field, field_at);
        return Result<void>();
      });
  if (!done) return done.error();
  return status;
}

Result<WatchEventType> parse_event_type(std::string_view type, const JsonPath& at) {
  if (type == "ADDED") return WatchEventType::Added;
  if (type == "MODIFIED") return WatchEventType::Modified;
  if (type == "DELETED") return WatchEventType::Deleted;
  if (type == "BOOKMARK") return WatchEventType::Bookmark;
  if (type == "ERROR") return WatchEventType::Error;
  return error_at(at, "unknown event type \"" + std::string(type) + "\"");
}

// The event's type, read in a first pass: the object is read differently for each type, and
// nothing obliges a sender to put `type` before `object`.
Result<std::string> read_event_type(JsonObject& root, const JsonPath& at) {
  std::string type;
  Result<void> done =
      read_fields(root, at, [&](std::string_view key, JsonValue& field, const JsonPath& field_at) {
        if (keys_equal(key, "type")) return assign_string(type, field, field_at);
        return Result<void>();
      });
  if (!done) return done.error();
  if (type.empty()) return error_at(at, "missing type");
  return type;
}

// The object of an ADDED/MODIFIED/DELETED event: its resourceVersion first, then, after a rewind,
// the Pod or Node itself.
Result<void> read_event_object(JsonObject& object, const JsonPath& at, ResourceKind kind,
                               const EpcResources& epc, WatchEvent& event) {
  Result<std::string> version = read_resource_version(object, at);
  if (!version) return version.error();
  event.resource_version = std::move(*version);
  if (auto error = object.reset().error()) return json_error(at, error);
  if (kind == ResourceKind::Pods) {
    Result<Pod> pod = read_pod_fields(object, at, epc);
    if (!pod) return pod.error();
    event.pod = std::move(*pod);
  } else {
    Result<Node> node = read_node_fields(object, at, epc);
    if (!node) return node.error();
    event.node = std::move(*node);
  }
  return {};
}

Result<void> read_event_value(JsonValue& value, const JsonPath& at, ResourceKind kind,
                              const EpcResources& epc, WatchEvent& event) {
  JsonObject object;
  Result<bool> present = open_object(value, at, object);
  if (!present) return present.error();
  if (!*present) return error_at(at, "null object");
  if (event.type == WatchEventType::Error) {
    Result<ApiStatus> status = read_status_fields(object, at);
    if (!status) return status.error();
    event.status = std::move(*status);
    return {};
  }
  if (event.type == WatchEventType::Bookmark) {
    Result<std::string> version = read_resource_version(object, at);
    if (!version) return version.error();
    event.resource_version = std::move(*version);
    return {};
  }
  return read_event_object(object, at, kind, epc, event);
}

Result<void> read_item(JsonValue& value, const JsonPath& at, ResourceKind kind,
                       const EpcResources& epc, ListPage& page) {
  JsonObject object;
  Result<bool> present = open_object(value, at, object);
  if (!present) return present.error();
  if (!*present) return error_at(at, "null item");
  if (kind == ResourceKind::Pods) {
    Result<Pod> pod = read_pod_fields(object, at, epc);
    if (!pod) return pod.error();
    if (pod->name.empty()) return error_at(at, "pod without metadata.name");
    page.pods.push_back(std::move(*pod));
  } else {
    Result<Node> node = read_node_fields(object, at, epc);
    if (!node) return node.error();
    if (node->name.empty()) return error_at(at, "node without metadata.name");
    page.nodes.push_back(std::move(*node));
  }
  return {};
}

}  // namespace

Result<WatchEvent> decode_watch_event(JsonParserPool& parsers, const std::string& padded_line,
                                      ResourceKind kind, const EpcResources& epc) {
  WatchEvent event;
  bool has_object = false;
  Result<void> done = parse_document(
      parsers, padded_line, "watch event", [&](JsonObject& root, const JsonPath& at) {
        Result<std::string> type = read_event_type(root, at);
        if (!type) return Result<void>(type.error());
        Result<WatchEventType> parsed = parse_event_type(*type, at.key("type"));
        if (!parsed) return Result<void>(parsed.error());
        event.type = *parsed;
        if (auto error = root.reset().error()) return Result<void>(json_error(at, error));
        return read_fields(root, at,
                           [&](std::string_view key, JsonValue& field, const JsonPath& field_at) {
                             if (!keys_equal(key, "object")) return Result<void>();
                             has_object = true;
                             return read_event_value(field, field_at, kind, epc, event);
                           });
      });
  if (!done) return done.error();
  if (!has_object) return make_error("watch event: missing object");
  return event;
}

namespace {

// One named object of type T (Node or Pod) as the whole document, read by `read_fields`.
template <class T, class ReadFields>
Result<T> decode_object(JsonParserPool& parsers, const std::string& padded_body,
                        std::string_view kind, ReadFields read_fields) {
  std::optional<T> object;
  Result<void> done =
      parse_document(parsers, padded_body, kind, [&](JsonObject& root, const JsonPath& at) {
        Result<T> read = read_fields(root, at);
        if (!read) return Result<void>(read.error());
        if (read->name.empty()) {
          return Result<void>(error_at(at, "missing metadata.name"));
        }
        object = std::move(*read);
        return Result<void>();
      });
  if (!done) return done.error();
  return std::move(*object);
}

}  // namespace

Result<Node> decode_node_object(JsonParserPool& parsers, const std::string& padded_body,
                                const EpcResources& epc) {
  return decode_object<Node>(
      parsers, padded_body, "node",
      [&](JsonObject& root, const JsonPath& at) { return read_node_fields(root, at, epc); });
}

Result<Pod> decode_pod_object(JsonParserPool& parsers, const std::string& padded_body,
                              const EpcResources& epc) {
  return decode_object<Pod>(parsers, padded_body, "pod", [&](JsonObject& root, const JsonPath& at) {
    return read_pod_fields(root, at, epc);
  });
}

Result<ListPage> decode_list_page(JsonParserPool& parsers, const std::string& padded_body,
                                  ResourceKind kind, const EpcResources& epc) {
  ListPage page;
  bool has_items = false;
  Result<void> done =
      parse_document(parsers, padded_body, "list", [&](JsonObject& root, const JsonPath& at) {
        return read_fields(
            root, at, [&](std::string_view key, JsonValue& field, const JsonPath& field_at) {
              if (keys_equal(key, "metadata")) {
                ListMeta meta;
                Result<void> read = read_list_meta(field, field_at, meta);
                page.resource_version = std::move(meta.resource_version);
                page.continue_token = std::move(meta.continue_token);
                return read;
              }
              if (!keys_equal(key, "items")) return Result<void>();
              has_items = true;
              return read_array(field, field_at,
                                [&](size_t, JsonValue& item, const JsonPath& item_at) {
                                  // A bad item is skipped; the rest of the list still counts.
                                  Result<void> read = read_item(item, item_at, kind, epc, page);
                                  if (!read) page.item_errors.push_back(read.error());
                                  return Result<void>();
                                });
            });
      });
  if (!done) return done.error();
  if (!has_items) return make_error("list: missing items");
  if (page.resource_version.empty()) return make_error("list: missing metadata.resourceVersion");
  return page;
}

Result<ApiStatus> decode_status(JsonParserPool& parsers, const std::string& padded_body) {
  ApiStatus status;
  Result<void> done =
      parse_document(parsers, padded_body, "status", [&](JsonObject& root, const JsonPath& at) {
        Result<ApiStatus> read = read_status_fields(root, at);
        if (!read) return Result<void>(read.error());
        status = std::move(*read);
        return Result<void>();
      });
  if (!done) return done.error();
  return status;
}

}  // namespace epc
