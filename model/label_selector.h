// LabelSelector: Kubernetes' set-based label selector syntax, parsed once from config text and
// matched against a node's labels.
//
// The scoring config names confidential nodes by their labels (`agentpool in (confpool)`,
// `intel.feature.node.kubernetes.io/sgx=true`), the same text `kubectl get nodes -l` takes, so an
// operator can try a selector with kubectl before putting it in the config. Supported, as in
// k8s.io/apimachinery/pkg/labels: `key=value` (also `==`), `key!=value`, `key in (a,b)`,
// `key notin (a,b)`, `key` (exists) and `!key` (does not exist), joined by commas (all must
// hold). As in Kubernetes, `!=` and `notin` also match nodes that lack the key. The numeric `<`
// and `>` operators are not supported: node labels worth selecting on are names.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/labels.h"
#include "model/result.h"

namespace epc {

enum class LabelOperator { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist };

struct LabelRequirement {
  std::string key;
  LabelOperator op = LabelOperator::kExists;
  std::vector<std::string> values;  // one for = and !=, one or more for in and notin

  bool matches(const Labels& labels) const;
};

class LabelSelector {
 public:
  LabelSelector() = default;  // empty: selects nothing (see matches)

  // Errors echo the text and say where parsing stopped, e.g.
  // `invalid label selector "a in (x": missing ")" at position 8`.
  static Result<LabelSelector> parse(std::string_view text);
  // The structured form API objects carry (metav1.LabelSelector, e.g. a PodDisruptionBudget's
  // spec.selector): matchLabels (each key=value) and matchExpressions, all of which must hold.
  // As in metav1.LabelSelectorAsSelector, expressions take In and NotIn with at least one value and
  // Exists and DoesNotExist with none; anything else is an error naming the key. The text is
  // rebuilt in parse() syntax, for messages.
  static Result<LabelSelector> from_match(const Labels& match_labels,
                                          std::vector<LabelRequirement> match_expressions);

  // An empty selector matches no node: "no label rule", not "every node".
  bool matches(const Labels& labels) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<LabelRequirement>& requirements() const { return requirements_; }
  // The text it was parsed from, for messages and for printing the effective config.
  const std::string& text() const { return text_; }

 private:
  std::vector<LabelRequirement> requirements_;
  std::string text_;
};

// The value of `key` in `labels`, or nullptr.
const std::string* find_label(const Labels& labels, std::string_view key);

}  // namespace epc
