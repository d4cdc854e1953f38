// DecisionLog: the last few decisions the extender made, for the /status page, so an operator can
// see why a pod is pending without raising the log level.
//
// A bounded ring behind a mutex: recording is a short critical section on the request thread, and
// the page copies the entries out. Prioritize calls are not kept: kube-scheduler sends one per pod
// right after filter, they would push the filter and bind entries that explain a pod out of the
// ring, and the bind that follows names the chosen node anyway. Filter, bind and preempt are kept.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "scheduler/extender/decision.h"
#include "scheduler/extender/verb.h"

namespace epc {

struct DecisionEntry {
  std::chrono::system_clock::time_point at;
  Verb verb = Verb::kFilter;
  Outcome outcome = Outcome::kSuccess;
  std::string pod;   // "namespace/name", or "" without a pod
  std::string node;  // bind: the target; filter: the only node left
  int64_t epc_bytes = 0;
  std::chrono::nanoseconds duration{0};
  std::string reason;  // the decision's message, else its rejections summary
};

class DecisionLog {
 public:
  explicit DecisionLog(size_t capacity = 50);

  // Keeps `decision` unless it is a prioritize call; the oldest entry goes when full.
  void record(const Decision& decision);
  // Newest first.
  std::vector<DecisionEntry> recent() const;

 private:
  size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<DecisionEntry> ring_;  // grows to capacity_, then is overwritten at next_
  size_t next_ = 0;
};

}  // namespace epc
