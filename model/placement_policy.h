// PlacementPolicy: the knobs of the filter and scoring decisions, as plain values.
//
// config/ reads them from the scoring config file and validates them; the model only consumes
// them. Every field's default is the behaviour of a config file that leaves the key out
// (docs/scoring-config.md documents each key).
#pragma once

#include <array>
#include <string_view>
#include <utility>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/label_selector.h"
#include "model/result.h"
#include "model/scoring/strategies.h"

namespace epc {

// How a strategy's preferences become 0..10 scores.
enum class Normalization {
  kRank,          // best distinct preference 10, next 9, ... (see scoring/rank.h)
  kProportional,  // kube-scheduler's integer formulas scaled to 0..10 (see scoring/proportional.h)
};

// What happens to pods that request no EPC.
enum class NonEpcPolicy {
  kAllow,           // no opinion: every node passes and scores the same
  kPreferGeneral,   // every node passes; general nodes score higher than confidential ones
  kRequireGeneral,  // confidential nodes fail filter (unresolvable)
};

// Which nodes count as confidential.
enum class ConfidentialRule {
  kEpc,             // the node publishes EPC
  kSelector,        // the node matches the selector (EPC pods still need EPC to fit)
  kEpcOrSelector,   // either: a confpool node whose device plugin is not up yet still counts
  kEpcAndSelector,  // both: EPC pods stay off EPC nodes outside the selected pools
};

// One point of the ratio strategy's shape: utilization in percent (0..100) → score (0..10).
struct ShapePoint {
  int64_t utilization = 0;
  int64_t score = 0;
  friend bool operator==(const ShapePoint&, const ShapePoint&) = default;
};

// EPC kept free on every confidential node for privileged pods: pods of at least `min_priority`
// or in one of `namespaces` may use it, others are filtered as if it were taken.
struct Headroom {
  int64_t bytes = 0;    // a fixed amount per node, or
  int64_t percent = 0;  // a share of each node's EPC (0..100); at most one of the two is set
  std::optional<int32_t> min_priority;
  std::vector<std::string> namespaces;

  bool active() const { return bytes > 0 || percent > 0; }
  // The bytes kept on a node with `total_bytes` of EPC (percent rounds down).
  int64_t kept_bytes(int64_t total_bytes) const;
  bool exempts(int32_t priority, std::string_view namespace_name) const;
  // "pods of priority >= 1000 or in namespaces kube-system, prod", for filter reasons.
  std::string beneficiaries() const;
};

// Pod annotations (epc-extender.io/<key>) that may override the policy for one pod.
enum class OverrideKey { kStrategy, kNormalization };

struct PlacementPolicy {
  // How EPC pods are ranked among nodes where they fit: an entry of the strategy table
  // (scoring/strategies.h), never null. Policies compare strategies by identity.
  const ScoringStrategy* strategy = &kBinPack;
  Normalization normalization = Normalization::kRank;
  // The ratio strategy's shape, utilization strictly increasing; empty means default_shape().
  std::vector<ShapePoint> shape;
  // The bestfit strategy: how many recent EPC pod sizes the service remembers.
  int64_t bestfit_history = 64;

  NonEpcPolicy non_epc_pods = NonEpcPolicy::kPreferGeneral;
  // Under kPreferGeneral: the score (0..10) a confidential node gets for a pod without EPC;
  // general nodes get 10.
  int64_t confidential_node_score = 0;

  ConfidentialRule confidential_rule = ConfidentialRule::kEpcOrSelector;
  LabelSelector confidential_selector;  // empty: no label rule
  std::string pool_label_key;           // empty: no pools

  Headroom headroom;
  std::vector<OverrideKey> allowed_overrides;

  const std::vector<ShapePoint>& effective_shape() const;
};

// 0% → 0, 100% → 10: MostAllocated's line, the shape used when `ratio` is chosen without one.
const std::vector<ShapePoint>& default_shape();

// Names as written in the config file and in pod annotations, one table per choice, shared by the
// config loader (parsing) and the model (messages). Strategies have their own table
// (scoring/strategies.h), since each is more than a name.
inline constexpr std::array<std::pair<std::string_view, Normalization>, 2> kNormalizationNames{{
    {"rank", Normalization::kRank},
    {"proportional", Normalization::kProportional},
}};
inline constexpr std::array<std::pair<std::string_view, NonEpcPolicy>, 3> kNonEpcPolicyNames{{
    {"allow", NonEpcPolicy::kAllow},
    {"prefer-general", NonEpcPolicy::kPreferGeneral},
    {"require-general", NonEpcPolicy::kRequireGeneral},
}};
inline constexpr std::array<std::pair<std::string_view, ConfidentialRule>, 4>
    kConfidentialRuleNames{{
        {"epc", ConfidentialRule::kEpc},
        {"selector", ConfidentialRule::kSelector},
        {"epc-or-selector", ConfidentialRule::kEpcOrSelector},
        {"epc-and-selector", ConfidentialRule::kEpcAndSelector},
    }};
inline constexpr std::array<std::pair<std::string_view, OverrideKey>, 2> kOverrideKeyNames{{
    {"strategy", OverrideKey::kStrategy},
    {"normalization", OverrideKey::kNormalization},
}};

// Names as written in the config file and in pod annotations.
std::string_view to_string(Normalization normalization);
std::string_view to_string(NonEpcPolicy policy);
std::string_view to_string(ConfidentialRule rule);
std::string_view to_string(OverrideKey key);
// Errors list the choices and echo the text: `must be one of rank, proportional; got "x"`.
Result<Normalization> parse_normalization(std::string_view text);

}  // namespace epc
