#include "config/scoring_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace epc {
namespace {

// Accumulates problems instead of stopping at the first, so that one run reports them all.
class Problems {
 public:
  void add(std::string message) { messages_.push_back(std::move(message)); }
  bool empty() const { return messages_.empty(); }
  std::string joined() const {
    std::string text;
    for (const std::string& message : messages_) {
      if (!text.empty()) text += "\n";
      text += message;
    }
    return text;
  }

 private:
  std::vector<std::string> messages_;
};

std::string node_kind(const YAML::Node& node) {
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

template <class T, size_t N>
std::optional<T> one_of(const YAML::Node& node, const std::string& path,
                        const std::array<std::pair<std::string_view, T>, N>& choices,
                        Problems& problems) {
  if (node.IsScalar()) {
    for (const auto& [name, value] : choices) {
      if (node.Scalar() == name) return value;
    }
  }
  std::string names;
  for (const auto& choice : choices) {
    if (!names.empty()) names += ", ";
    names += choice.first;
  }
  problems.add(path + ": must be one of " + names + "; got " + node_kind(node));
  return std::nullopt;
}

void check_header(const YAML::Node& root, std::string_view key, std::string_view expected,
                  Problems& problems) {
  const YAML::Node value = root[std::string(key)];
  if (!value) {
    problems.add(std::string(key) + ": required, must be \"" + std::string(expected) + "\"");
  } else if (!value.IsScalar() || value.Scalar() != expected) {
    problems.add(std::string(key) + ": must be \"" + std::string(expected) + "\", got " +
                 node_kind(value));
  }
}

std::optional<int64_t> score_in_range(const YAML::Node& node, const std::string& path,
                                      Problems& problems) {
  if (node.IsScalar()) {
    try {
      const auto score = node.as<int64_t>();
      if (score >= 0 && score <= 10) return score;
      problems.add(path + ": must be an integer in 0..10, got " + std::to_string(score));
      return std::nullopt;
    } catch (const YAML::Exception&) {
      // Not an integer: reported below with the text as written.
    }
  }
  problems.add(path + ": must be an integer in 0..10, got " + node_kind(node));
  return std::nullopt;
}

// Reports keys of `map` that are not in `known`, with their full path.
template <size_t N>
void reject_unknown_keys(const YAML::Node& map, const std::string& prefix,
                         const std::array<std::string_view, N>& known, Problems& problems) {
  for (const auto& entry : map) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "<non-scalar key>";
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      problems.add(prefix + key + ": unknown key");
    }
  }
}

void read_non_epc_pods(const YAML::Node& node, PlacementPolicy& policy, Problems& problems) {
  if (!node.IsMap()) {
    problems.add("nonEpcPods: must be a mapping, got " + node_kind(node));
    return;
  }
  reject_unknown_keys(node, "nonEpcPods.",
                      std::array<std::string_view, 2>{"policy", "confidentialNodeScore"}, problems);
  if (const YAML::Node value = node["policy"]) {
    static constexpr std::array<std::pair<std::string_view, NonEpcPolicy>, 3> kPolicies{{
        {"allow", NonEpcPolicy::kAllow},
        {"prefer-general", NonEpcPolicy::kPreferGeneral},
        {"require-general", NonEpcPolicy::kRequireGeneral},
    }};
    if (auto parsed = one_of(value, "nonEpcPods.policy", kPolicies, problems)) {
      policy.non_epc_pods = *parsed;
    }
  }
  if (const YAML::Node value = node["confidentialNodeScore"]) {
    if (auto score = score_in_range(value, "nonEpcPods.confidentialNodeScore", problems)) {
      policy.confidential_node_score = *score;
    }
  }
}

PlacementPolicy read_policy(const YAML::Node& root, Problems& problems) {
  PlacementPolicy policy;
  reject_unknown_keys(
      root, "", std::array<std::string_view, 4>{"apiVersion", "kind", "strategy", "nonEpcPods"},
      problems);
  check_header(root, "apiVersion", kScoringConfigApiVersion, problems);
  check_header(root, "kind", kScoringConfigKind, problems);
  if (const YAML::Node value = root["strategy"]) {
    static constexpr std::array<std::pair<std::string_view, Strategy>, 2> kStrategies{{
        {"binpack", Strategy::kBinPack},
        {"spread", Strategy::kSpread},
    }};
    if (auto parsed = one_of(value, "strategy", kStrategies, problems)) policy.strategy = *parsed;
  }
  if (const YAML::Node value = root["nonEpcPods"]) read_non_epc_pods(value, policy, problems);
  return policy;
}

Result<std::string> read_file(const std::string& path) {
  const auto fail = [&] {
    return make_error("cannot read scoring config \"" + path + "\": " + std::strerror(errno));
  };
  errno = 0;
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) return fail();
  std::string text;
  std::array<char, 4096> buffer{};
  size_t read = 0;
  while ((read = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0) {
    text.append(buffer.data(), read);
  }
  // A directory opens fine on Linux; reading it fails with EISDIR.
  if (std::ferror(file.get())) return fail();
  return text;
}

}  // namespace

Result<PlacementPolicy> parse_scoring_config(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    return make_error("YAML syntax error at line " + std::to_string(e.mark.line + 1) + ", column " +
                      std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const YAML::Exception& e) {
    return make_error(std::string("YAML error: ") + e.what());
  }
  if (!root.IsMap()) {
    return make_error("scoring config must be a mapping with apiVersion \"" +
                      std::string(kScoringConfigApiVersion) + "\" and kind \"" +
                      std::string(kScoringConfigKind) + "\", got " + node_kind(root));
  }
  Problems problems;
  PlacementPolicy policy = read_policy(root, problems);
  if (!problems.empty()) return make_error(problems.joined());
  return policy;
}

Result<PlacementPolicy> load_scoring_config(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  auto policy = parse_scoring_config(*text);
  if (policy) return policy;
  // Every line gets the path, so each stays meaningful when logs are filtered line by line.
  std::string prefixed;
  std::string_view rest = policy.error().message;
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    if (!prefixed.empty()) prefixed += "\n";
    prefixed += path + ": " + std::string(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  return make_error(std::move(prefixed));
}

}  // namespace epc
