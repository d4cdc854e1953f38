#include "config/scoring_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "config/yaml_fields.h"
#include "model/choices.h"

namespace epc {
namespace {

using Keys = std::span<const std::string_view>;

constexpr std::array<std::string_view, 11> kRootKeys{
    "apiVersion", "kind",       "epcResources", "confidentialNodes", "pools",        "strategy",
    "headroom",   "nonEpcPods", "overrides",    "extender",          "consolidation"};

constexpr std::array<std::string_view, 4> kVerbs{"filter", "prioritize", "bind", "preempt"};
constexpr int64_t kMaxBestFitHistory = 1024;

// Reads the document into a ScoringConfig, adding a problem for everything wrong with it.
class ConfigReader {
 public:
  explicit ConfigReader(Problems& problems) : problems_(problems) {}

  ScoringConfig read(const YAML::Node& root) {
    reject_unknown_keys(root, "", kRootKeys, problems_);
    check_header(root, "apiVersion", kScoringConfigApiVersion);
    check_header(root, "kind", kScoringConfigKind);
    if (const YAML::Node n = root["epcResources"]) read_resources(n, "epcResources");
    if (const YAML::Node n = root["confidentialNodes"]) read_confidential(n, "confidentialNodes");
    if (const YAML::Node n = root["pools"]) read_pools(n, "pools");
    if (const YAML::Node n = root["strategy"]) read_strategy(n, "strategy");
    if (const YAML::Node n = root["headroom"]) read_headroom(n, "headroom");
    if (const YAML::Node n = root["nonEpcPods"]) read_non_epc_pods(n, "nonEpcPods");
    if (const YAML::Node n = root["overrides"]) read_overrides(n, "overrides");
    if (const YAML::Node n = root["extender"]) read_extender(n, "extender");
    if (const YAML::Node n = root["consolidation"]) read_consolidation(n, "consolidation");
    return std::move(config_);
  }

 private:
  PlacementPolicy& policy() { return config_.policy; }

  // A mapping whose keys are all in `known`.
  bool section(const YAML::Node& node, const std::string& path, Keys known) {
    if (!expect_map(node, path, problems_)) return false;
    reject_unknown_keys(node, path, known, problems_);
    return true;
  }

  void check_header(const YAML::Node& root, std::string_view key, std::string_view expected) {
    const YAML::Node value = root[std::string(key)];
    const std::string quoted = "\"" + std::string(expected) + "\"";
    if (!value) {
      problems_.add(std::string(key), "required, must be " + quoted);
    } else if (!value.IsScalar() || value.Scalar() != expected) {
      problems_.add(std::string(key), "must be " + quoted + ", got " + describe(value));
    }
  }

  void read_resources(const YAML::Node& node, const std::string& path) {
    if (!expect_sequence(node, path, problems_)) return;
    if (node.size() == 0) {
      problems_.add(path, "must list at least one EPC resource");
      return;
    }
    std::vector<EpcResource> resources;
    bool ok = true;
    for (size_t i = 0; i < node.size(); ++i) {
      std::optional<EpcResource> resource = read_resource(node[i], index_path(path, i));
      if (!resource) {
        ok = false;
        continue;
      }
      const auto same_name = [&](const EpcResource& r) { return r.name == resource->name; };
      if (std::any_of(resources.begin(), resources.end(), same_name)) {
        problems_.add(index_path(path, i) + ".name", "\"" + resource->name + "\" is listed twice");
        ok = false;
        continue;
      }
      resources.push_back(std::move(*resource));
    }
    if (ok) config_.resources = EpcResources(std::move(resources));
  }

  // Domain-qualified, in the characters Kubernetes allows in resource names: anything else could
  // never match a node's resource, and would not survive printing (invalid UTF-8 becomes U+FFFD).
  static bool is_resource_name(std::string_view name) {
    const auto allowed = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '-' || c == '_' || c == '/';
    };
    return name.find('/') != std::string_view::npos &&
           std::all_of(name.begin(), name.end(), allowed);
  }

