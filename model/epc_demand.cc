#include "model/epc_demand.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <span>

#include "model/int128.h"

namespace epc {
namespace {

std::string describe(std::string_view kind, const ContainerResources& container, size_t index) {
  if (container.name.empty()) return std::string(kind) + " #" + std::to_string(index);
  return std::string(kind) + " \"" + container.name + "\"";
}

// The EPC names counted: every one of EpcResources, or one alone.
using EpcNames = std::span<const EpcResource>;

// The EPC bytes of one resource list pair, summed over `names`. Per name the request counts when
// present, else the limit (API defaulting copies limits into missing requests of extended
// resources).
Result<Int128> list_bytes(const ResourceList& requests, const ResourceList& limits,
                          const EpcResources& resources, EpcNames names) {
  Int128 total = 0;
  for (const EpcResource& resource : names) {
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
                               size_t index, const EpcResources& resources, EpcNames names) {
  auto bytes = list_bytes(container.requests, container.limits, resources, names);
  if (!bytes) return make_error(describe(kind, container, index) + ": " + bytes.error().message);
  return *bytes;
}

bool mentions(const Pod& pod, std::string_view name) {
  const auto in = [&](const ResourceList& list) { return find_quantity(list, name) != nullptr; };
  const auto in_container = [&](const ContainerResources& c) {
    return in(c.requests) || in(c.limits);
  };
  return std::any_of(pod.containers.begin(), pod.containers.end(), in_container) ||
         std::any_of(pod.init_containers.begin(), pod.init_containers.end(),
                     [&](const InitContainer& init) { return in_container(init.resources); }) ||
         in(pod.overhead);
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
Result<Int128> pod_bytes(const Pod& pod, const EpcResources& resources, EpcNames names) {
  Int128 requests = 0;
  for (size_t i = 0; i < pod.containers.size(); ++i) {
    auto bytes = container_bytes("container", pod.containers[i], i, resources, names);
    if (!bytes) return bytes.error();
    requests += *bytes;
  }
  Int128 restartable_sum = 0;
  Int128 init_max = 0;
  for (size_t i = 0; i < pod.init_containers.size(); ++i) {
    const InitContainer& init = pod.init_containers[i];
    auto bytes = container_bytes("init container", init.resources, i, resources, names);
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
  auto overhead = list_bytes(pod.overhead, {}, resources, names);
  if (!overhead) return make_error("overhead: " + overhead.error().message);
  return std::max(requests, init_max) + *overhead;
}

// Each name's own effective request, for a pod that mentions more than one EPC name; names it
// asks nothing under are left out. Each is at most the total over every name (the rule is
// monotone), so it fits in int64 once the total does, and reads quantities the total already
// read, so it cannot fail.
std::vector<EpcAmount> bytes_by_resource(const Pod& pod, const EpcResources& resources) {
  std::vector<EpcAmount> amounts;
  for (const EpcResource& resource : resources.all()) {
    if (!mentions(pod, resource.name)) continue;
    const Result<Int128> bytes = pod_bytes(pod, resources, EpcNames(&resource, 1));
    if (bytes && *bytes > 0) amounts.push_back({resource.name, static_cast<int64_t>(*bytes)});
  }
  return amounts;
}

}  // namespace

Result<EpcDemand> epc_demand(const Pod& pod, const EpcResources& resources) {
  auto bytes = pod_bytes(pod, resources, resources.all());
  if (!bytes) return bytes.error();
  if (*bytes > std::numeric_limits<int64_t>::max()) {
    return make_error("pod " + pod.key() + ": total EPC demand exceeds " +
                      std::to_string(std::numeric_limits<int64_t>::max()) + " bytes");
  }
  EpcDemand demand{.bytes = static_cast<int64_t>(*bytes),
                   .resource = first_epc_name(pod, resources),
                   .by_resource = {},
                   .tolerates = pod_tolerations(pod.tolerations)};
  const auto mentioned = [&](const EpcResource& resource) { return mentions(pod, resource.name); };
  if (!demand.needs_epc() ||
      std::count_if(resources.all().begin(), resources.all().end(), mentioned) < 2) {
    return demand;
  }
  demand.by_resource = bytes_by_resource(pod, resources);
  const auto asked = [&](const EpcAmount& amount) { return amount.resource == demand.resource; };
  if (std::none_of(demand.by_resource.begin(), demand.by_resource.end(), asked)) {
    demand.resource = demand.by_resource.front().resource;  // the first name mentioned asks for 0
  }
  if (demand.by_resource.size() == 1) demand.by_resource.clear();
  return demand;
}

}  // namespace epc
