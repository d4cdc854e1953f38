// StaleViews: how often filter's rechecks overturned a rejection made from a stale view, and how
// long EPC pods that filter turned away waited until it let them through.
//
// Both come from the decisions alone (Decision::recheck, and filter's outcome per pod), so the
// metrics and /status read the same numbers. The wait runs from the last filter that turned the
// pod away on every node to the first that let it through: when kube-scheduler retries a pod at
// once on the event that frees room, and the answer is right, that wait ends within a moment of
// the event; a pod answered "no" from a stale view instead shows the minutes kube-scheduler then
// parks it for. Pods are tracked by name, at most `capacity` at once (the oldest dropped).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "scheduler/extender/decision.h"

namespace epc {

struct StaleViewSummary {
  uint64_t reversed = 0;   // rechecks after which a node passed
  uint64_t confirmed = 0;  // rechecks that confirmed the rejection
  uint64_t failed = 0;     // rechecks with reads that got no answer, still rejecting
  uint64_t reads = 0;      // reads planned by rechecks
  uint64_t read_failures = 0;
  size_t turned_away = 0;       // pods turned away and not let through since (tracked)
  uint64_t waits = 0;           // pods let through after being turned away
  double wait_p50_seconds = 0;  // over the last waits (up to 256)
  double wait_max_seconds = 0;
};

class StaleViews {
 public:
  explicit StaleViews(size_t capacity = 10000);
  // Returns how long the pod waited when `decision` is a filter that lets through a pod it turned
  // away before.
  std::optional<std::chrono::duration<double>> observe(const Decision& decision);
  StaleViewSummary summary() const;

 private:
  size_t capacity_;
  mutable std::mutex mutex_;
  StaleViewSummary counts_;
  struct TurnedAway {
    std::chrono::system_clock::time_point at;
    std::list<std::string>::iterator in_order;
  };
  std::unordered_map<std::string, TurnedAway> turned_away_;
  std::list<std::string> order_;      // keys of turned_away_, oldest first
  std::vector<double> recent_waits_;  // a ring of the last waits, seconds
  size_t next_wait_ = 0;
};

}  // namespace epc