  std::optional<EpcResource> read_resource(const YAML::Node& node, const std::string& path) {
    static constexpr std::array<std::string_view, 2> kKeys{"name", "unit"};
    if (!section(node, path, kKeys)) return std::nullopt;
    EpcResource resource;
    const std::optional<std::string> name =
        node["name"] ? read_string(node["name"], path + ".name", problems_) : std::nullopt;
    if (!node["name"]) problems_.add(path + ".name", "required");
    // Extended resources are always domain-qualified (kubernetes.io/docs: extended resources).
    if (name && !is_resource_name(*name)) {
      problems_.add(path + ".name",
                    "must be a domain-qualified resource name such as example.com/epc, got \"" +
                        *name + "\"");
    }
    int64_t unit = 1;
    bool unit_ok = true;
    if (const YAML::Node u = node["unit"]) {
      const std::optional<int64_t> value = read_quantity(u, path + ".unit", problems_);
      unit_ok = value.has_value() && *value > 0;
      if (value && *value == 0) {
        problems_.add(path + ".unit", "must be a positive number of bytes, got \"0\"");
      }
      if (unit_ok) unit = *value;
    }
    if (!name || !is_resource_name(*name) || !unit_ok) {
      return std::nullopt;
    }
    resource.name = *name;
    resource.bytes_per_unit = unit;
    return resource;
  }

  void read_confidential(const YAML::Node& node, const std::string& path) {
    static constexpr std::array<std::string_view, 2> kKeys{"selector", "rule"};
    if (!section(node, path, kKeys)) return;
    bool selector_read = true;
    if (const YAML::Node n = node["selector"]) {
      selector_read = false;
      if (auto text = read_string(n, path + ".selector", problems_)) {
        Result<LabelSelector> selector = LabelSelector::parse(*text);
        if (selector) {
          policy().confidential_selector = std::move(*selector);
          selector_read = true;
        } else {
          problems_.add(path + ".selector", selector.error().message);
        }
      }
    }
    if (const YAML::Node n = node["rule"]) {
      if (auto rule = read_choice(n, path + ".rule", kConfidentialRuleNames, problems_)) {
        policy().confidential_rule = *rule;
      }
    }
    const ConfidentialRule rule = policy().confidential_rule;
    const bool needs_selector =
        rule == ConfidentialRule::kSelector || rule == ConfidentialRule::kEpcAndSelector;
    if (needs_selector && selector_read && policy().confidential_selector.empty()) {
      problems_.add(path + ".selector",
                    "must be set when rule is \"" + std::string(to_string(rule)) + "\"");
    }
  }

  void read_pools(const YAML::Node& node, const std::string& path) {
    static constexpr std::array<std::string_view, 1> kKeys{"labelKey"};
    if (!section(node, path, kKeys)) return;
    if (const YAML::Node n = node["labelKey"]) {
      if (auto key = read_string(n, path + ".labelKey", problems_)) {
        if (key->find_first_of(" ,=!()") != std::string::npos) {
          problems_.add(path + ".labelKey", "must be a label key, got \"" + *key + "\"");
        } else {
          policy().pool_label_key = *key;
        }
      }
    }
  }

  // A strategy's name, from the strategy table.
  void read_strategy_type(const YAML::Node& node, const std::string& path) {
    if (node.IsScalar()) {
      if (const ScoringStrategy* strategy = find_strategy(node.Scalar())) {
        policy().strategy = strategy;
        return;
      }
    }
    problems_.add(path, must_be_one_of(strategy_names(), describe(node)));
  }

  void read_strategy(const YAML::Node& node, const std::string& path) {
    // The short form `strategy: binpack` of the first config version keeps working.
    if (node.IsScalar()) {
      read_strategy_type(node, path);
      return;
    }
    if (!node.IsMap()) {
      problems_.add(path,
                    must_be_one_of(strategy_names() + ", or a mapping with type", describe(node)));
      return;
    }
    static constexpr std::array<std::string_view, 4> kKeys{"type", "normalization", "ratio",
                                                           "bestfit"};
    if (!section(node, path, kKeys)) return;
    if (const YAML::Node n = node["type"]) read_strategy_type(n, path + ".type");
    if (const YAML::Node n = node["normalization"]) {
      if (auto v = read_choice(n, path + ".normalization", kNormalizationNames, problems_)) {
        policy().normalization = *v;
      }
    }
    if (const YAML::Node n = node["ratio"]) read_ratio(n, path + ".ratio");
    if (const YAML::Node n = node["bestfit"]) read_bestfit(n, path + ".bestfit");
  }

  void read_ratio(const YAML::Node& node, const std::string& path) {
    static constexpr std::array<std::string_view, 1> kKeys{"shape"};
    if (!section(node, path, kKeys)) return;
    if (const YAML::Node n = node["shape"]) read_shape(n, path + ".shape");
  }

