// TraceGenerator: seeded synthetic traces with the shapes that make EPC placement hard.
//
// - EPC sizes are heavy-tailed: a Pareto draw (many small enclaves, a few huge ones), truncated at
//   `epc_max` and rounded up to `epc_step`;
// - a share of pods needs no EPC at all (`sgx_fraction` do), the mix a real cluster sees;
// - arrivals are a Poisson process, and an arrival is a burst of replicas (the same requests at
//   the same instant, like a Deployment scaled up) with probability `burst_probability`;
// - lifetimes mix short-lived pods (exponential, mean `short_mean_seconds`), long-lived ones
//   (exponential, mean `long_mean_seconds`) and pods that never leave.
// The same profile and seed give the same trace, byte for byte: draws come straight from
// std::mt19937_64 (whose output the standard fixes), not from std:: distributions (whose
// algorithms it leaves to the library).
#pragma once

#include <cstdint>
#include <string_view>

#include "model/result.h"
#include "simulator/trace.h"

namespace epc {

struct GeneratorProfile {
  int64_t pods = 2000;
  double horizon_seconds = 86400;  // arrivals spread over this span
  double sgx_fraction = 0.7;
  int64_t epc_min = int64_t{256} << 20;  // the Pareto scale (smallest size)
  int64_t epc_max = int64_t{32} << 30;
  int64_t epc_step = int64_t{256} << 20;
  double pareto_alpha = 1.2;
  double burst_probability = 0.1;
  int64_t burst_max = 8;  // replicas in a burst: uniform 2..burst_max
  double short_fraction = 0.55;
  double short_mean_seconds = 900;
  double forever_fraction = 0.1;  // the rest is long-lived
  double long_mean_seconds = 12 * 3600;
  // Pods without EPC and EPC pods draw cpu from {1, 2, 2.5, 5} × cpu_unit_milli.
  int64_t cpu_unit_milli = 100;
  int64_t memory_min = int64_t{256} << 20;
};

// "dcsv3": GiB enclaves for DCsv3 pools (the defaults above); "dcsv2": MiB enclaves (4Mi..64Mi)
// for DCsv2 pools of 28..168 MiB.
Result<GeneratorProfile> generator_profile(std::string_view name);

Trace generate_trace(const GeneratorProfile& profile, uint64_t seed);

}  // namespace epc
