#include "model/label_selector.h"

#include <algorithm>
#include <cctype>

namespace epc {
namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-' ||
         c == '/';
}

// A cursor over the selector text; errors say where it stopped.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void skip_spaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0) {
      ++pos_;
    }
  }
  bool at_end() {
    skip_spaces();
    return pos_ >= text_.size();
  }
  bool consume(std::string_view token) {
    skip_spaces();
    if (text_.substr(pos_).starts_with(token)) {
      pos_ += token.size();
      return true;
    }
    return false;
  }
  // A word operator (in, notin) must be followed by a space or "(", not by more name characters.
  bool consume_word(std::string_view word) {
    skip_spaces();
    const std::string_view rest = text_.substr(pos_);
    if (!rest.starts_with(word)) return false;
    if (rest.size() > word.size() && is_name_char(rest[word.size()])) return false;
    pos_ += word.size();
    return true;
  }
  std::string name() {
    skip_spaces();
    const size_t start = pos_;
    while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }
  Error error(const std::string& what) const {
    return make_error("invalid label selector \"" + std::string(text_) + "\": " + what +
                      " at position " + std::to_string(pos_ + 1));
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

Result<std::vector<std::string>> parse_value_set(Scanner& scanner) {
  if (!scanner.consume("(")) return scanner.error("expected \"(\"");
  std::vector<std::string> values;
  while (true) {
    std::string value = scanner.name();
    if (value.empty()) return scanner.error("expected a value");
    values.push_back(std::move(value));
    if (scanner.consume(")")) return values;
    if (!scanner.consume(",")) return scanner.error("missing \")\"");
  }
}

Result<LabelRequirement> parse_requirement(Scanner& scanner) {
  LabelRequirement requirement;
  const bool negated = scanner.consume("!");
  requirement.key = scanner.name();
  if (requirement.key.empty()) return scanner.error("expected a label key");
  if (negated) {
    requirement.op = LabelOperator::kDoesNotExist;
    return requirement;
  }
  const auto single_value = [&](LabelOperator op) -> Result<LabelRequirement> {
    requirement.op = op;
    // An empty value is legal in Kubernetes: `key=` selects nodes whose label is "".
    requirement.values = {scanner.name()};
    return requirement;
  };
  if (scanner.consume("!=")) return single_value(LabelOperator::kNotEquals);
  if (scanner.consume("==") || scanner.consume("=")) return single_value(LabelOperator::kEquals);
  const bool in = scanner.consume_word("in");
  if (in || scanner.consume_word("notin")) {
    requirement.op = in ? LabelOperator::kIn : LabelOperator::kNotIn;
    auto values = parse_value_set(scanner);
    if (!values) return values.error();
    requirement.values = std::move(*values);
    return requirement;
  }
  requirement.op = LabelOperator::kExists;
  return requirement;
}

}  // namespace

const std::string* find_label(const Labels& labels, std::string_view key) {
  for (const auto& [name, value] : labels) {
    if (name == key) return &value;
  }
  return nullptr;
}

bool LabelRequirement::matches(const Labels& labels) const {
  const std::string* value = find_label(labels, key);
  const auto listed = [&] {
    return value != nullptr && std::find(values.begin(), values.end(), *value) != values.end();
  };
  switch (op) {
    case LabelOperator::kExists:
      return value != nullptr;
    case LabelOperator::kDoesNotExist:
      return value == nullptr;
    case LabelOperator::kEquals:
    case LabelOperator::kIn:
      return listed();
    case LabelOperator::kNotEquals:
    case LabelOperator::kNotIn:
      return !listed();
  }
  return false;
}

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
  LabelSelector selector;
  selector.text_ = std::string(text);
  Scanner scanner(text);
  if (scanner.at_end()) return selector;
  while (true) {
    auto requirement = parse_requirement(scanner);
    if (!requirement) return requirement.error();
    selector.requirements_.push_back(std::move(*requirement));
    if (scanner.at_end()) return selector;
    if (!scanner.consume(",")) return scanner.error("expected \",\" or the end");
  }
}

Result<LabelSelector> LabelSelector::from_match(const Labels& match_labels,
                                                std::vector<LabelRequirement> match_expressions) {
  LabelSelector selector;
  for (const auto& [key, value] : match_labels) {
    selector.requirements_.push_back({key, LabelOperator::kEquals, {value}});
  }
  for (LabelRequirement& requirement : match_expressions) {
    const bool set_based =
        requirement.op == LabelOperator::kIn || requirement.op == LabelOperator::kNotIn;
    const bool existence =
        requirement.op == LabelOperator::kExists || requirement.op == LabelOperator::kDoesNotExist;
    if (requirement.key.empty()) return make_error("matchExpressions: a requirement has no key");
    if (!set_based && !existence) {
      return make_error("matchExpressions \"" + requirement.key +
                        "\": the operator must be In, NotIn, Exists or DoesNotExist");
    }
    if (set_based && requirement.values.empty()) {
      return make_error("matchExpressions \"" + requirement.key +
                        "\": In and NotIn need at least one value");
    }
    if (existence && !requirement.values.empty()) {
      return make_error("matchExpressions \"" + requirement.key +
                        "\": Exists and DoesNotExist take no values");
    }
    selector.requirements_.push_back(std::move(requirement));
  }
  for (const LabelRequirement& requirement : selector.requirements_) {
    std::string part;
    switch (requirement.op) {
      case LabelOperator::kEquals:
        part = requirement.key + "=" + requirement.values.front();
        break;
      case LabelOperator::kNotEquals:
        part = requirement.key + "!=" + requirement.values.front();
        break;
      case LabelOperator::kIn:
      case LabelOperator::kNotIn: {
        part = requirement.key + (requirement.op == LabelOperator::kIn ? " in (" : " notin (");
        for (size_t i = 0; i < requirement.values.size(); ++i) {
          part += (i ? "," : "") + requirement.values[i];
        }
        part += ")";
        break;
      }
      case LabelOperator::kExists:
        part = requirement.key;
        break;
      case LabelOperator::kDoesNotExist:
        part = "!" + requirement.key;
        break;
    }
    selector.text_ += (selector.text_.empty() ? "" : ",") + part;
  }
  return selector;
}

bool LabelSelector::matches(const Labels& labels) const {
  if (requirements_.empty()) return false;
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const LabelRequirement& r) { return r.matches(labels); });
}

}  // namespace epc