  // kube-scheduler's ValidateFunctionShape: at least one point, utilization strictly increasing
  // within 0..100, scores within 0..10 (the config's MaxCustomPriorityScore).
  void read_shape(const YAML::Node& node, const std::string& path) {
    if (!expect_sequence(node, path, problems_)) return;
    if (node.size() == 0) {
      problems_.add(path, "must have at least one point");
      return;
    }
    std::vector<ShapePoint> shape;
    bool ok = true;
    std::optional<int64_t> previous;
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string at = index_path(path, i);
      static constexpr std::array<std::string_view, 2> kKeys{"utilization", "score"};
      if (!section(node[i], at, kKeys)) {
        ok = false;
        continue;
      }
      const auto field = [&](std::string_view key, int64_t max) -> std::optional<int64_t> {
        const std::string key_path = at + "." + std::string(key);
        const YAML::Node value = node[i][std::string(key)];
        if (!value) {
          problems_.add(key_path, "required");
          return std::nullopt;
        }
        return read_integer(value, key_path, 0, max, problems_);
      };
      const std::optional<int64_t> utilization = field("utilization", 100);
      if (utilization && previous && *utilization <= *previous) {
        problems_.add(at + ".utilization", "must increase, got " + std::to_string(*utilization) +
                                               " after " + std::to_string(*previous));
        ok = false;
      }
      const std::optional<int64_t> score = field("score", 10);
      if (utilization) previous = utilization;
      if (!utilization || !score) {
        ok = false;
        continue;
      }
      shape.push_back({*utilization, *score});
    }
    if (ok) policy().shape = std::move(shape);
  }

  void read_bestfit(const YAML::Node& node, const std::string& path) {
    static constexpr std::array<std::string_view, 1> kKeys{"historySize"};
    if (!section(node, path, kKeys)) return;
    if (const YAML::Node n = node["historySize"]) {
      if (auto size = read_integer(n, path + ".historySize", 1, kMaxBestFitHistory, problems_)) {
        policy().bestfit_history = *size;
      }
    }
  }

  void read_headroom(const YAML::Node& node, const std::string& path) {
    static constexpr std::array<std::string_view, 4> kKeys{"amount", "percent",
                                                           "forPriorityAtLeast", "forNamespaces"};
    if (!section(node, path, kKeys)) return;
    Headroom& headroom = policy().headroom;
    if (const YAML::Node n = node["amount"]) {
      if (auto bytes = read_quantity(n, path + ".amount", problems_)) headroom.bytes = *bytes;
    }
    if (const YAML::Node n = node["percent"]) {
      if (auto percent = read_integer(n, path + ".percent", 0, 100, problems_)) {
        headroom.percent = *percent;
      }
    }
    if (const YAML::Node n = node["forPriorityAtLeast"]; n && !n.IsNull()) {
      constexpr int64_t kMin = std::numeric_limits<int32_t>::min();
      constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
      if (auto priority = read_integer(n, path + ".forPriorityAtLeast", kMin, kMax, problems_)) {
        headroom.min_priority = static_cast<int32_t>(*priority);
      }
    }
    if (const YAML::Node n = node["forNamespaces"]) {
      if (auto list = read_string_list(n, path + ".forNamespaces", problems_)) {
        headroom.namespaces = std::move(*list);
      }
    }
    if (headroom.bytes > 0 && headroom.percent > 0) {
      problems_.add(path, "set amount or percent, not both");
    }
    if (headroom.active() && !headroom.min_priority && headroom.namespaces.empty()) {
      problems_.add(path,
                    "set forPriorityAtLeast or forNamespaces: otherwise no pod may use the EPC "
                    "kept free");
    }
  }

  void read_non_epc_pods(const YAML::Node& node, const std::string& path) {
    static constexpr std::array<std::string_view, 2> kKeys{"policy", "confidentialNodeScore"};
    if (!section(node, path, kKeys)) return;
    if (const YAML::Node n = node["policy"]) {
      if (auto p = read_choice(n, path + ".policy", kNonEpcPolicyNames, problems_)) {
        policy().non_epc_pods = *p;
      }
    }
    if (const YAML::Node n = node["confidentialNodeScore"]) {
      if (auto score = read_integer(n, path + ".confidentialNodeScore", 0, 10, problems_)) {
        policy().confidential_node_score = *score;
      }
    }
  }

  void read_overrides(const YAML::Node& node, const std::string& path) {
    static constexpr std::array<std::string_view, 1> kKeys{"allowed"};
    if (!section(node, path, kKeys)) return;
    const YAML::Node allowed = node["allowed"];
    if (!allowed || allowed.IsNull()) return;
    if (!expect_sequence(allowed, path + ".allowed", problems_)) return;
    for (size_t i = 0; i < allowed.size(); ++i) {
      const std::string at = index_path(path + ".allowed", i);
      const std::optional<OverrideKey> key =
          read_choice(allowed[i], at, kOverrideKeyNames, problems_);
      if (!key) continue;
      auto& keys = policy().allowed_overrides;
      if (std::find(keys.begin(), keys.end(), *key) != keys.end()) {
        problems_.add(at, "\"" + allowed[i].Scalar() + "\" is listed twice");
        continue;
      }
      keys.push_back(*key);
    }
  }

