#include "scheduler/kube/pod_event.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

namespace epc {
namespace {

// ExtenderService's answer while it has no trustworthy view: the extender's state, not the pod's.
constexpr std::string_view kNotReadyPrefix = "epc-extender is not ready";
constexpr size_t kMaxNameBytes = 253;  // a DNS subdomain
constexpr size_t kUniqueHexDigits = 16;

// Every node refused the pod only because the override it asks for is not allowed: the request
// itself is what needs fixing, not the cluster.
bool only_override_rejected(const Decision& decision) {
  return !decision.rejected.empty() &&
         std::all_of(
             decision.rejected.begin(), decision.rejected.end(),
             [](const RejectionGroup& group) { return group.cause == FitCause::kInvalidOverride; });
}

std::string unschedulable_message(const Decision& decision) {
  std::string summary = describe_rejections(decision);
  if (!summary.empty()) return summary;
  return std::to_string(decision.nodes_passing) + "/" + std::to_string(decision.nodes_considered) +
         " nodes fit";
}

}  // namespace

std::optional<PodEvent> event_for(const Decision& decision) {
  if (decision.verb != Verb::kFilter) return std::nullopt;
  if (decision.pod_namespace.empty() || decision.pod_name.empty()) return std::nullopt;
  PodEvent event{decision.pod_namespace, decision.pod_name, decision.pod_uid, {}, {}};
  switch (decision.outcome) {
    case Outcome::kUnschedulable:
      event.reason =
          only_override_rejected(decision) ? kReasonInvalidRequest : kReasonUnschedulable;
      event.message = unschedulable_message(decision);
      break;
    case Outcome::kError:
      if (decision.message.empty() || decision.message.starts_with(kNotReadyPrefix)) {
        return std::nullopt;
      }
      event.reason = kReasonInvalidRequest;
      event.message = decision.message;
      break;
    case Outcome::kSuccess:
    case Outcome::kInvalid:
      return std::nullopt;
  }
  event.message = truncate_message(std::move(event.message));
  return event;
}

std::string truncate_message(std::string text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  constexpr std::string_view kEllipsis = "...";
  const std::string_view ellipsis = max_bytes >= kEllipsis.size() ? kEllipsis : "";
  size_t cut = max_bytes - ellipsis.size();
  // text[cut] is the first byte dropped; a continuation byte there means its sequence began
  // before the cut and must go too.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  text += ellipsis;
  return text;
}

std::string event_name(std::string_view pod_name, uint64_t unique) {
  char suffix[kUniqueHexDigits + 1];
  std::snprintf(suffix, sizeof suffix, "%016" PRIx64, unique);
  std::string prefix(pod_name.substr(0, kMaxNameBytes - kUniqueHexDigits - 1));
  // A shortened name may end inside a label; a label must end in an alphanumeric.
  while (!prefix.empty() && (prefix.back() == '.' || prefix.back() == '-')) prefix.pop_back();
  if (prefix.empty()) return suffix;
  return prefix + "." + suffix;
}

std::string rfc3339(std::chrono::system_clock::time_point at) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[sizeof "2024-05-01T12:00:00Z"];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string event_json(const PodEvent& event, const std::string& name,
                       std::chrono::system_clock::time_point at,
                       std::string_view reporting_instance) {
  nlohmann::json involved = {
      {"apiVersion", "v1"}, {"kind", event.object_kind}, {"name", event.pod_name}};
  if (event.object_kind == "Pod") involved["namespace"] = event.pod_namespace;
  if (!event.pod_uid.empty()) involved["uid"] = event.pod_uid;
  const std::string time = rfc3339(at);
  const nlohmann::json object = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", name}, {"namespace", event.pod_namespace}}},
      {"involvedObject", std::move(involved)},
      {"type", event.type},
      {"reason", event.reason},
      {"message", event.message},
      {"action", event.action},
      {"source", {{"component", kEventComponent}}},
      {"reportingComponent", kEventComponent},
      {"reportingInstance", reporting_instance.substr(0, kMaxReportingInstanceBytes)},
      {"firstTimestamp", time},
      {"lastTimestamp", time},
      {"count", 1}};
  // Replacing invalid UTF-8 rather than throwing: the text comes from pod objects.
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace epc
