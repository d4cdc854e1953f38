#include "model/scoring/strategies.h"

#include <array>

#include "model/choices.h"
#include "model/scoring/bestfit.h"
#include "model/scoring/binpack.h"
#include "model/scoring/ratio.h"
#include "model/scoring/spread.h"

namespace epc {
namespace {

// The one list of strategies (see strategies.h); errors list them in this order.
constexpr std::array<const ScoringStrategy*, 4> kStrategies{&kBinPack, &kSpread, &kRatio,
                                                            &kBestFit};

}  // namespace

std::span<const ScoringStrategy* const> scoring_strategies() {
  return kStrategies;
}

std::string strategy_names() {
  return join_names(kStrategies, [](const ScoringStrategy* s) { return s->name; });
}

const ScoringStrategy* find_strategy(std::string_view name) {
  for (const ScoringStrategy* strategy : kStrategies) {
    if (strategy->name == name) return strategy;
  }
  return nullptr;
}

Result<const ScoringStrategy*> parse_strategy(std::string_view text) {
  if (const ScoringStrategy* strategy = find_strategy(text)) return strategy;
  return make_error(must_be_one_of(strategy_names(), "\"" + std::string(text) + "\""));
}

std::string_view to_string(const ScoringStrategy* strategy) {
  return strategy->name;
}

}  // namespace epc
