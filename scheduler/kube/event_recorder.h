// EventRecorder: posts the Kubernetes Event a decision deserves (pod_event.h), rate-limited,
// without ever waiting for the API server.
//
// kube-scheduler retries an unschedulable pod again and again, so the same rejection arrives
// every few seconds to minutes: one Event per pod per `per_pod_interval` says it once, and a token
// bucket over all Events bounds what a wave of pending pods costs the API server. observe runs on
// the request path (cpprestsdk pool threads): it decides under a short lock and starts the POST;
// a continuation counts the outcome. Failures are logged at most once per `log_interval`, with
// how many went unlogged since, so an API server that refuses Events (RBAC) cannot flood the log.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "scheduler/extender/decision.h"
#include "scheduler/kube/api_client.h"
#include "scheduler/kube/pod_event.h"
#include "scheduler/kube/recent_keys.h"
#include "scheduler/kube/token_bucket.h"
#include "scheduler/log_sink.h"

namespace epc {

struct EventRecorderOptions {
  using Clock = std::chrono::steady_clock;

  Clock::duration per_pod_interval = std::chrono::minutes(5);
  double qps = 1.0;   // Events per second on average, over all pods
  double burst = 10;  // Events at once
  // Pods remembered within the interval; beyond it the oldest are forgotten (and may get a
  // second Event early), so a flood of pending pods costs bounded memory.
  size_t max_pods = 10000;
  Clock::duration log_interval = std::chrono::minutes(1);
  std::function<Clock::time_point()> clock;  // empty: steady_clock::now
  std::string reporting_instance;            // empty: the host name (in a pod: the pod's name)
};

struct EventRecorderStats {
  uint64_t posted = 0;                // created by the API server
  uint64_t failed = 0;                // refused by it, or no answer
  uint64_t suppressed_per_pod = 0;    // the pod had an Event within per_pod_interval
  uint64_t dropped_rate_limited = 0;  // over the qps/burst limit
};

class EventRecorder {
 public:
  // `client` must outlive the recorder. POSTs still in flight when the recorder is destroyed
  // finish without logging (the sink may be gone by then).
  EventRecorder(ApiClient& client, LogSink log, EventRecorderOptions options = {});
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Posts the decision's Event if it deserves one and the limits allow; never blocks or throws.
  // Thread-safe: a DecisionObserver may call it from any thread.
  void observe(const Decision& decision);
  // Posts `event` (consolidation's, which are few and each about a change it made) within the
  // rate limit, without the per-pod interval; never blocks or throws.
  void record(const PodEvent& event);

  EventRecorderStats stats() const;

 private:
  using Clock = EventRecorderOptions::Clock;
  // The counters and the log, shared with POST continuations that may outlive the recorder.
  struct Shared;

  // Whether the pod may have an Event now; takes a token and marks the pod when it may.
  bool admit(const std::string& pod_key);
  void post(const std::string& event_namespace, std::string name, std::string json);

  ApiClient& client_;
  const std::string reporting_instance_;
  const std::function<Clock::time_point()> clock_;
  std::shared_ptr<Shared> shared_;

  // Event name suffixes: from a random start, so that replicas and restarts do not collide.
  std::atomic<uint64_t> next_unique_;

  std::mutex mutex_;  // guards the two below
  RecentKeys recent_pods_;
  TokenBucket bucket_;
};

}  // namespace epc
