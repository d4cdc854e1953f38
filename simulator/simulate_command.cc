#include "simulator/simulate_command.h"

#include <filesystem>
#include <fstream>

#include "config/scoring_config.h"
#include "simulator/node_list.h"
#include "simulator/openb_trace.h"
#include "simulator/trace_generator.h"

#ifndef EPC_SIMULATOR_POLICY_DIR
#define EPC_SIMULATOR_POLICY_DIR "simulator/policies"
#endif

namespace epc {
namespace {

struct Workload {
  std::string name;
  std::vector<NodeSpec> nodes;
  Trace trace;
};

std::string base_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

Result<Workload> load_workload(const SimulateOptions& options) {
  if (options.openb_dir) {
    Result<OpenbWorkload> openb =
        load_openb(*options.openb_dir, OpenbMapping{options.openb_epc_per_device});
    if (!openb) return openb.error();
    return Workload{
        "openb (" + std::to_string(options.openb_epc_per_device >> 20) + "Mi EPC per device)",
        std::move(openb->nodes), std::move(openb->trace)};
  }
  if (!options.cluster_file || !options.trace_file) {
    return make_error("simulate needs --cluster and --trace, or --openb");
  }
  Result<std::vector<NodeSpec>> nodes = load_cluster_nodes(*options.cluster_file);
  if (!nodes) return nodes.error();
  Result<Trace> trace = load_trace(*options.trace_file);
  if (!trace) return trace.error();
  return Workload{base_name(*options.trace_file) + " on " + base_name(*options.cluster_file),
                  std::move(*nodes), std::move(*trace)};
}

Result<std::vector<NamedPolicyFile>> policy_files(const SimulateOptions& options) {
  if (!options.policies.empty()) return options.policies;
  std::vector<NamedPolicyFile> files;
  for (const char* name : {"binpack", "bestfit", "ratio", "spread"}) {
    const std::string path = default_policy_directory() + "/" + name + ".yaml";
    if (!std::filesystem::exists(path)) {
      return make_error("default policy " + path +
                        " not found; name policies with --policy NAME=FILE");
    }
    files.push_back({name, path});
  }
  return files;
}

Result<std::vector<std::unique_ptr<SchedulingPolicy>>> load_policies(
    const SimulateOptions& options) {
  Result<std::vector<NamedPolicyFile>> files = policy_files(options);
  if (!files) return files.error();
  std::vector<std::unique_ptr<SchedulingPolicy>> policies;
  policies.push_back(make_kube_default_policy());
  policies.push_back(make_kube_most_allocated_policy());
  for (const NamedPolicyFile& file : *files) {
    Result<ScoringConfig> config = load_config(file.path);
    if (!config) return make_error("--policy " + file.name + ": " + config.error().message);
    policies.push_back(make_extender_policy(file.name, std::move(*config)));
  }
  return policies;
}

int generate(const SimulateOptions& options, std::ostream& err) {
  Result<GeneratorProfile> profile = generator_profile(options.generate_profile);
  if (!profile) {
    err << "epc-extender simulate: " << profile.error().message << "\n";
    return 1;
  }
  profile->pods = options.generate_pods;
  std::ofstream out(*options.generate_file);
  out << write_trace_csv(generate_trace(*profile, options.seed));
  if (!out) {
    err << "epc-extender simulate: cannot write " << *options.generate_file << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

std::string default_policy_directory() {
  return EPC_SIMULATOR_POLICY_DIR;
}

Result<SimulationReport> run_simulations(const SimulateOptions& options) {
  Result<Workload> workload = load_workload(options);
  if (!workload) return workload.error();
  Result<std::vector<std::unique_ptr<SchedulingPolicy>>> policies = load_policies(options);
  if (!policies) return policies.error();
  SimulationReport report;
  report.workload = workload->name;
  report.nodes = workload->nodes.size();
  for (const NodeSpec& node : workload->nodes) report.confidential_nodes += node.epc_bytes > 0;
  report.pods = workload->trace.size();
  for (const TracePod& pod : workload->trace) report.epc_pods += pod.needs_epc();
  report.horizon_seconds = simulation_horizon(workload->trace);
  report.bounds = trace_bounds(workload->trace, workload->nodes);
  for (const auto& policy : *policies) {
    policy->set_percentage_of_nodes_to_score(options.percentage_of_nodes_to_score);
    report.results.push_back(simulate(workload->nodes, workload->trace, *policy, options.seed));
  }
  return report;
}

int run_simulate_command(const SimulateOptions& options, std::ostream& out, std::ostream& err) {
  if (options.generate_file) return generate(options, err);
  Result<SimulationReport> report = run_simulations(options);
  if (!report) {
    err << "epc-extender simulate: " << report.error().message << "\n";
    return 1;
  }
  switch (options.format) {
    case ReportFormat::kTable:
      out << render_table(*report);
      break;
    case ReportFormat::kCsv:
      out << render_csv(*report);
      break;
    case ReportFormat::kJson:
      out << render_json(*report);
      break;
  }
  if (options.svg_file) {
    std::ofstream svg(*options.svg_file);
    svg << render_svg(*report);
    if (!svg) {
      err << "epc-extender simulate: cannot write " << *options.svg_file << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace epc
