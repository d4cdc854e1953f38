// Decoding what the Kubernetes API sends for list/watch: one watch event line, one page of a List,
// and the metav1.Status of a failed request or an ERROR event.
//
// Built on the extender's simdjson readers (read_pod_fields / read_node_fields), so a pod means
// exactly the same here as in a kube-scheduler request. Besides what those readers keep, the
// decoder reads `metadata.resourceVersion`, which the reflector needs to resume a watch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/epc_resources.h"
#include "model/node.h"
#include "model/pod.h"
#include "model/result.h"
#include "scheduler/kube/resource_kind.h"
#include "scheduler/wire/json_reader.h"

namespace epc {

// metav1.Status: what the server says about a failed request.
struct ApiStatus {
  int32_t code = 0;
  std::string reason;  // "Expired", "Conflict", ...
  std::string message;
};

enum class WatchEventType { Added, Modified, Deleted, Bookmark, Error };

struct WatchEvent {
  WatchEventType type = WatchEventType::Added;
  std::optional<Pod> pod;        // ADDED/MODIFIED/DELETED of a pods watch
  std::optional<Node> node;      // ADDED/MODIFIED/DELETED of a nodes watch
  std::string resource_version;  // the object's metadata.resourceVersion; empty for ERROR
  ApiStatus status;              // ERROR only
};

// One page of a NodeList / PodList. Items that cannot be read are left out and reported in
// `item_errors`, so that one malformed object does not stop the whole list from applying.
struct ListPage {
  std::vector<Node> nodes;
  std::vector<Pod> pods;
  std::string resource_version;
  std::string continue_token;  // empty on the last page
  std::vector<Error> item_errors;
};

// `padded_line` must have SIMDJSON_PADDING spare capacity (pad_body). Errors name the JSON path,
// e.g. `object.spec.priority: expected an int32, got string "high"`.
Result<WatchEvent> decode_watch_event(JsonParserPool& parsers, const std::string& padded_line,
                                      ResourceKind kind, const EpcResources& epc);

Result<ListPage> decode_list_page(JsonParserPool& parsers, const std::string& padded_body,
                                  ResourceKind kind, const EpcResources& epc);

// One object as a GET returns it (GET /api/v1/nodes/{name}, .../pods/{name}): the node or the
// pod, read as a list item is.
Result<Node> decode_node_object(JsonParserPool& parsers, const std::string& padded_body,
                                const EpcResources& epc);
Result<Pod> decode_pod_object(JsonParserPool& parsers, const std::string& padded_body,
                              const EpcResources& epc);
Result<ApiStatus> decode_status(JsonParserPool& parsers, const std::string& padded_body);

}  // namespace epc
