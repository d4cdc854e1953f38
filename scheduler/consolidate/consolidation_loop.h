// ConsolidationLoop: `serve`'s live consolidation. At every interval the replica that holds the
// lease plans, waits, confirms the plan on a fresh read, and then drains what still holds through
// the Eviction API.
//
// Evicting is the one thing the extender does that a user cannot undo, so every step leans to
// doing nothing:
// - only the replica holding a coordination.k8s.io Lease acts (LeaderLease), and it checks that it
//   still holds it before every eviction;
// - each run reads nodes, pods and PodDisruptionBudgets afresh (consistent lists), reviews earlier
//   drains, and plans with the config's budgets (plan_cluster); after `confirm_delay` it reads them
//   again and keeps only what still holds (confirm_cluster_plan), as Karpenter validates its
//   decision after a pause;
// - a node is tainted (drain_taint.h) before its first eviction, so the evicted pods' replacements
//   keep off it, and the taint comes off when a later run finds the drain over (drain_review.h);
// - PodDisruptionBudgets are the API server's to enforce: a 429 ends the run (the rest of the plan
//   waits for the next interval, planned anew); any other API error ends it too, and a node none
//   of whose pods was evicted yet gets its taint back off, so nothing is left half-done;
// - `consolidation.dryRun` makes the same plans and reports them without changing anything.
// What it did shows on /metrics and /status (ConsolidationStatus), in the log, and as Events on
// the pods and nodes it touched.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "config/scoring_config.h"
#include "scheduler/consolidate/consolidation_status.h"
#include "scheduler/kube/api_client.h"
#include "scheduler/kube/event_recorder.h"
#include "scheduler/kube/leader_lease.h"
#include "scheduler/log_sink.h"

namespace epc {

struct ConsolidationLoopOptions {
  // The scoring config in force, read at every run (a reload applies from the next run).
  std::function<std::shared_ptr<const ScoringConfig>()> config;
  LeaseOptions lease;
  // Between planning and the fresh read that confirms the plan.
  std::chrono::milliseconds confirm_delay = std::chrono::seconds(15);
  // How often the thread wakes to renew the lease and see whether a run is due; at most a third
  // of the lease's duration, so that a leader renews in time.
  std::chrono::milliseconds tick = std::chrono::seconds(10);
  LogSink info;
  LogSink warning;
  EventRecorder* events = nullptr;            // null: no Events
  std::function<int64_t()> now_unix_seconds;  // empty: the system clock
};

// How one run ended, for tests and the status.
enum class RunResult { kCompleted, kSkipped, kFailed };

class ConsolidationLoop {
 public:
  // `client` must outlive the loop.
  ConsolidationLoop(ApiClient& client, ConsolidationLoopOptions options);
  ~ConsolidationLoop();
  ConsolidationLoop(const ConsolidationLoop&) = delete;
  ConsolidationLoop& operator=(const ConsolidationLoop&) = delete;

  // Starts the thread: it runs when consolidation is enabled, the lease is held and the interval
  // has passed since the last run. stop() (or the destructor) ends it, releasing the lease.
  void start();
  void stop();

  // One run now, on the caller's thread (blocking; never a cpprestsdk pool thread). The thread
  // calls it; tests call it directly.
  RunResult run_once();

  ConsolidationStatus status() const;

 private:
  struct Run;  // one run's state and steps (consolidation_loop.cc)

  int64_t now() const;
  // Takes or renews the lease, and says in the status who holds it.
  Result<LeaseHold> renew_lease();
  bool sleep_for(std::chrono::milliseconds delay);  // false when stopping
  void finish(RunResult result, const std::string& outcome);
  void update(const std::function<void(ConsolidationStatus&)>& change);

  ApiClient& client_;
  const ConsolidationLoopOptions options_;
  LeaderLease lease_;

  mutable std::mutex mutex_;  // guards status_, eviction_times_ and stopping_
  ConsolidationStatus status_;
  std::vector<int64_t> eviction_times_;  // the trailing hour's, for maxEvictionsPerHour
  bool stopping_ = false;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

}  // namespace epc
