// Scoring config: the versioned YAML (or JSON) file that sets the placement policy, the EPC
// resource names and the extender settings the chart renders, read into a validated ScoringConfig.
//
// Every key is optional except the apiVersion/kind header, and a missing key keeps its default, so
// config/default.yaml and a header-only file mean the same. Unknown keys are errors. Validation
// collects every problem, each naming its key path and the offending value
// (`strategy.ratio.shape[2].utilization: must increase, got 40 after 60`), so one edit fixes a
// file. docs/scoring-config.md documents every key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/consolidation/consolidation_settings.h"
#include "model/epc_resources.h"
#include "model/placement_policy.h"
#include "model/result.h"

namespace epc {

inline constexpr std::string_view kScoringConfigApiVersion = "epc-extender.io/v1alpha1";
inline constexpr std::string_view kScoringConfigKind = "ScoringConfig";

// What kube-scheduler's extenders entry should say; the chart renders it, the extender only
// validates and prints it.
struct ExtenderSettings {
  // kube-scheduler adds score (0..10) × weight × 10 to the in-tree plugins' scores (each 0..100 ×
  // its own weight); must be > 0 while prioritize is a verb.
  int64_t weight = 1;
  std::vector<std::string> verbs{"filter", "prioritize", "preempt", "bind"};
};

struct ScoringConfig {
  PlacementPolicy policy;
  EpcResources resources = EpcResources::defaults();
  ExtenderSettings extender;
  // When and how much the extender may evict to empty confidential nodes (off by default).
  ConsolidationSettings consolidation;
};

// Errors are joined with "\n", one per problem.
Result<ScoringConfig> parse_config(std::string_view text);
// As parse_config, for the text of the file at `path`: every error line is prefixed with the path.
// Startup (load_config, which `config check` uses) and live reload both read files through it.
Result<ScoringConfig> parse_config_file(const std::string& path, std::string_view text);
// As parse_config_file; an unreadable file is an error naming the path and the errno text.
Result<ScoringConfig> load_config(const std::string& path);

// The policy part alone (kept for callers that need nothing else).
Result<PlacementPolicy> parse_scoring_config(std::string_view text);
Result<PlacementPolicy> load_scoring_config(const std::string& path);

// Reads a whole file; errors name the path and the errno text.
Result<std::string> read_config_file(const std::string& path);

// Whether two resource lists are the same names with the same units, in the same order.
bool same_resources(const EpcResources& a, const EpcResources& b);

}  // namespace epc
