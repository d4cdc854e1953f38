// Prints a ScoringConfig as the YAML file that would produce it, every key written out with its
// effective value: what `epc-extender config print` shows, so an operator sees the defaults a
// short file leaves implicit. The output parses back to the same config.
#pragma once

#include <string>

#include "config/scoring_config.h"

namespace epc {

std::string format_config(const ScoringConfig& config);

}  // namespace epc
