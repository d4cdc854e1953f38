// simulate_command: `epc-extender simulate` end to end: load the cluster and the trace (or the
// openb workload), load each policy's scoring config, run every policy on the same workload and
// seed, and print the comparison; or, with --generate, write a synthetic trace.
//
// Policies always include kube-default and kube-mostallocated; the epc-extender strategies come
// from --policy name=file (or, without any, the binpack/spread/ratio/bestfit configs in
// simulator/policies/ of the source tree).
#pragma once

#include <ostream>
#include <string>

#include "model/result.h"
#include "simulator/report.h"
#include "simulator/simulate_options.h"

namespace epc {

// The loaded workload run under every policy; errors name the file at fault.
Result<SimulationReport> run_simulations(const SimulateOptions& options);

// The command: 0 done, 1 an input could not be read (the error on `err`).
int run_simulate_command(const SimulateOptions& options, std::ostream& out, std::ostream& err);

// Where the default policies live (the source tree's simulator/policies).
std::string default_policy_directory();

}  // namespace epc
