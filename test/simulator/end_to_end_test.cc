// The bundled traces end to end, under every default policy: the report's invariants.
#include <gtest/gtest.h>

#include "simulator/simulate_command.h"

namespace epc {
namespace {

const std::string kSource = EPC_SOURCE_DIR;

void expect_invariants(const SimulationReport& report) {
  ASSERT_EQ(report.results.size(), 6u);  // kube-default, kube-mostallocated, 4 strategies
  EXPECT_EQ(report.results[0].policy, "kube-default");
  EXPECT_GE(report.bounds.ffd.nodes_used + report.bounds.ffd.unplaced,
            report.bounds.volume_bound > 0 ? 1u : 0u);
  EXPECT_GE(report.bounds.ffd.nodes_used,
            std::min(report.bounds.volume_bound, report.confidential_nodes));
  for (const SimulationResult& r : report.results) {
    SCOPED_TRACE(r.policy);
    EXPECT_EQ(r.arrivals, report.pods);
    EXPECT_EQ(r.placed + r.pending, r.arrivals);
    EXPECT_LE(r.pending_epc, r.pending);
    EXPECT_LE(r.pending_ffd_could_place, r.pending_epc);
    EXPECT_GE(r.decisions, r.arrivals);
    EXPECT_LE(r.peak_nodes_in_use, report.confidential_nodes);
    // No online policy beats the offline bound of its own demand.
    EXPECT_GE(r.peak_nodes_in_use, r.volume_bound_at_peak);
    EXPECT_GE(r.time_weighted_nodes_in_use + 1e-9, r.time_weighted_volume_bound);
    EXPECT_LE(r.time_weighted_nodes_in_use, static_cast<double>(r.peak_nodes_in_use) + 1e-9);
    // When every pod ran when the trace says, its demand is the trace's.
    if (r.waited == 0 && r.pending == 0) {
      EXPECT_GE(r.peak_nodes_in_use, report.bounds.volume_bound);
      EXPECT_NEAR(r.time_weighted_volume_bound, report.bounds.time_weighted_volume_bound, 1e-6);
    }
    EXPECT_GT(r.epc_utilisation_of_used, 0);
    EXPECT_LE(r.epc_utilisation_of_used, 1);
  }
  const std::string table = render_table(report);
  const std::string svg = render_svg(report);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(svg.find("href"), std::string::npos);  // self-contained
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  for (const SimulationResult& r : report.results) {
    EXPECT_NE(table.find(r.policy), std::string::npos);
    EXPECT_NE(svg.find(">" + r.policy + "<"), std::string::npos);
  }
  EXPECT_EQ(std::count(svg.begin(), svg.end(), '\n') > 0, true);
  const std::string csv = render_csv(report);
  EXPECT_EQ(static_cast<size_t>(std::count(csv.begin(), csv.end(), '\n')),
            report.results.size() + 1);
  const std::string json = render_json(report);
  EXPECT_NE(json.find("\"policy\":\"binpack\""), std::string::npos);
}

SimulationReport run(const std::string& cluster, const std::string& trace) {
  SimulateOptions options;
  options.cluster_file = kSource + "/simulator/clusters/" + cluster;
  options.trace_file = kSource + "/simulator/traces/" + trace;
  Result<SimulationReport> report = run_simulations(options);
  EXPECT_TRUE(report.ok()) << report.error().message;
  return report.ok() ? std::move(*report) : SimulationReport{};
}

TEST(EndToEnd, BundledDcsv3Trace) {
  const SimulationReport report = run("dcsv3-mixed.yaml", "dcsv3-2000.csv");
  expect_invariants(report);
  // Packing keeps fewer confidential nodes in use than kube-scheduler's spreading.
  EXPECT_LT(report.results[2].time_weighted_nodes_in_use,
            report.results[0].time_weighted_nodes_in_use);
}

TEST(EndToEnd, BundledDcsv2Trace) {
  const SimulationReport report = run("dcsv2.yaml", "dcsv2-900.csv");
  expect_invariants(report);
  EXPECT_LT(report.results[2].time_weighted_nodes_in_use,
            report.results[0].time_weighted_nodes_in_use);
}

TEST(EndToEnd, SameSeedSameReport) {
  const SimulationReport first = run("dcsv2.yaml", "dcsv2-900.csv");
  const SimulationReport again = run("dcsv2.yaml", "dcsv2-900.csv");
  ASSERT_EQ(first.results.size(), again.results.size());
  for (size_t i = 0; i < first.results.size(); ++i) {
    EXPECT_EQ(first.results[i].nodes_in_use_timeline, again.results[i].nodes_in_use_timeline);
  }
}

TEST(EndToEnd, MissingInputsAreNamed) {
  SimulateOptions options;
  options.trace_file = kSource + "/simulator/traces/dcsv2-900.csv";
  options.cluster_file = std::string("/nonexistent/c.yaml");
  EXPECT_EQ(run_simulations(options).error().message, "/nonexistent/c.yaml: cannot open");
  options.cluster_file = kSource + "/simulator/clusters/dcsv2.yaml";
  options.policies = {{"mine", "/nonexistent/p.yaml"}};
  EXPECT_EQ(run_simulations(options).error().message.rfind("--policy mine: ", 0), 0u);
}

}  // namespace
}  // namespace epc
