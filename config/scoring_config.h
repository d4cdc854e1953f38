// Scoring config: the YAML (or JSON) file that sets the placement policy, read into a validated
// PlacementPolicy.
//
// Every key is optional except the apiVersion/kind header, and a missing key keeps the default of
// PlacementPolicy, so config/default.yaml and an empty-bodied file mean the same. Validation
// collects every problem, each naming its key path and the offending value, so one edit fixes a
// file. A later issue grows this into the full scoring config with live reload.
#pragma once

#include <string>
#include <string_view>

#include "model/placement_policy.h"
#include "model/result.h"

namespace epc {

inline constexpr std::string_view kScoringConfigApiVersion = "epc-extender.io/v1alpha1";
inline constexpr std::string_view kScoringConfigKind = "ScoringConfig";

// Errors are joined with "\n", one per problem.
Result<PlacementPolicy> parse_scoring_config(std::string_view text);

// As parse_scoring_config; an unreadable file is an error naming the path and the errno text, and
// every other error is prefixed with the path.
Result<PlacementPolicy> load_scoring_config(const std::string& path);

}  // namespace epc