  void read_extender(const YAML::Node& node, const std::string& path) {
    static constexpr std::array<std::string_view, 2> kKeys{"weight", "verbs"};
    if (!section(node, path, kKeys)) return;
    ExtenderSettings& extender = config_.extender;
    if (const YAML::Node n = node["weight"]) {
      const auto max = static_cast<int64_t>(std::numeric_limits<int32_t>::max());
      if (auto weight = read_integer(n, path + ".weight", 0, max, problems_)) {
        extender.weight = *weight;
      }
    }
    if (const YAML::Node n = node["verbs"]) {
      if (auto verbs = read_string_list(n, path + ".verbs", problems_)) {
        bool ok = true;
        for (size_t i = 0; i < verbs->size(); ++i) {
          if (std::find(kVerbs.begin(), kVerbs.end(), (*verbs)[i]) == kVerbs.end()) {
            problems_.add(
                index_path(path + ".verbs", i),
                "must be one of filter, prioritize, bind, preempt; got \"" + (*verbs)[i] + "\"");
            ok = false;
          }
        }
        if (ok) extender.verbs = std::move(*verbs);
      }
    }
    const bool prioritizes = std::find(extender.verbs.begin(), extender.verbs.end(),
                                       "prioritize") != extender.verbs.end();
    // kube-scheduler's own validation of an extender entry.
    if (prioritizes && extender.weight <= 0) {
      problems_.add(path + ".weight", "must be > 0 while verbs include prioritize, got " +
                                          std::to_string(extender.weight));
    }
  }

  void read_consolidation(const YAML::Node& node, const std::string& path) {
    static constexpr std::array<std::string_view, 10> kKeys{
        "enabled",          "dryRun",      "interval",  "maxEvictionsPerRun", "maxEvictionsPerHour",
        "maxDrainingNodes", "maxPriority", "minPodAge", "quietHours",         "drainHold"};
    if (!section(node, path, kKeys)) return;
    ConsolidationSettings& settings = config_.consolidation;
    constexpr int64_t kDay = 24 * 3600;
    if (const YAML::Node n = node["enabled"]) {
      if (auto enabled = read_bool(n, path + ".enabled", problems_)) settings.enabled = *enabled;
    }
    if (const YAML::Node n = node["dryRun"]) {
      if (auto dry_run = read_bool(n, path + ".dryRun", problems_)) settings.dry_run = *dry_run;
    }
    // A plan takes the whole cluster into account; more often than every 10s would only churn.
    if (const YAML::Node n = node["interval"]) {
      if (auto seconds = read_duration(n, path + ".interval", 10, kDay, problems_)) {
        settings.interval_seconds = *seconds;
      }
    }
    const auto count = [&](std::string_view key, int64_t max, int64_t& into) {
      if (const YAML::Node n = node[std::string(key)]) {
        if (auto value = read_integer(n, path + "." + std::string(key), 1, max, problems_)) {
          into = *value;
        }
      }
    };
    count("maxEvictionsPerRun", 10000, settings.max_evictions_per_run);
    count("maxEvictionsPerHour", 100000, settings.max_evictions_per_hour);
    count("maxDrainingNodes", 1000, settings.max_draining_nodes);
    // Up to 1000000000, the highest priority a user-defined PriorityClass may have: the classes
    // above it are system-critical, and those pods never move.
    if (const YAML::Node n = node["maxPriority"]) {
      constexpr int64_t kMin = std::numeric_limits<int32_t>::min();
      if (auto priority = read_integer(n, path + ".maxPriority", kMin, 1000000000, problems_)) {
        settings.max_priority = static_cast<int32_t>(*priority);
      }
    }
    if (const YAML::Node n = node["minPodAge"]) {
      if (auto seconds = read_duration(n, path + ".minPodAge", 0, 30 * kDay, problems_)) {
        settings.min_pod_age_seconds = *seconds;
      }
    }
    if (const YAML::Node n = node["drainHold"]) {
      if (auto seconds = read_duration(n, path + ".drainHold", 0, 7 * kDay, problems_)) {
        settings.drain_hold_seconds = *seconds;
      }
    }
    if (const YAML::Node n = node["quietHours"]; n && !n.IsNull()) {
      if (auto windows = read_string_list(n, path + ".quietHours", problems_)) {
        std::vector<QuietWindow> quiet;
        bool ok = true;
        for (size_t i = 0; i < windows->size(); ++i) {
          std::optional<QuietWindow> window =
              parse_quiet_window((*windows)[i], index_path(path + ".quietHours", i));
          if (window) {
            quiet.push_back(*window);
          } else {
            ok = false;
          }
        }
        if (ok) settings.quiet_hours = std::move(quiet);
      }
    }
  }

