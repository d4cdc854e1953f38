// consolidate_command: `epc-extender consolidate` end to end: read the cluster (a file, or the API
// server's lists), read the scoring config, make the plan and print it. It only plans; nothing is
// evicted (serve's live loop acts, when the config enables it).
#pragma once

#include <ostream>

#include "scheduler/consolidate/consolidate_options.h"

namespace epc {

// 0: the plan was printed (an empty plan too); 1: an input could not be read or the plan failed
// its replay (the error on `err`).
int run_consolidate_command(const ConsolidateOptions& options, std::ostream& out,
                            std::ostream& err);

}  // namespace epc
