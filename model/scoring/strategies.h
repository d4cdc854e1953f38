// Scoring strategies as values, and the one table that lists them.
//
// A strategy is one ScoringStrategy constant, defined in its own file (binpack.cc, spread.cc,
// ratio.cc, bestfit.cc), and kStrategies in strategies.cc lists them all. Everything that needs to
// know which strategies exist asks the table: parsing a name (config file and pod annotations),
// printing one, the "must be one of ..." lists of errors, and whether the recent pod sizes are
// kept. Node scoring calls the policy's strategy and never names one. This is kube-scheduler's
// shape for NodeResourcesFit, whose strategies are entries of one map from the configured name to
// a scorer (nodeResourceStrategyTypeMap, pkg/scheduler/framework/plugins/noderesources/fit.go).
//
// docs/architecture.md ("Adding a strategy") lists what a new strategy touches.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/result.h"

namespace epc {

struct EpcDemand;
struct NodeRecord;
struct PlacementPolicy;

// What a strategy may read besides the node: the pod's demand, the policy (e.g. the ratio shape)
// and the EPC sizes of recent pods (empty unless the strategy reads_recent_sizes).
struct ScoringInput {
  const EpcDemand& demand;
  const PlacementPolicy& policy;
  std::span<const int64_t> recent_sizes;
};

struct ScoringStrategy {
  // As written in the config file and in pod annotations.
  std::string_view name;
  // Rank normalisation: one 0..10 score per entry of `candidates`, in order; a null entry (the
  // node is unknown or the pod does not fit) scores 0. Strategies compute an exact preference per
  // node and rank it with rank_candidates (rank.h), so each keeps its own preference type.
  std::vector<int64_t> (*rank_scores)(const ScoringInput& input,
                                      std::span<const NodeRecord* const> candidates);
  // Proportional normalisation: the 0..10 score of one node the pod fits on.
  int64_t (*proportional_score)(const ScoringInput& input, const NodeRecord& node);
  // Whether it reads ScoringInput::recent_sizes: callers keep that history only when it is read.
  bool reads_recent_sizes = false;
};

// The default strategy (binpack.cc): PlacementPolicy starts with it.
extern const ScoringStrategy kBinPack;

// Every strategy, in the order errors list them.
std::span<const ScoringStrategy* const> scoring_strategies();

// "binpack, spread, ratio, bestfit": the table's names, as errors list the choices.
std::string strategy_names();

// The strategy called `name`, or null.
const ScoringStrategy* find_strategy(std::string_view name);

// Errors list the choices and echo the text: `must be one of binpack, spread, ratio, bestfit;
// got "x"`.
Result<const ScoringStrategy*> parse_strategy(std::string_view text);

std::string_view to_string(const ScoringStrategy* strategy);

}  // namespace epc
