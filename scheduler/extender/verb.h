// Verb: the extender calls kube-scheduler makes, and how a call ended.
#pragma once

#include <string_view>

namespace epc {

enum class Verb { kFilter, kPrioritize, kBind, kPreempt };
inline constexpr Verb kAllVerbs[] = {Verb::kFilter, Verb::kPrioritize, Verb::kBind, Verb::kPreempt};

// How a call ended, a closed set for metric labels and logs.
enum class Outcome {
  kSuccess,        // answered; filter left at least one node, bind bound
  kUnschedulable,  // filter: no node fits the pod
  kError,    // answered with the protocol's Error (not ready, demand unreadable, bind refused)
  kInvalid,  // not a valid request (HTTP 4xx)
};
inline constexpr Outcome kAllOutcomes[] = {Outcome::kSuccess, Outcome::kUnschedulable,
                                           Outcome::kError, Outcome::kInvalid};

// "filter", "prioritize", "bind", "preempt": the path segment kube-scheduler appends.
constexpr std::string_view to_string(Verb verb) {
  switch (verb) {
    case Verb::kFilter:
      return "filter";
    case Verb::kPrioritize:
      return "prioritize";
    case Verb::kBind:
      return "bind";
    case Verb::kPreempt:
      return "preempt";
  }
  return "unknown";
}

// "success", "unschedulable", "error", "invalid".
constexpr std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kUnschedulable:
      return "unschedulable";
    case Outcome::kError:
      return "error";
    case Outcome::kInvalid:
      return "invalid";
  }
  return "unknown";
}

}  // namespace epc
