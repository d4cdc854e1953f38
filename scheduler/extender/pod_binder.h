// PodBinder: creates a pod's Binding in the API server for the bind verb.
//
// The verb handlers only know this interface, so they stay independent of the API client (and
// testable with a fake that fails on demand). Implementations must not block the calling thread:
// `done` is called exactly once, on whatever thread the outcome is known.
#pragma once

#include <functional>

#include "model/result.h"
#include "scheduler/wire/extender_args.h"

namespace epc {

class PodBinder {
 public:
  using Done = std::function<void(Result<void>)>;

  virtual ~PodBinder() = default;
  virtual void bind(const BindingArgs& binding, Done done) const = 0;
};

}  // namespace epc
