// ExtenderMetrics: epc-extender's Prometheus metrics and their text exposition (/metrics).
//
// Served from the extender's own listener through prometheus-cpp's TextSerializer rather than its
// Exposer on a second port: one port to reach, protect (NetworkPolicy, TLS) and point probes and
// the ServiceMonitor at, and no second embedded web server (civetweb) with its own threads and
// request parser to harden.
//
// Two kinds of series. Counters and histograms of calls change as calls are answered; every
// verb × outcome series is created up front, so the request path only increments (no label
// look-up, no lock). Everything that describes a state (EPC per node and pool, watches, config
// reloads, events) is read from its owner at scrape time through ScrapeSources: a deleted node's
// series disappears with it, and nothing is computed that nobody reads. Labels stay bounded: verb,
// outcome, reason and result are closed sets; node and pool follow the cluster's confidential
// nodes; no pod ever becomes a label.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/epc_usage.h"
#include "model/fit.h"
#include "scheduler/consolidate/consolidation_status.h"
#include "scheduler/extender/decision.h"
#include "scheduler/extender/verb.h"
#include "scheduler/http/connection_deadlines.h"
#include "scheduler/state/state_source.h"

namespace prometheus {
class Counter;
class Histogram;
class Registry;
}  // namespace prometheus

namespace epc {

struct ConfigReloadCounts {
  uint64_t applied = 0;  // new configs published
  uint64_t failed = 0;   // files refused (unreadable, invalid)
};

struct EventCounts {
  uint64_t posted = 0;
  uint64_t failed = 0;        // the API server refused or could not be reached
  uint64_t suppressed = 0;    // the pod had an event within the per-pod interval
  uint64_t rate_limited = 0;  // over the global rate
};

// Where scrape-time values come from; an empty function leaves its families out.
struct ScrapeSources {
  std::function<EpcUsage()> usage;
  std::function<Readiness()> readiness;
  std::function<std::vector<WatchStatus>()> watches;
  std::function<ConfigReloadCounts()> config_reloads;
  std::function<EventCounts()> events;
  std::function<ConnectionCounts()> connections;       // the listener's (see ConnectionLimits)
  std::function<ConsolidationStatus()> consolidation;  // the live loop's, when it runs
};

class ExtenderMetrics {
 public:
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  ExtenderMetrics(std::string_view version, ScrapeSources sources);
  ~ExtenderMetrics();
  ExtenderMetrics(const ExtenderMetrics&) = delete;
  ExtenderMetrics& operator=(const ExtenderMetrics&) = delete;

  // A verb call's reply (VerbReplyObserver): requests_total and request_duration_seconds.
  void observe_reply(Verb verb, Outcome outcome, std::chrono::duration<double> elapsed);
  // A verb call's decision (DecisionObserver): nodes considered and rejected, bind effects,
  // filter's rechecks.
  void observe_decision(const Decision& decision);
  // How long a pod filter turned away waited until filter let it through (StaleViews).
  void observe_turned_away_wait(std::chrono::duration<double> waited);

  // The Prometheus text exposition of every series, as of now.
  std::string exposition() const;

 private:
  static constexpr size_t kVerbs = std::size(kAllVerbs);
  static constexpr size_t kOutcomes = std::size(kAllOutcomes);

  ScrapeSources sources_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::array<std::array<prometheus::Counter*, kOutcomes>, kVerbs> requests_{};
  std::array<std::array<prometheus::Histogram*, kOutcomes>, kVerbs> durations_{};
  std::array<prometheus::Counter*, kVerbs> nodes_considered_{};
  std::array<prometheus::Counter*, kFitCauseCount> nodes_rejected_{};
  prometheus::Counter* bind_conflicts_ = nullptr;
  prometheus::Counter* bind_rollbacks_ = nullptr;
  std::array<prometheus::Counter*, 4> rechecks_{};  // by RecheckOutcome; kNone has none
  prometheus::Counter* recheck_reads_ = nullptr;
  prometheus::Counter* recheck_read_failures_ = nullptr;
  prometheus::Histogram* recheck_duration_ = nullptr;
  prometheus::Histogram* turned_away_wait_ = nullptr;
};

}  // namespace epc
