#include "simulator/trace_generator.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <string>

namespace epc {
namespace {

class Draws {
 public:
  explicit Draws(uint64_t seed) : engine_(seed) {}
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double exponential(double mean) { return -mean * std::log1p(-uniform()); }
  int64_t integer(int64_t low, int64_t high) {  // inclusive
    return low + static_cast<int64_t>(engine_() % static_cast<uint64_t>(high - low + 1));
  }
  bool chance(double probability) { return uniform() < probability; }

 private:
  std::mt19937_64 engine_;
};

int64_t round_up(int64_t value, int64_t step) {
  return (value + step - 1) / step * step;
}

int64_t epc_size(const GeneratorProfile& profile, Draws& draws) {
  const double pareto = static_cast<double>(profile.epc_min) /
                        std::pow(1 - draws.uniform(), 1 / profile.pareto_alpha);
  const double capped = std::min(pareto, static_cast<double>(profile.epc_max));
  return std::min(round_up(static_cast<int64_t>(capped), profile.epc_step), profile.epc_max);
}

std::optional<double> lifetime(const GeneratorProfile& profile, Draws& draws) {
  const double kind = draws.uniform();
  if (kind < profile.short_fraction)
    return std::round(draws.exponential(profile.short_mean_seconds));
  if (kind < profile.short_fraction + profile.forever_fraction) return std::nullopt;
  return std::round(draws.exponential(profile.long_mean_seconds));
}

}  // namespace

Result<GeneratorProfile> generator_profile(std::string_view name) {
  GeneratorProfile profile;
  if (name == "dcsv3") return profile;
  if (name == "dcsv2") {
    profile.epc_min = int64_t{4} << 20;
    profile.epc_max = int64_t{64} << 20;
    profile.epc_step = int64_t{4} << 20;
    profile.pareto_alpha = 1.1;
    return profile;
  }
  return make_error("unknown generator profile \"" + std::string(name) +
                    "\": expected dcsv3 or dcsv2");
}

Trace generate_trace(const GeneratorProfile& profile, uint64_t seed) {
  Draws draws(seed);
  Trace trace;
  const double mean_gap =
      profile.horizon_seconds / (static_cast<double>(profile.pods) /
                                 (1 + profile.burst_probability * (profile.burst_max / 2.0)));
  constexpr int64_t kCpuSteps[] = {10, 20, 25, 50};  // × cpu_unit_milli / 10
  double now = 0;
  int64_t group = 0;
  while (static_cast<int64_t>(trace.size()) < profile.pods) {
    const bool sgx = draws.chance(profile.sgx_fraction);
    TracePod pod;
    pod.arrival_seconds = std::round(now);
    pod.namespace_name = sgx ? "enclaves" : "web";
    pod.epc_bytes = sgx ? epc_size(profile, draws) : 0;
    pod.cpu_milli = kCpuSteps[draws.integer(0, 3)] * profile.cpu_unit_milli / 10;
    pod.memory_bytes = round_up(std::max(profile.memory_min, pod.epc_bytes / 2), int64_t{1} << 20);
    const std::optional<double> duration = lifetime(profile, draws);
    const int64_t replicas = draws.chance(profile.burst_probability)
                                 ? draws.integer(2, std::max<int64_t>(2, profile.burst_max))
                                 : 1;
    for (int64_t r = 0; r < replicas && static_cast<int64_t>(trace.size()) < profile.pods; ++r) {
      pod.name = "g" + std::to_string(group) + "-" + std::to_string(r);
      pod.duration_seconds = duration;
      trace.push_back(pod);
    }
    ++group;
    now += draws.exponential(mean_gap);
  }
  return trace;
}

}  // namespace epc
