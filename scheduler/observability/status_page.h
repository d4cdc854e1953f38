// /status: one self-contained HTML page that tells an operator at a glance how much EPC each
// confidential node and pool has committed, reserved and free, whether the extender is ready, and
// why recent pods were placed or turned away.
//
// No scripts and no external assets (the extender often runs where the browser cannot reach the
// internet, and a status page must not depend on anything but the extender); the page reloads
// itself with <meta http-equiv="refresh">. Elements carry data-* attributes with exact byte counts
// so that tests and scrapers read numbers rather than rendered text:
//   div.node[data-node, data-pool, data-schedulable, data-capacity-bytes, data-committed-bytes,
//            data-reserved-bytes, data-free-bytes, data-epc-pods]
//   tr.pool[data-pool, data-nodes, data-capacity-bytes, ...], section.summary[data-*-bytes, ...]
//   tr.decision[data-verb, data-outcome, data-pod, data-node], div.banner.not-ready
//   div.card.rechecks[data-reversed, data-confirmed, data-failed, data-reads, data-turned-away,
//                     data-waits, data-wait-p50-seconds, data-wait-max-seconds]
//   section.consolidation[data-enabled, data-dry-run, data-leader, data-evictions,
//                         data-refused, data-failed, data-draining], li.planned, li.draining
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/consolidate/consolidation_status.h"
#include "scheduler/observability/decision_log.h"
#include "scheduler/observability/stale_views.h"
#include "scheduler/observability/state_report.h"

namespace epc {

struct StatusPageInput {
  StateReport state;
  std::vector<DecisionEntry> decisions;  // shown in this order (DecisionLog::recent: newest first)
  StaleViewSummary stale_views;
  std::string version;
  std::chrono::system_clock::time_point now;
  int refresh_seconds = 5;                           // 0 or less: the page does not reload itself
  std::optional<ConsolidationStatus> consolidation;  // shown when the live loop runs
};

std::string render_status_page(const StatusPageInput& input);

}  // namespace epc
