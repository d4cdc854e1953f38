// Observability: puts the operator views together for the binary: it feeds each call's decision
// and reply to the metrics and the decision log, and hands the HTTP server its pages (/metrics,
// /debug/state, /status).
//
// Everything it shows is read from its owners when a page is asked for (the cluster state through
// one snapshot, the policy in force, the state source's readiness and watches), so it keeps no
// copy that could go stale. main() adds its own observers (the log line, Kubernetes Events) beside
// it; tests build it with the pieces they need.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/cluster_state.h"
#include "model/placement_policy.h"
#include "scheduler/extender/decision.h"
#include "scheduler/http/page.h"
#include "scheduler/observability/decision_log.h"
#include "scheduler/observability/extender_metrics.h"
#include "scheduler/observability/stale_views.h"
#include "scheduler/state/state_source.h"

namespace epc {

struct ObservabilityOptions {
  std::string version;
  std::function<std::shared_ptr<const PlacementPolicy>()> policy;  // empty: the defaults
  std::function<Readiness()> readiness;                            // empty: always ready
  std::function<std::vector<WatchStatus>()> watches;               // empty: no watch metrics
  std::function<ConfigReloadCounts()> config_reloads;              // empty: no reload metrics
  std::function<EventCounts()> events;                             // empty: no event metrics
  std::function<ConnectionCounts()> connections;                   // empty: no connection metrics
  std::function<ConsolidationStatus()> consolidation;  // empty: consolidation is not running
  size_t decisions_shown = 50;
  int refresh_seconds = 5;  // how often /status reloads itself
};

class Observability {
 public:
  // `state` must outlive this object.
  Observability(const ClusterState& state, ObservabilityOptions options);

  void observe_decision(const Decision& decision);
  void observe_reply(Verb verb, Outcome outcome, std::chrono::duration<double> elapsed);
  // /metrics, /debug/state and /status; they refer to this object, which must outlive the server.
  std::vector<Page> pages() const;
  // The pages that name no pod and change nothing (/metrics), for a listener that kubelet and
  // Prometheus reach but the scheduler's callers need not (--monitoring-listen).
  std::vector<Page> monitoring_pages() const;

  const ExtenderMetrics& metrics() const { return metrics_; }
  const DecisionLog& decisions() const { return decisions_; }
  const StaleViews& stale_views() const { return stale_views_; }

 private:
  std::shared_ptr<const PlacementPolicy> policy() const;
  Readiness readiness() const;
  std::string debug_state() const;
  std::string status_page() const;

  const ClusterState& state_;
  ObservabilityOptions options_;
  ExtenderMetrics metrics_;
  DecisionLog decisions_;
  StaleViews stale_views_;
};

}  // namespace epc
