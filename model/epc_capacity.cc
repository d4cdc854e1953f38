#include "model/epc_capacity.h"

namespace epc {
Result<EpcCapacity> epc_capacity(const Node& node, const EpcResources& resources) {
  for (const EpcResource& resource : resources.all()) {
    std::string_view field = "status.allocatable";
    const std::string* quantity = find_quantity(node.allocatable, resource.name);
    if (quantity == nullptr) {
      field = "status.capacity";
      quantity = find_quantity(node.capacity, resource.name);
    }
    if (quantity == nullptr) continue;
    auto bytes = resources.to_bytes(resource, *quantity);
    if (!bytes) {
      return make_error("node \"" + node.name + "\": " + std::string(field) + " " +
                        bytes.error().message);
    }
    if (*bytes == 0) return EpcCapacity{};
    return EpcCapacity{*bytes, resource.name};
  }
  return EpcCapacity{};
}

}  // namespace epc
