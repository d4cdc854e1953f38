#include "config/config_printer.h"

#include <yaml-cpp/yaml.h>

#include "model/quantity.h"

namespace epc {
namespace {

void emit_resources(YAML::Emitter& out, const EpcResources& resources) {
  out << YAML::Key << "epcResources" << YAML::Value << YAML::BeginSeq;
  for (const EpcResource& resource : resources.all()) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << resource.name << YAML::Key
        << "unit" << YAML::Value << YAML::DoubleQuoted << format_bytes(resource.bytes_per_unit)
        << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void emit_strategy(YAML::Emitter& out, const PlacementPolicy& policy) {
  out << YAML::Key << "strategy" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << std::string(to_string(policy.strategy));
  out << YAML::Key << "normalization" << YAML::Value
      << std::string(to_string(policy.normalization));
  out << YAML::Key << "ratio" << YAML::Value << YAML::BeginMap << YAML::Key << "shape"
      << YAML::Value << YAML::BeginSeq;
  for (const ShapePoint& point : policy.effective_shape()) {
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "utilization" << YAML::Value
        << point.utilization << YAML::Key << "score" << YAML::Value << point.score << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  out << YAML::Key << "bestfit" << YAML::Value << YAML::BeginMap << YAML::Key << "historySize"
      << YAML::Value << policy.bestfit_history << YAML::EndMap;
  out << YAML::EndMap;
}

void emit_headroom(YAML::Emitter& out, const Headroom& headroom) {
  out << YAML::Key << "headroom" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "amount" << YAML::Value << YAML::DoubleQuoted << format_bytes(headroom.bytes);
  out << YAML::Key << "percent" << YAML::Value << headroom.percent;
  out << YAML::Key << "forPriorityAtLeast" << YAML::Value;
  if (headroom.min_priority) {
    out << *headroom.min_priority;
  } else {
    out << YAML::Null;
  }
  out << YAML::Key << "forNamespaces" << YAML::Value << YAML::Flow << headroom.namespaces;
  out << YAML::EndMap;
}

void emit_overrides(YAML::Emitter& out, const PlacementPolicy& policy) {
  out << YAML::Key << "overrides" << YAML::Value << YAML::BeginMap << YAML::Key << "allowed"
      << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const OverrideKey key : policy.allowed_overrides) out << std::string(to_string(key));
  out << YAML::EndSeq << YAML::EndMap;
}

// "1h30m", "10m", "45s", "0s": what read_duration reads back.
std::string format_duration(int64_t seconds) {
  if (seconds == 0) return "0s";
  std::string text;
  if (seconds >= 3600) text += std::to_string(seconds / 3600) + "h";
  if (seconds % 3600 >= 60) text += std::to_string(seconds % 3600 / 60) + "m";
  if (seconds % 60 > 0) text += std::to_string(seconds % 60) + "s";
  return text;
}

std::string format_clock(int32_t minute) {
  const auto two = [](int32_t value) { return (value < 10 ? "0" : "") + std::to_string(value); };
  return two(minute / 60) + ":" + two(minute % 60);
}

void emit_consolidation(YAML::Emitter& out, const ConsolidationSettings& settings) {
  out << YAML::Key << "consolidation" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "enabled" << YAML::Value << settings.enabled;
  out << YAML::Key << "dryRun" << YAML::Value << settings.dry_run;
  out << YAML::Key << "interval" << YAML::Value << format_duration(settings.interval_seconds);
  out << YAML::Key << "maxEvictionsPerRun" << YAML::Value << settings.max_evictions_per_run;
  out << YAML::Key << "maxEvictionsPerHour" << YAML::Value << settings.max_evictions_per_hour;
  out << YAML::Key << "maxDrainingNodes" << YAML::Value << settings.max_draining_nodes;
  out << YAML::Key << "maxPriority" << YAML::Value << settings.max_priority;
  out << YAML::Key << "minPodAge" << YAML::Value << format_duration(settings.min_pod_age_seconds);
  out << YAML::Key << "drainHold" << YAML::Value << format_duration(settings.drain_hold_seconds);
  out << YAML::Key << "quietHours" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const QuietWindow& window : settings.quiet_hours) {
    out << YAML::DoubleQuoted
        << format_clock(window.start_minute) + "-" + format_clock(window.end_minute);
  }
  out << YAML::EndSeq << YAML::EndMap;
}

}  // namespace

std::string format_config(const ScoringConfig& config) {
  const PlacementPolicy& policy = config.policy;
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << std::string(kScoringConfigApiVersion);
  out << YAML::Key << "kind" << YAML::Value << std::string(kScoringConfigKind);
  emit_resources(out, config.resources);
  out << YAML::Key << "confidentialNodes" << YAML::Value << YAML::BeginMap << YAML::Key
      << "selector" << YAML::Value << YAML::DoubleQuoted << policy.confidential_selector.text()
      << YAML::Key << "rule" << YAML::Value << std::string(to_string(policy.confidential_rule))
      << YAML::EndMap;
  out << YAML::Key << "pools" << YAML::Value << YAML::BeginMap << YAML::Key << "labelKey"
      << YAML::Value << YAML::DoubleQuoted << policy.pool_label_key << YAML::EndMap;
  emit_strategy(out, policy);
  emit_headroom(out, policy.headroom);
  out << YAML::Key << "nonEpcPods" << YAML::Value << YAML::BeginMap << YAML::Key << "policy"
      << YAML::Value << std::string(to_string(policy.non_epc_pods)) << YAML::Key
      << "confidentialNodeScore" << YAML::Value << policy.confidential_node_score << YAML::EndMap;
  emit_overrides(out, policy);
  out << YAML::Key << "extender" << YAML::Value << YAML::BeginMap << YAML::Key << "weight"
      << YAML::Value << config.extender.weight << YAML::Key << "verbs" << YAML::Value << YAML::Flow
      << config.extender.verbs << YAML::EndMap;
  emit_consolidation(out, config.consolidation);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace epc
