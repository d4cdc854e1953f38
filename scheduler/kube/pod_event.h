// PodEvent: the Kubernetes Event that tells an operator, on the pod itself, why the extender
// rejected it everywhere; and which decisions deserve one.
//
// kube-scheduler's own FailedScheduling event counts the per-node reasons, which carry each
// node's numbers and so hardly group; this Event adds the summary by pool and cause
// (describe_rejections) to the pod's `kubectl describe` page. Only filter calls that reject the
// pod on every node, or fail because of the pod's own request, qualify: a not-ready extender is
// not the pod's fault, and every other verb is reported by kube-scheduler itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "scheduler/extender/decision.h"

namespace epc {

inline constexpr std::string_view kEventComponent = "epc-extender";
inline constexpr std::string_view kReasonUnschedulable = "EPCUnschedulable";
inline constexpr std::string_view kReasonInvalidRequest = "InvalidEPCRequest";
// The API server's limit on an Event's message (note), in bytes.
inline constexpr size_t kMaxEventMessageBytes = 1024;
// The API server's limit on reportingInstance.
inline constexpr size_t kMaxReportingInstanceBytes = 128;

struct PodEvent {
  std::string pod_namespace;
  std::string pod_name;
  std::string pod_uid;  // may be empty: the Event then names the pod without it
  std::string reason;   // kReasonUnschedulable or kReasonInvalidRequest (or consolidation's)
  std::string message;  // at most kMaxEventMessageBytes, cut at a UTF-8 boundary
  // Consolidation also reports on nodes: "Node" with pod_namespace "default" (where Events on
  // cluster-scoped objects go) and pod_name the node's name.
  std::string object_kind = "Pod";
  std::string type = "Warning";  // or "Normal"
  std::string action = "Scheduling";
};

// The Event a decision deserves, or nullopt: a filter call that left no node (EPCUnschedulable
// with the rejection summary; InvalidEPCRequest when every node refused only the pod's override)
// or that failed on the pod's own request (InvalidEPCRequest with the error), for a named pod.
std::optional<PodEvent> event_for(const Decision& decision);

// `text` cut to at most `max_bytes`, ending in "..." when cut, never inside a UTF-8 sequence.
std::string truncate_message(std::string text, size_t max_bytes = kMaxEventMessageBytes);

// "<pod name>.<16 hex digits of `unique`>", the pod name shortened so that the whole stays a DNS
// subdomain of at most 253 characters (as client-go names Events, which use the time instead).
std::string event_name(std::string_view pod_name, uint64_t unique);

// "2024-05-01T12:00:00Z": metav1.Time's encoding, whole seconds in UTC.
std::string rfc3339(std::chrono::system_clock::time_point at);

// The core/v1 Event as JSON, count 1, first and last seen `at`.
std::string event_json(const PodEvent& event, const std::string& name,
                       std::chrono::system_clock::time_point at,
                       std::string_view reporting_instance);

}  // namespace epc
