// ResourceKind: the two Kubernetes resources the API source lists and watches, and their paths.
#pragma once

#include <string>
#include <string_view>

namespace epc {

enum class ResourceKind { Nodes, Pods };

// "nodes" / "pods", for messages and metrics labels.
inline std::string_view resource_name(ResourceKind kind) {
  return kind == ResourceKind::Nodes ? "nodes" : "pods";
}

// The cluster-wide collection path (pods of all namespaces).
inline std::string resource_path(ResourceKind kind) {
  return kind == ResourceKind::Nodes ? "/api/v1/nodes" : "/api/v1/pods";
}

}  // namespace epc
