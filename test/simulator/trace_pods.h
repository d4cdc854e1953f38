// Trace pods written inline in simulator tests: an EPC size in GiB, half a CPU and 1 GiB of memory,
// so that only EPC decides where a pod fits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "simulator/trace.h"

namespace epc::test {

// `duration` absent: the pod runs past the end of the trace.
inline TracePod trace_pod(std::string name, double arrival, int64_t epc_gi,
                          std::optional<double> duration = std::nullopt, int32_t priority = 0) {
  constexpr int64_t kGiB = int64_t{1} << 30;
  TracePod pod;
  pod.name = std::move(name);
  pod.namespace_name = "default";
  pod.arrival_seconds = arrival;
  pod.duration_seconds = duration;
  pod.epc_bytes = epc_gi * kGiB;
  pod.cpu_milli = 500;
  pod.memory_bytes = kGiB;
  pod.priority = priority;
  return pod;
}

}  // namespace epc::test
