// The synthetic trace generator: deterministic per seed, and the shapes it promises.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "simulator/trace_generator.h"

namespace epc {
namespace {

TEST(TraceGenerator, SameSeedSameTraceOtherSeedOtherTrace) {
  const GeneratorProfile profile = *generator_profile("dcsv3");
  const std::string first = write_trace_csv(generate_trace(profile, 7));
  EXPECT_EQ(first, write_trace_csv(generate_trace(profile, 7)));
  EXPECT_NE(first, write_trace_csv(generate_trace(profile, 8)));
}

TEST(TraceGenerator, HeavyTailedMixedBurstyAndMixedLifetimes) {
  GeneratorProfile profile = *generator_profile("dcsv3");
  const Trace trace = generate_trace(profile, 1);
  ASSERT_EQ(static_cast<int64_t>(trace.size()), profile.pods);
  size_t epc = 0, forever = 0, short_lived = 0, long_lived = 0, at_max = 0;
  std::map<double, size_t> per_instant;
  std::vector<int64_t> sizes;
  for (const TracePod& pod : trace) {
    ++per_instant[pod.arrival_seconds];
    if (!pod.duration_seconds) {
      ++forever;
    } else if (*pod.duration_seconds < 3600) {
      ++short_lived;
    } else {
      ++long_lived;
    }
    if (!pod.needs_epc()) continue;
    ++epc;
    sizes.push_back(pod.epc_bytes);
    EXPECT_GE(pod.epc_bytes, profile.epc_min);
    EXPECT_LE(pod.epc_bytes, profile.epc_max);
    EXPECT_EQ(pod.epc_bytes % profile.epc_step, 0);
    at_max += pod.epc_bytes == profile.epc_max;
  }
  // About 70% need EPC.
  EXPECT_GT(epc, trace.size() * 6 / 10);
  EXPECT_LT(epc, trace.size() * 8 / 10);
  // Heavy tail: the median is small, the largest sizes are many times larger.
  std::sort(sizes.begin(), sizes.end());
  EXPECT_LE(sizes[sizes.size() / 2], 4 * profile.epc_min);
  EXPECT_GE(sizes.back(), 32 * profile.epc_min);
  EXPECT_GT(at_max, 0u);
  // Bursts: several pods at one instant.
  const size_t bursts = std::count_if(per_instant.begin(), per_instant.end(),
                                      [](const auto& entry) { return entry.second >= 2; });
  EXPECT_GT(bursts, 20u);
  EXPECT_GT(forever, 0u);
  EXPECT_GT(short_lived, long_lived);
  EXPECT_GT(long_lived, forever);
  EXPECT_TRUE(std::is_sorted(trace.begin(), trace.end(), [](const TracePod& a, const TracePod& b) {
    return a.arrival_seconds < b.arrival_seconds;
  }));
}

TEST(TraceGenerator, ProfilesByName) {
  EXPECT_EQ(generator_profile("dcsv2")->epc_max, int64_t{64} << 20);
  EXPECT_EQ(generator_profile("x").error().message,
            "unknown generator profile \"x\": expected dcsv3 or dcsv2");
}

}  // namespace
}  // namespace epc
