#include "config/yaml_fields.h"

#include <algorithm>

#include "model/quantity.h"

namespace epc {

std::string Problems::joined() const {
  std::string text;
  for (const std::string& message : messages_) {
    if (!text.empty()) text += "\n";
    text += message;
  }
  return text;
}

std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string index_path(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "\"" + node.Scalar() + "\"";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

bool expect_map(const YAML::Node& node, const std::string& path, Problems& problems) {
  if (node.IsMap()) return true;
  problems.add(path, "must be a mapping, got " + describe(node));
  return false;
}

bool expect_sequence(const YAML::Node& node, const std::string& path, Problems& problems) {
  if (node.IsSequence()) return true;
  problems.add(path, "must be a sequence, got " + describe(node));
  return false;
}

void reject_unknown_keys(const YAML::Node& map, const std::string& path,
                         std::span<const std::string_view> known, Problems& problems) {
  std::vector<std::string> seen;
  for (const auto& entry : map) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "<non-scalar key>";
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      problems.add(child_path(path, key), "unknown key");
    } else if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      // yaml-cpp keeps the first of repeated keys silently; an edit appended below would not
      // take effect.
      problems.add(child_path(path, key), "given more than once");
    }
    seen.push_back(key);
  }
}

std::optional<std::string> read_string(const YAML::Node& node, const std::string& path,
                                       Problems& problems) {
  if (node.IsScalar()) return node.Scalar();
  if (node.IsNull()) return std::string();
  problems.add(path, "must be a string, got " + describe(node));
  return std::nullopt;
}

std::optional<int64_t> read_integer(const YAML::Node& node, const std::string& path, int64_t min,
                                    int64_t max, Problems& problems) {
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  if (node.IsScalar()) {
    try {
      const auto value = node.as<int64_t>();
      if (value >= min && value <= max) return value;
      problems.add(path, "must be an integer in " + range + ", got " + std::to_string(value));
      return std::nullopt;
    } catch (const YAML::Exception&) {
      // Not an integer: reported below with the text as written.
    }
  }
  problems.add(path, "must be an integer in " + range + ", got " + describe(node));
  return std::nullopt;
}

std::optional<bool> read_bool(const YAML::Node& node, const std::string& path, Problems& problems) {
  if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) {
    return node.Scalar() == "true";
  }
  problems.add(path, "must be true or false, got " + describe(node));
  return std::nullopt;
}

std::optional<int64_t> read_duration(const YAML::Node& node, const std::string& path,
                                     int64_t min_seconds, int64_t max_seconds, Problems& problems) {
  const auto bad = [&] {
    problems.add(path, "must be a duration such as 10m, 1h30m or 45s, got " + describe(node));
    return std::nullopt;
  };
  if (!node.IsScalar() || node.Scalar().empty()) return bad();
  const std::string& text = node.Scalar();
  constexpr std::string_view kUnits = "hms";
  constexpr int64_t kSeconds[] = {3600, 60, 1};
  int64_t total = 0;
  size_t next_unit = 0;  // units must come in the order h, m, s, each at most once
  size_t i = 0;
  while (i < text.size()) {
    int64_t number = 0;
    const size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (number > 1000000000) return bad();
      number = number * 10 + (text[i] - '0');
      ++i;
    }
    if (i == start || i == text.size()) return bad();
    const size_t unit = kUnits.find(text[i], next_unit);
    if (unit == std::string_view::npos) return bad();
    total += number * kSeconds[unit];
    next_unit = unit + 1;
    ++i;
  }
  if (total < min_seconds || total > max_seconds) {
    problems.add(path, "must be between " + std::to_string(min_seconds) + "s and " +
                           std::to_string(max_seconds) + "s, got \"" + text + "\"");
    return std::nullopt;
  }
  return total;
}

std::optional<int64_t> read_quantity(const YAML::Node& node, const std::string& path,
                                     Problems& problems) {
  if (!node.IsScalar()) {
    problems.add(path, "must be a quantity such as 4Gi, got " + describe(node));
    return std::nullopt;
  }
  Result<int64_t> value = parse_quantity(node.Scalar());
  if (!value) {
    problems.add(path, value.error().message);
    return std::nullopt;
  }
  if (*value < 0) {
    problems.add(path, "must not be negative, got \"" + node.Scalar() + "\"");
    return std::nullopt;
  }
  return *value;
}

std::optional<std::vector<std::string>> read_string_list(const YAML::Node& node,
                                                         const std::string& path,
                                                         Problems& problems) {
  if (node.IsNull()) return std::vector<std::string>();
  if (!expect_sequence(node, path, problems)) return std::nullopt;
  std::vector<std::string> values;
  bool ok = true;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string at = index_path(path, i);
    if (!node[i].IsScalar() || node[i].Scalar().empty()) {
      problems.add(at, "must be a non-empty string, got " + describe(node[i]));
      ok = false;
      continue;
    }
    if (std::find(values.begin(), values.end(), node[i].Scalar()) != values.end()) {
      problems.add(at, "\"" + node[i].Scalar() + "\" is listed twice");
      ok = false;
      continue;
    }
    values.push_back(node[i].Scalar());
  }
  if (!ok) return std::nullopt;
  return values;
}

}  // namespace epc
