#include "model/epc_demand.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "model/int128.h"

namespace epc {
namespace {

std::string describe(std::string_view kind, const ContainerResources& container, size_t index) {
  if (container.name.empty()) return std::string(kind) + " #" + std::to_string(index);
  return std::string(kind) + " \"" + container.name + "\"";
}

// The EPC bytes of one resource list pair, summed over every EPC name. Per name the request
// counts when present, else the limit (API defaulting copies limits into missing requests of
// extended resources).
Result<Int128> list_bytes(const ResourceList& requests, const ResourceList& limits,
                          const EpcResources& resources) {
  Int128 total = 0;
  for (const EpcResource& resource : resources.all()) {
    const std::string* quantity = find_quantity(requests, resource.name);
    if (quantity == nullptr) quantity = find_quantity(limits, resource.name);
    if (quantity == nullptr) continue;
    auto bytes = resources.to_bytes(resource, *quantity);
    if (!bytes) return bytes.error();
    total += *bytes;
  }
  return total;
}

Result<Int128> container_bytes(std::string_view kind, const ContainerResources& container,
                               size_t index, const EpcResources& resources) {
  auto bytes = list_bytes(container.requests, container.limits, resources);
  if (!bytes) return make_error(describe(kind, container, index) + ": " + bytes.error().message);
  return *bytes;
}

// The first EPC name the pod mentions, in the order kube-scheduler's IsInterested looks.
std::string first_epc_name(const Pod& pod, const EpcResources& resources) {
  const auto in_list = [&](const ResourceList& list) -> std::optional<std::string> {
    for (const auto& entry : list) {
      if (resources.is_epc(entry.first)) return entry.first;
    }
    return std::nullopt;
  };
  const auto in_container = [&](const ContainerResources& c) -> std::optional<std::string> {
    if (auto name = in_list(c.requests)) return name;
    return in_list(c.limits);
  };
  for (const ContainerResources& container : pod.containers) {
    if (auto name = in_container(container)) return *name;
  }
  for (const InitContainer& init : pod.init_containers) {
    if (auto name = in_container(init.resources)) return *name;
  }
  return in_list(pod.overhead).value_or("");
}

// Sums and maxima stay in 128 bits: every term is at most INT64_MAX and the counts of
// containers are small, so nothing here can overflow before the final range check.
Result<Int128> pod_bytes(const Pod& pod, const EpcResources& resources) {
  Int128 requests = 0;
  for (size_t i = 0; i < pod.containers.size(); ++i) {
    auto bytes = container_bytes("container", pod.containers[i], i, resources);
    if (!bytes) return bytes.error();
    requests += *bytes;
  }
  Int128 restartable_sum = 0;
  Int128 init_max = 0;
  for (size_t i = 0; i < pod.init_containers.size(); ++i) {
    const InitContainer& init = pod.init_containers[i];
    auto bytes = container_bytes("init container", init.resources, i, resources);
    if (!bytes) return bytes.error();
    Int128 candidate = 0;
    if (init.restartable) {
      // A sidecar keeps running beside the app containers and every later init container.
      requests += *bytes;
      restartable_sum += *bytes;
      candidate = restartable_sum;
    } else {
      candidate = *bytes + restartable_sum;
    }
    init_max = std::max(init_max, candidate);
  }
  auto overhead = list_bytes(pod.overhead, {}, resources);
  if (!overhead) return make_error("overhead: " + overhead.error().message);
  return std::max(requests, init_max) + *overhead;
}

}  // namespace

Result<EpcDemand> epc_demand(const Pod& pod, const EpcResources& resources) {
  auto bytes = pod_bytes(pod, resources);
  if (!bytes) return bytes.error();
  if (*bytes > std::numeric_limits<int64_t>::max()) {
    return make_error("pod " + pod.key() + ": total EPC demand exceeds " +
                      std::to_string(std::numeric_limits<int64_t>::max()) + " bytes");
  }
  return EpcDemand{static_cast<int64_t>(*bytes), first_epc_name(pod, resources),
                   pod_tolerations(pod.tolerations)};
}

}  // namespace epc
