#include "model/epc_resources.h"

#include <limits>
#include <utility>

#include "model/quantity.h"

namespace epc {

namespace {
constexpr int64_t kMiB = int64_t{1} << 20;
}  // namespace

EpcResources EpcResources::defaults() {
  return EpcResources({
      {"sgx.intel.com/epc", 1},
      {"kubernetes.azure.com/sgx_epc_mem_in_MiB", kMiB},
      {"alibabacloud.com/sgx_epc_MiB", kMiB},
  });
}

EpcResources::EpcResources(std::vector<EpcResource> resources) : resources_(std::move(resources)) {
  for (const EpcResource& resource : resources_) {
    if (!names_text_.empty()) names_text_ += ", ";
    names_text_ += resource.name;
  }
}

const EpcResource* EpcResources::find(std::string_view name) const {
  for (const EpcResource& resource : resources_) {
    if (resource.name == name) return &resource;
  }
  return nullptr;
}

Result<int64_t> EpcResources::to_bytes(const EpcResource& resource,
                                       std::string_view quantity) const {
  const auto fail = [&](const std::string& message) {
    return make_error(resource.name + ": " + message);
  };
  auto units = parse_quantity(quantity);
  if (!units) return fail(units.error().message);
  const std::string echo = "invalid quantity \"" + std::string(quantity) + "\": ";
  if (*units < 0) return fail(echo + "negative");
  int64_t bytes = 0;
  if (__builtin_mul_overflow(*units, resource.bytes_per_unit, &bytes)) {
    return fail(echo + "out of range in bytes (" + std::to_string(*units) + " x " +
                std::to_string(resource.bytes_per_unit) + " bytes per unit)");
  }
  return bytes;
}

}  // namespace epc
