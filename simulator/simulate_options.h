// SimulateOptions: what `epc-extender simulate` was asked to do, as plain values.
//
// The command line (scheduler/cli) fills it and the simulator (simulator/simulate_command) acts on
// it; it lives here, header-only and dependency-free, so the CLI can parse into it without linking
// the simulator and the simulator needs nothing from the CLI.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace epc {

enum class ReportFormat { kTable, kCsv, kJson };

// `--policy name=path.yaml`: an epc-extender strategy given by a scoring config file.
struct NamedPolicyFile {
  std::string name;
  std::string path;
};

struct SimulateOptions {
  std::optional<std::string> cluster_file;  // --cluster: YAML pools or a kubectl List of nodes
  std::optional<std::string> trace_file;    // --trace: CSV, or JSON Lines (*.jsonl)
  std::optional<std::string> openb_dir;     // --openb: cluster and trace from the openb CSVs
  int64_t openb_epc_per_device = int64_t{8} << 30;  // --openb-epc-per-device (bytes)
  std::vector<NamedPolicyFile> policies;            // none: simulator/policies/*.yaml
  uint64_t seed = 1;
  // kube-scheduler's percentageOfNodesToScore: 0 is its adaptive default (clusters of 100+ nodes).
  int percentage_of_nodes_to_score = 0;
  ReportFormat format = ReportFormat::kTable;
  std::optional<std::string> svg_file;  // --svg
  // --generate FILE: write a synthetic trace instead of simulating.
  std::optional<std::string> generate_file;
  std::string generate_profile = "dcsv3";  // --profile dcsv3|dcsv2
  int64_t generate_pods = 2000;            // --pods
};

}  // namespace epc
