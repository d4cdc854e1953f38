// Report: one simulation run's comparison of policies, as a text table, CSV, JSON or an SVG plot.
//
// Every format carries the same figures (simulation.h defines each); the table adds the trace's
// offline bounds and, per policy, the change in time-weighted confidential nodes in use against
// kube-default. The SVG is self-contained (inline styles, no scripts or external references): one
// step line per policy of confidential nodes in use over time, plus the offline volume bound of
// the trace's running EPC pods over time as a dashed reference.
#pragma once

#include <span>
#include <string>

#include "simulator/offline_bounds.h"
#include "simulator/simulation.h"

namespace epc {

struct SimulationReport {
  std::string workload;  // e.g. "trace dcsv3-steady.csv on cluster dcsv3-mixed.yaml"
  size_t nodes = 0;
  size_t confidential_nodes = 0;
  size_t pods = 0;
  size_t epc_pods = 0;
  double horizon_seconds = 0;
  TraceBounds bounds;
  std::vector<SimulationResult> results;
};

std::string render_table(const SimulationReport& report);
std::string render_csv(const SimulationReport& report);
std::string render_json(const SimulationReport& report);
std::string render_svg(const SimulationReport& report);

}  // namespace epc
