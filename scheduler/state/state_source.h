// StateSource: what feeds ClusterState. A cluster file and the Kubernetes API are the two sources;
// the model cannot tell which one it is fed by.
//
// A source also says whether its view can be trusted yet: the API source is not ready until its
// first lists are in, and stops being ready while it knows its view is stale (watch down past a
// grace period). Filter answers carry an Error while the source is not ready, rather than a guess
// made from an empty or stale view.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/result.h"

namespace epc {

struct Readiness {
  bool ready = false;
  std::string reason;  // why not, for /readyz and filter errors; empty when ready
  // Not ready only because the first lists are still coming in: worth waiting a moment for, unlike
  // a watch that has been failing (see ExtenderServiceOptions::startup_wait).
  bool starting = false;
};

// Progress of one list/watch feed, for metrics ("nodes", "pods").
struct WatchStatus {
  std::string resource;
  bool watching = false;
  uint64_t relists = 0;         // lists after the first (410 Gone, expired continue)
  uint64_t watch_restarts = 0;  // watches opened after the first
  uint64_t events = 0;          // watch events applied
  std::optional<std::chrono::steady_clock::time_point> last_event;
};

class StateSource {
 public:
  virtual ~StateSource() = default;

  // Starts feeding the ClusterState given at construction. Returns once started (the API source
  // syncs in the background); errors are configuration problems that retrying cannot fix.
  virtual Result<void> start() = 0;
  // Stops background work; idempotent.
  virtual void stop() = 0;
  virtual Readiness readiness() const = 0;
  // One entry per watched resource; a source that does not watch has none.
  virtual std::vector<WatchStatus> watches() const { return {}; }
};

}  // namespace epc
