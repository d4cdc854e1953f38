// PodBinder: creates a pod's Binding in the API server for the bind verb.
//
// The verb handlers only know this interface, so they stay independent of the API client (and
// testable with a fake that fails on demand). Implementations must not block the calling thread:
// `done` is called exactly once, on whatever thread the outcome is known.
//
// The outcome is std::nullopt when the pod is bound to the node asked for, or a BindError that
// says whether the pod is certainly not bound there (kRefused) or may be bound after all
// (kUnknown). The difference matters to whoever holds EPC for the pod: a Binding is one write in
// the API server, and a request whose answer is lost (a timeout, a dropped connection) or whose
// answer does not rule the write out (a 5xx, a 429) can have bound the pod all the same. Only the
// pod's next watch event says where it went.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "scheduler/wire/extender_args.h"

namespace epc {

enum class BindFailure {
  kRefused,  // the API server answered and did not bind the pod to the node (404, 409, 403, 422)
  kUnknown,  // the pod may be bound: no answer, or an answer that does not say (5xx, 429, timeout)
};

struct BindError {
  std::string message;  // for the BindingResult and the logs
  BindFailure failure = BindFailure::kUnknown;
};

class PodBinder {
 public:
  // std::nullopt when bound.
  using Done = std::function<void(std::optional<BindError>)>;

  virtual ~PodBinder() = default;
  virtual void bind(const BindingArgs& binding, Done done) const = 0;
};

}  // namespace epc
