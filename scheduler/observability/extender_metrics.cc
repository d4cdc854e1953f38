#include "scheduler/observability/extender_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <utility>

namespace epc {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// From 0.5 ms (a NodeNames filter of a few hundred nodes) to kube-scheduler's 5 s default
// extender timeout, where a slower answer is a failed call anyway.
const prometheus::Histogram::BucketBoundaries kDurationBuckets{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

// From a prompt retry (kube-scheduler's 1 s initial backoff) to past its 5-minute flush of parked
// pods, which is what a pod answered "no" from a stale view waits for.
const prometheus::Histogram::BucketBoundaries kWaitBuckets{0.1, 0.5, 1,   2,   5,    10,  30,
                                                           60,  120, 300, 600, 1800, 3600};

// One EPC figure, exposed per node and per pool under the same suffix.
struct EpcField {
  std::string_view suffix;
  std::string_view help;
  int64_t EpcTotals::*value;
};
constexpr EpcField kEpcFields[] = {
    {"capacity_bytes", "EPC the device plugin publishes (allocatable)", &EpcTotals::capacity_bytes},
    {"committed_bytes", "EPC requested by pods bound there that have not terminated",
     &EpcTotals::committed_bytes},
    {"reserved_bytes", "EPC held for pods being placed there whose binding is not seen yet",
     &EpcTotals::reserved_bytes},
    {"free_bytes", "EPC neither committed nor reserved", &EpcTotals::free_bytes},
    {"pods", "pods holding EPC there", &EpcTotals::epc_pods},
};

MetricFamily family(std::string name, std::string help, MetricType type) {
  MetricFamily result;
  result.name = std::move(name);
  result.help = std::move(help);
  result.type = type;
  return result;
}

void add_sample(MetricFamily& into, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  if (into.type == MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  into.metric.push_back(std::move(metric));
}

void collect_usage(const EpcUsage& usage, std::vector<MetricFamily>& out) {
  for (const EpcField& field : kEpcFields) {
    MetricFamily nodes =
        family("epc_extender_node_epc_" + std::string(field.suffix),
               "Per confidential node: " + std::string(field.help) + ".", MetricType::Gauge);
    for (const NodeUsage& node : usage.nodes) {
      add_sample(nodes, {{"node", node.name}, {"pool", node.pool}},
                 static_cast<double>(node.epc.*field.value));
    }
    MetricFamily pools = family("epc_extender_pool_epc_" + std::string(field.suffix),
                                "Per pool of confidential nodes: " + std::string(field.help) + ".",
                                MetricType::Gauge);
    for (const PoolUsage& pool : usage.pools) {
      add_sample(pools, {{"pool", pool.name}}, static_cast<double>(pool.epc.*field.value));
    }
    out.push_back(std::move(nodes));
    out.push_back(std::move(pools));
  }
  MetricFamily pool_nodes =
      family("epc_extender_pool_nodes", "Confidential nodes per pool.", MetricType::Gauge);
  for (const PoolUsage& pool : usage.pools) {
    add_sample(pool_nodes, {{"pool", pool.name}}, static_cast<double>(pool.nodes));
  }
  out.push_back(std::move(pool_nodes));
  MetricFamily general =
      family("epc_extender_general_nodes",
             "Nodes the scoring config does not count as confidential.", MetricType::Gauge);
  add_sample(general, {}, static_cast<double>(usage.general_nodes));
  out.push_back(std::move(general));
}

void collect_watches(const std::vector<WatchStatus>& watches, std::vector<MetricFamily>& out) {
  MetricFamily relists =
      family("epc_extender_watch_relists_total",
             "Full re-lists after the first (410 Gone, expired continue).", MetricType::Counter);
  MetricFamily restarts = family("epc_extender_watch_restarts_total",
                                 "Watches opened again after the first.", MetricType::Counter);
  MetricFamily events =
      family("epc_extender_watch_events_total", "Watch events applied.", MetricType::Counter);
  MetricFamily open =
      family("epc_extender_watch_open", "1 while a watch is open, else 0.", MetricType::Gauge);
  MetricFamily age =
      family("epc_extender_watch_seconds_since_last_event",
             "Seconds since the last watch event (absent before the first).", MetricType::Gauge);
  const auto now = std::chrono::steady_clock::now();
  for (const WatchStatus& watch : watches) {
    const std::vector<ClientMetric::Label> labels{{"resource", watch.resource}};
    add_sample(relists, labels, static_cast<double>(watch.relists));
    add_sample(restarts, labels, static_cast<double>(watch.watch_restarts));
    add_sample(events, labels, static_cast<double>(watch.events));
    add_sample(open, labels, watch.watching ? 1 : 0);
    if (watch.last_event) {
      add_sample(age, labels, std::chrono::duration<double>(now - *watch.last_event).count());
    }
  }
  for (MetricFamily* one : {&relists, &restarts, &events, &open, &age}) {
    out.push_back(std::move(*one));
  }
}

void collect_config(const ConfigReloadCounts& counts, std::vector<MetricFamily>& out) {
  MetricFamily reloads = family("epc_extender_config_reloads_total",
                                "Scoring config reloads: success (a new config in force) or "
                                "failure (the file was refused; the old config stays).",
                                MetricType::Counter);
  add_sample(reloads, {{"result", "success"}}, static_cast<double>(counts.applied));
  add_sample(reloads, {{"result", "failure"}}, static_cast<double>(counts.failed));
  out.push_back(std::move(reloads));
}

void collect_events(const EventCounts& counts, std::vector<MetricFamily>& out) {
  MetricFamily events =
      family("epc_extender_events_total",
             "Kubernetes Events about pods no node fits: posted, failed (API error), suppressed "
             "(the pod had one recently) or rate_limited.",
             MetricType::Counter);
  add_sample(events, {{"result", "posted"}}, static_cast<double>(counts.posted));
  add_sample(events, {{"result", "failed"}}, static_cast<double>(counts.failed));
  add_sample(events, {{"result", "suppressed"}}, static_cast<double>(counts.suppressed));
  add_sample(events, {{"result", "rate_limited"}}, static_cast<double>(counts.rate_limited));
  out.push_back(std::move(events));
}

void collect_consolidation(const ConsolidationStatus& status, std::vector<MetricFamily>& out) {
  const auto count = [](uint64_t value) { return static_cast<double>(value); };
  MetricFamily runs = family("epc_extender_consolidation_runs_total",
                             "Consolidation runs: completed (planned, and carried out what the "
                             "plan allowed), skipped (disabled, standby, quiet hours, budgets) or "
                             "failed (an API error or an eviction refusal stopped it).",
                             MetricType::Counter);
  add_sample(runs, {{"result", "completed"}}, count(status.runs_completed));
  add_sample(runs, {{"result", "skipped"}}, count(status.runs_skipped));
  add_sample(runs, {{"result", "failed"}}, count(status.runs_failed));
  MetricFamily planned = family("epc_extender_consolidation_planned_evictions_total",
                                "Evictions in plans confirmed on a fresh read, dry runs included.",
                                MetricType::Counter);
  add_sample(planned, {}, count(status.planned_evictions));
  MetricFamily evictions = family("epc_extender_consolidation_evictions_total",
                                  "Eviction API calls: evicted (or the pod was gone), refused "
                                  "(429: a PodDisruptionBudget) or failed.",
                                  MetricType::Counter);
  add_sample(evictions, {{"result", "evicted"}}, count(status.evictions));
  add_sample(evictions, {{"result", "refused"}}, count(status.evictions_refused));
  add_sample(evictions, {{"result", "failed"}}, count(status.evictions_failed));
  MetricFamily drains =
      family("epc_extender_consolidation_drains_total",
             "Drain taints added (started) and removed (ended).", MetricType::Counter);
  add_sample(drains, {{"event", "started"}}, count(status.drains_started));
  add_sample(drains, {{"event", "ended"}}, count(status.drains_ended));
  MetricFamily draining = family("epc_extender_consolidation_draining_nodes",
                                 "Nodes draining as of the last run.", MetricType::Gauge);
  add_sample(draining, {}, count(status.draining.size()));
  MetricFamily leader =
      family("epc_extender_consolidation_leader",
             "1 when this replica holds the consolidation lease.", MetricType::Gauge);
  add_sample(leader, {}, status.leader ? 1.0 : 0.0);
  for (MetricFamily* one : {&runs, &planned, &evictions, &drains, &draining, &leader}) {
    out.push_back(std::move(*one));
  }
}

void collect_connections(const ConnectionCounts& counts, std::vector<MetricFamily>& out) {
  MetricFamily open =
      family("epc_extender_connections_open",
             "Client connections open at the last check (once a second).", MetricType::Gauge);
  add_sample(open, {}, static_cast<double>(counts.open));
  out.push_back(std::move(open));
  MetricFamily closed =
      family("epc_extender_connections_closed_total",
             "Connections the server closed: read_timeout (a request arrived too slowly), idle "
             "(no traffic for --idle-timeout) or over_limit (beyond --max-connections).",
             MetricType::Counter);
  for (const CloseReason reason :
       {CloseReason::kReadTimeout, CloseReason::kIdle, CloseReason::kOverLimit}) {
    add_sample(closed, {{"reason", std::string(to_string(reason))}},
               static_cast<double>(counts.closed_for(reason)));
  }
  out.push_back(std::move(closed));
}

void collect_readiness(const Readiness& readiness, std::vector<MetricFamily>& out) {
  MetricFamily ready =
      family("epc_extender_ready", "1 while the cluster view can be trusted (as /readyz), else 0.",
             MetricType::Gauge);
  add_sample(ready, {}, readiness.ready ? 1 : 0);
  out.push_back(std::move(ready));
}

size_t index_of(Verb verb) {
  return static_cast<size_t>(verb);
}
size_t index_of(Outcome outcome) {
  return static_cast<size_t>(outcome);
}

}  // namespace

ExtenderMetrics::ExtenderMetrics(std::string_view version, ScrapeSources sources)
    : sources_(std::move(sources)), registry_(std::make_shared<prometheus::Registry>()) {
  auto& requests = prometheus::BuildCounter()
                       .Name("epc_extender_requests_total")
                       .Help(
                           "Extender calls answered, by verb and outcome (success, "
                           "unschedulable: no node fits, error: the protocol's Error, invalid: "
                           "HTTP 4xx).")
                       .Register(*registry_);
  auto& durations = prometheus::BuildHistogram()
                        .Name("epc_extender_request_duration_seconds")
                        .Help("Time from a call's arrival to its reply, body transfer included.")
                        .Register(*registry_);
  for (const Verb verb : kAllVerbs) {
    for (const Outcome outcome : kAllOutcomes) {
      // Only filter can find that no node fits; other verbs have no such series.
      if (outcome == Outcome::kUnschedulable && verb != Verb::kFilter) continue;
      const prometheus::Labels labels{{"verb", std::string(to_string(verb))},
                                      {"outcome", std::string(to_string(outcome))}};
      requests_[index_of(verb)][index_of(outcome)] = &requests.Add(labels);
      durations_[index_of(verb)][index_of(outcome)] = &durations.Add(labels, kDurationBuckets);
    }
  }
  auto& considered = prometheus::BuildCounter()
                         .Name("epc_extender_nodes_considered_total")
                         .Help("Candidate nodes judged, by verb.")
                         .Register(*registry_);
  for (const Verb verb : kAllVerbs) {
    nodes_considered_[index_of(verb)] = &considered.Add({{"verb", std::string(to_string(verb))}});
  }
  auto& rejected = prometheus::BuildCounter()
                       .Name("epc_extender_nodes_rejected_total")
                       .Help("Nodes filter turned away, by reason.")
                       .Register(*registry_);
  for (size_t i = 1; i < kFitCauseCount; ++i) {  // kNone is not a rejection
    nodes_rejected_[i] =
        &rejected.Add({{"reason", std::string(to_string(static_cast<FitCause>(i)))}});
  }
  bind_conflicts_ = &prometheus::BuildCounter()
                         .Name("epc_extender_bind_conflicts_total")
                         .Help(
                             "Bind calls refused because the EPC was no longer free or the pod "
                             "was bound elsewhere.")
                         .Register(*registry_)
                         .Add({});
  bind_rollbacks_ = &prometheus::BuildCounter()
                         .Name("epc_extender_bind_rollbacks_total")
                         .Help(
                             "Bindings the API server refused after the EPC was committed; the "
                             "commitment was undone.")
                         .Register(*registry_)
                         .Add({});
  auto& rechecks = prometheus::BuildCounter()
                       .Name("epc_extender_rechecks_total")
                       .Help(
                           "Filters about to turn a pod away on every node that read nodes and "
                           "pods afresh first, by outcome (reversed: a node then passed; "
                           "confirmed: none did; failed: none did and some reads got no answer).")
                       .Register(*registry_);
  for (const RecheckOutcome outcome :
       {RecheckOutcome::kReversed, RecheckOutcome::kConfirmed, RecheckOutcome::kFailed}) {
    rechecks_[static_cast<size_t>(outcome)] =
        &rechecks.Add({{"outcome", std::string(to_string(outcome))}});
  }
  recheck_reads_ = &prometheus::BuildCounter()
                        .Name("epc_extender_recheck_reads_total")
                        .Help("Reads of nodes and pods that rechecks planned.")
                        .Register(*registry_)
                        .Add({});
  recheck_read_failures_ =
      &prometheus::BuildCounter()
           .Name("epc_extender_recheck_read_failures_total")
           .Help("Planned recheck reads that got no usable answer or were not made (rate limit).")
           .Register(*registry_)
           .Add({});
  recheck_duration_ =
      &prometheus::BuildHistogram()
           .Name("epc_extender_recheck_duration_seconds")
           .Help("Time a recheck added to its filter: its reads and the new decision.")
           .Register(*registry_)
           .Add({}, kDurationBuckets);
  turned_away_wait_ =
      &prometheus::BuildHistogram()
           .Name("epc_extender_turned_away_wait_seconds")
           .Help(
               "For EPC pods filter turned away on every node: time from the last such answer "
               "to the filter that let the pod through.")
           .Register(*registry_)
           .Add({}, kWaitBuckets);
  prometheus::BuildGauge()
      .Name("epc_extender_build_info")
      .Help("Always 1; the version label says which epc-extender runs.")
      .Register(*registry_)
      .Add({{"version", std::string(version)}})
      .Set(1);
}

ExtenderMetrics::~ExtenderMetrics() = default;

void ExtenderMetrics::observe_reply(Verb verb, Outcome outcome,
                                    std::chrono::duration<double> elapsed) {
  prometheus::Counter* requests = requests_[index_of(verb)][index_of(outcome)];
  if (requests == nullptr) return;  // an outcome the verb cannot have
  requests->Increment();
  durations_[index_of(verb)][index_of(outcome)]->Observe(elapsed.count());
}

void ExtenderMetrics::observe_decision(const Decision& decision) {
  nodes_considered_[index_of(decision.verb)]->Increment(
      static_cast<double>(decision.nodes_considered));
  for (const RejectionGroup& group : decision.rejected) {
    if (prometheus::Counter* counter = nodes_rejected_[static_cast<size_t>(group.cause)]) {
      counter->Increment(static_cast<double>(group.nodes));
    }
  }
  if (decision.bind == BindEffect::kConflict) bind_conflicts_->Increment();
  if (decision.bind == BindEffect::kRolledBack) bind_rollbacks_->Increment();
  if (prometheus::Counter* counter = rechecks_[static_cast<size_t>(decision.recheck.outcome)]) {
    counter->Increment();
    recheck_reads_->Increment(static_cast<double>(decision.recheck.reads));
    recheck_read_failures_->Increment(static_cast<double>(decision.recheck.failures));
    recheck_duration_->Observe(std::chrono::duration<double>(decision.recheck.took).count());
  }
}

void ExtenderMetrics::observe_turned_away_wait(std::chrono::duration<double> waited) {
  turned_away_wait_->Observe(waited.count());
}

std::string ExtenderMetrics::exposition() const {
  std::vector<MetricFamily> families = registry_->Collect();
  if (sources_.readiness) collect_readiness(sources_.readiness(), families);
  if (sources_.usage) collect_usage(sources_.usage(), families);
  if (sources_.watches) collect_watches(sources_.watches(), families);
  if (sources_.config_reloads) collect_config(sources_.config_reloads(), families);
  if (sources_.events) collect_events(sources_.events(), families);
  if (sources_.connections) collect_connections(sources_.connections(), families);
  if (sources_.consolidation) collect_consolidation(sources_.consolidation(), families);
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace epc