  // "HH:MM-HH:MM" in UTC; an end before the start wraps past midnight ("22:00-06:00").
  std::optional<QuietWindow> parse_quiet_window(const std::string& text, const std::string& path) {
    const auto minute_of = [](std::string_view hhmm) -> std::optional<int32_t> {
      if (hhmm.size() != 5 || hhmm[2] != ':') return std::nullopt;
      for (const size_t i : {0, 1, 3, 4}) {
        if (hhmm[i] < '0' || hhmm[i] > '9') return std::nullopt;
      }
      const int32_t hours = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
      const int32_t minutes = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
      if (hours > 23 || minutes > 59) return std::nullopt;
      return hours * 60 + minutes;
    };
    const size_t dash = text.find('-');
    const std::optional<int32_t> start = dash == std::string::npos
                                             ? std::nullopt
                                             : minute_of(std::string_view(text).substr(0, dash));
    const std::optional<int32_t> end = dash == std::string::npos
                                           ? std::nullopt
                                           : minute_of(std::string_view(text).substr(dash + 1));
    if (!start || !end) {
      problems_.add(path,
                    "must be a UTC window HH:MM-HH:MM such as 22:00-06:00, got \"" + text + "\"");
      return std::nullopt;
    }
    if (*start == *end) {
      problems_.add(path, "must not start and end at the same time, got \"" + text + "\"");
      return std::nullopt;
    }
    return QuietWindow{*start, *end};
  }

  Problems& problems_;
  ScoringConfig config_;
};

Result<YAML::Node> load_yaml(std::string_view text) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    return make_error("YAML syntax error at line " + std::to_string(e.mark.line + 1) + ", column " +
                      std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const YAML::Exception& e) {
    return make_error(std::string("YAML error: ") + e.what());
  }
}

Error prefixed(const std::string& path, const Error& error) {
  // Every line gets the path, so each stays meaningful when logs are filtered line by line.
  std::string text;
  std::string_view rest = error.message;
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    if (!text.empty()) text += "\n";
    text += path + ": " + std::string(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  return make_error(std::move(text));
}

}  // namespace

Result<ScoringConfig> parse_config(std::string_view text) {
  Result<YAML::Node> root = load_yaml(text);
  if (!root) return root.error();
  if (!root->IsMap()) {
    return make_error("scoring config must be a mapping with apiVersion \"" +
                      std::string(kScoringConfigApiVersion) + "\" and kind \"" +
                      std::string(kScoringConfigKind) + "\", got " + describe(*root));
  }
  Problems problems;
  // yaml-cpp can still throw on exotic input (e.g. a conversion deep inside a node walk).
  try {
    ScoringConfig config = ConfigReader(problems).read(*root);
    if (!problems.empty()) return make_error(problems.joined());
    return config;
  } catch (const YAML::Exception& e) {
    return make_error(std::string("YAML error: ") + e.what());
  }
}

Result<std::string> read_config_file(const std::string& path) {
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

Result<ScoringConfig> parse_config_file(const std::string& path, std::string_view text) {
  Result<ScoringConfig> config = parse_config(text);
  if (!config) return prefixed(path, config.error());
  return config;
}

Result<ScoringConfig> load_config(const std::string& path) {
  Result<std::string> text = read_config_file(path);
  if (!text) return text.error();
  return parse_config_file(path, *text);
}

Result<PlacementPolicy> parse_scoring_config(std::string_view text) {
  Result<ScoringConfig> config = parse_config(text);
  if (!config) return config.error();
  return std::move(config->policy);
}

Result<PlacementPolicy> load_scoring_config(const std::string& path) {
  Result<ScoringConfig> config = load_config(path);
  if (!config) return config.error();
  return std::move(config->policy);
}

bool same_resources(const EpcResources& a, const EpcResources& b) {
  return std::equal(a.all().begin(), a.all().end(), b.all().begin(), b.all().end(),
                    [](const EpcResource& x, const EpcResource& y) {
                      return x.name == y.name && x.bytes_per_unit == y.bytes_per_unit;
                    });
}

}  // namespace epc
