// FreshReader: reads nodes and pods from the API server, consistently, for a filter that is about
// to turn a pod away on every node (model/recheck_plan.h).
//
// The verb handlers only know this interface, as they only know PodBinder, so they stay
// independent of the API client and testable with a fake that answers as a test needs.
// Implementations must not block the calling thread: `done` is called exactly once, on whatever
// thread the last answer arrives, with every planned read either answered or in `failures` (or
// counted in `skipped`, when the read budget was spent).
#pragma once

#include <functional>

#include "model/fresh_reads.h"
#include "model/recheck_plan.h"

namespace epc {

class FreshReader {
 public:
  using Done = std::function<void(FreshReads)>;
  virtual ~FreshReader() = default;
  virtual void read(RecheckPlan plan, Done done) const = 0;
};

}  // namespace epc
