#include "model/epc_capacity.h"

namespace epc {

Result<EpcCapacity> epc_capacity(const Node& node, const EpcResources& resources) {
  EpcCapacity epc;
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
    if (*bytes == 0) continue;
    if (epc.confidential()) {
      epc.others.push_back({resource.name, *bytes});
    } else {
      epc.bytes = *bytes;
      epc.resource = resource.name;
    }
  }
  return epc;
}

int64_t EpcCapacity::other_bytes_of(std::string_view name) const {
  for (const EpcAmount& other : others) {
    if (other.resource == name) return other.bytes;
  }
  return 0;
}

std::string EpcCapacity::names_text() const {
  std::string text = resource;
  for (const EpcAmount& other : others) text += ", " + other.resource;
  return text;
}

}  // namespace epc
