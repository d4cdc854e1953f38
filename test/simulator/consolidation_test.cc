// Consolidation in the simulator: it empties fragmented nodes, moves only what may move, and stays
// within every budget of its scoring config.
#include <gtest/gtest.h>

#include "config/scoring_config.h"
#include "simulator/report.h"
#include "simulator/simulate_command.h"
#include "simulator/simulation.h"
#include "test/simulator/trace_pods.h"

namespace epc {
namespace {

constexpr int64_t kGi = int64_t{1} << 30;
const std::string kSource = EPC_SOURCE_DIR;

std::unique_ptr<SchedulingPolicy> binpack(const std::string& consolidation) {
  Result<ScoringConfig> config = parse_config(
      "apiVersion: epc-extender.io/v1alpha1\nkind: ScoringConfig\nstrategy: binpack\n"
      "extender: {weight: 5}\n" +
      consolidation);
  EXPECT_TRUE(config.ok()) << config.error().message;
  return make_extender_policy("binpack", std::move(*config));
}

using test::trace_pod;

// Three 8 GiB nodes filled two 4 GiB pods each; at t=100 one pod per node leaves, and three half
// empty nodes remain until the horizon at t=3600.
struct Fragmented {
  std::vector<NodeSpec> nodes;
  Trace trace;
};

Fragmented fragmented(int32_t priority = 0) {
  Fragmented f;
  for (int i = 0; i < 3; ++i) {
    f.nodes.push_back({"conf-" + std::to_string(i), "conf", 8 * kGi, 4000, 16 * kGi, {}, 0.904});
  }
  for (int i = 0; i < 6; ++i) {
    f.trace.push_back(trace_pod("p" + std::to_string(i), i, 4,
                                i % 2 ? std::optional<double>(100) : std::nullopt, priority));
  }
  TracePod end = trace_pod("end", 3600, 0, std::nullopt);
  end.cpu_milli = 1;
  f.trace.push_back(end);
  return f;
}

const std::string kEveryTenMinutes =
    "consolidation: {enabled: true, interval: 10m, minPodAge: 0s}\n";

TEST(SimulatedConsolidation, EmptiesAFragmentedNodeAndKeepsLessCapacityInUse) {
  const Fragmented f = fragmented();
  auto plain = binpack("");
  auto consolidating = binpack(kEveryTenMinutes);
  const SimulationResult before = simulate(f.nodes, f.trace, *plain, 1);
  const SimulationResult after = simulate(f.nodes, f.trace, *consolidating, 1);
  EXPECT_EQ(before.evictions, 0u);
  EXPECT_EQ(before.consolidation_interval_seconds, 0);
  // At t=600 one node's pod moves onto another half-empty node; the third's pod then fits nowhere.
  EXPECT_EQ(after.evictions, 1u);
  EXPECT_EQ(after.infeasible_plans, 0u);
  EXPECT_EQ(after.drained_nodes, 1u);
  ASSERT_EQ(after.consolidation_log.size(), 1u);
  EXPECT_EQ(after.consolidation_log[0].time, 600);
  EXPECT_EQ(after.evicted_pending, 0u);
  EXPECT_EQ(after.placed, before.placed);
  EXPECT_EQ(after.pending, 0u);
  EXPECT_LT(after.time_weighted_epc_in_use_bytes, before.time_weighted_epc_in_use_bytes);
  EXPECT_LT(after.time_weighted_nodes_in_use, before.time_weighted_nodes_in_use);
  EXPECT_LT(after.time_weighted_cost_per_hour, before.time_weighted_cost_per_hour);
  EXPECT_TRUE(after.priced);
  // After t=100, 12 GiB committed: the bound is two 8 GiB nodes, which consolidation reaches.
  EXPECT_GE(after.time_weighted_epc_in_use_bytes + 1, after.time_weighted_epc_capacity_bound_bytes);
  // Committed 4, 8, 12, 16, 20, 24 GiB from t=0..5, then 20, 16 and 12 GiB from t=101, 103, 105:
  // the smallest sets of 8 GiB nodes holding that are 8, 8, 16, 16, 24, 24, 24, 16, 16 GiB.
  const double bound =
      (8.0 + 8 + 16 + 16 + 24 + 24 * 96 + 24 * 2 + 16 * 2 + 16 * 3495) / 3600 * kGi;
  EXPECT_NEAR(before.time_weighted_epc_capacity_bound_bytes, bound, 1e3);
  EXPECT_NEAR(after.time_weighted_epc_capacity_bound_bytes, bound, 1e3);
  // 1 eviction over the hour of the trace.
  EXPECT_NEAR(after.evictions_per_hour, 1.0, 1e-9);
}

TEST(SimulatedConsolidation, PodsAboveThePriorityLimitNeverMove) {
  const Fragmented f = fragmented(100);
  auto consolidating = binpack(kEveryTenMinutes);
  const SimulationResult result = simulate(f.nodes, f.trace, *consolidating, 1);
  EXPECT_EQ(result.evictions, 0u);
  EXPECT_GT(result.consolidation_runs, 0u);
}

TEST(SimulatedConsolidation, OptedOutPodsNeverMove) {
  Fragmented f = fragmented();
  for (TracePod& p : f.trace) p.annotations = {{"epc-extender.io/evict", "never"}};
  auto consolidating = binpack(kEveryTenMinutes);
  const SimulationResult result = simulate(f.nodes, f.trace, *consolidating, 1);
  EXPECT_EQ(result.evictions, 0u);
  EXPECT_GT(result.consolidation_runs, 0u);
}

TEST(SimulatedConsolidation, YoungPodsStay) {
  const Fragmented f = fragmented();
  // Every pod is younger than two hours throughout the trace.
  auto consolidating = binpack("consolidation: {enabled: true, interval: 10m, minPodAge: 2h}\n");
  EXPECT_EQ(simulate(f.nodes, f.trace, *consolidating, 1).evictions, 0u);
}

TEST(SimulatedConsolidation, QuietHoursEvictNothing) {
  const Fragmented f = fragmented();
  // Simulated time 0 is 00:00 UTC: the whole trace is inside the window.
  auto quiet = binpack(
      "consolidation: {enabled: true, interval: 10m, minPodAge: 0s, quietHours: "
      "[\"23:00-02:00\"]}\n");
  const SimulationResult result = simulate(f.nodes, f.trace, *quiet, 1);
  EXPECT_EQ(result.evictions, 0u);
  EXPECT_EQ(result.consolidation_runs, 0u);
}

// The bundled dcsv3 trace with tight budgets: every plan, every trailing hour and the quiet window
// hold, and the run's invariants stay.
TEST(SimulatedConsolidation, BudgetsHoldOnTheBundledTrace) {
  Result<std::vector<NodeSpec>> nodes = [&]() -> Result<std::vector<NodeSpec>> {
    Result<ClusterSpec> spec = load_cluster_spec(kSource + "/simulator/clusters/dcsv3-mixed.yaml");
    if (!spec) return spec.error();
    return expand_nodes(*spec);
  }();
  ASSERT_TRUE(nodes.ok()) << nodes.error().message;
  Result<Trace> trace = load_trace(kSource + "/simulator/traces/dcsv3-2000.csv");
  ASSERT_TRUE(trace.ok()) << trace.error().message;
  auto policy = binpack(
      "consolidation: {enabled: true, interval: 5m, maxEvictionsPerRun: 3, maxEvictionsPerHour: 5,"
      " maxDrainingNodes: 2, minPodAge: 0s, quietHours: [\"02:00-04:00\"]}\n");
  const SimulationResult result = simulate(*nodes, *trace, *policy, 1);
  ASSERT_GT(result.evictions, 0u);
  // Every plan replayed through the model (EPC, headroom, cpu and memory) before it was acted on.
  EXPECT_EQ(result.infeasible_plans, 0u);
  EXPECT_EQ(result.placed + result.pending, result.arrivals);
  size_t logged = 0;
  for (const ConsolidationRecord& record : result.consolidation_log) {
    SCOPED_TRACE(record.time);
    logged += record.evictions;
    EXPECT_LE(record.evictions, 3u);
    EXPECT_LE(record.drained_nodes, 2u);
    const double day_seconds = std::fmod(record.time, 86400);
    EXPECT_FALSE(day_seconds >= 7200 && day_seconds < 14400);
    size_t in_hour = 0;
    for (const ConsolidationRecord& other : result.consolidation_log) {
      if (other.time > record.time - 3600 && other.time <= record.time) in_hour += other.evictions;
    }
    EXPECT_LE(in_hour, 5u);
  }
  EXPECT_EQ(logged, result.evictions);
  EXPECT_GE(result.time_weighted_epc_in_use_bytes + 1,
            result.time_weighted_epc_capacity_bound_bytes);
}

TEST(SimulatedConsolidation, EveryReportFormatCarriesTheNewColumns) {
  const Fragmented f = fragmented();
  auto consolidating = binpack(kEveryTenMinutes);
  SimulationReport report;
  report.workload = "fragmented";
  report.results.push_back(simulate(f.nodes, f.trace, *consolidating, 1));
  const std::string table = render_table(report);
  const std::string csv = render_csv(report);
  for (const std::string column :
       {"tw_epc_gib", "tw_epc_bound_gib", "tw_cost_h", "evictions", "evict_per_h"}) {
    EXPECT_NE(table.find(column), std::string::npos) << column;
    EXPECT_NE(csv.find(column), std::string::npos) << column;
  }
  const std::string json = render_json(report);
  for (const std::string key :
       {"\"timeWeightedEpcInUseBytes\":", "\"timeWeightedEpcCapacityBoundBytes\":",
        "\"timeWeightedCostPerHour\":", "\"evictions\":1,", "\"evictionsPerHour\":1,",
        "\"consolidationIntervalSeconds\":600"}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << "\n" << json;
  }
}

}  // namespace
}  // namespace epc
