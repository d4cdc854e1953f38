#include "scheduler/observability/observability.h"

#include <utility>

#include "model/epc_usage.h"
#include "scheduler/observability/debug_state.h"
#include "scheduler/observability/state_report.h"
#include "scheduler/observability/status_page.h"

namespace epc {
namespace {

ScrapeSources scrape_sources(const ClusterState& state, const ObservabilityOptions& options,
                             std::function<std::shared_ptr<const PlacementPolicy>()> policy,
                             std::function<Readiness()> readiness) {
  ScrapeSources sources;
  sources.usage = [&state, policy = std::move(policy)] {
    return epc_usage(*state.snapshot(), *policy());
  };
  sources.readiness = std::move(readiness);
  sources.watches = options.watches;
  sources.config_reloads = options.config_reloads;
  sources.events = options.events;
  sources.consolidation = options.consolidation;
  sources.connections = options.connections;
  return sources;
}

}  // namespace

Observability::Observability(const ClusterState& state, ObservabilityOptions options)
    : state_(state),
      options_(std::move(options)),
      metrics_(options_.version,
               scrape_sources(
                   state_, options_, [this] { return policy(); }, [this] { return readiness(); })),
      decisions_(options_.decisions_shown) {}

void Observability::observe_decision(const Decision& decision) {
  metrics_.observe_decision(decision);
  decisions_.record(decision);
  if (auto waited = stale_views_.observe(decision)) metrics_.observe_turned_away_wait(*waited);
}

void Observability::observe_reply(Verb verb, Outcome outcome,
                                  std::chrono::duration<double> elapsed) {
  metrics_.observe_reply(verb, outcome, elapsed);
}

std::vector<Page> Observability::pages() const {
  return {
      {"/metrics", std::string(ExtenderMetrics::kContentType),
       [this] { return metrics_.exposition(); }},
      {"/debug/state", "application/json", [this] { return debug_state(); }},
      {"/status", "text/html; charset=utf-8", [this] { return status_page(); }},
  };
}

std::vector<Page> Observability::monitoring_pages() const {
  std::vector<Page> all = pages();
  std::erase_if(all, [](const Page& page) { return page.path != "/metrics"; });
  return all;
}

std::shared_ptr<const PlacementPolicy> Observability::policy() const {
  std::shared_ptr<const PlacementPolicy> policy = options_.policy ? options_.policy() : nullptr;
  return policy ? policy : std::make_shared<const PlacementPolicy>();
}

Readiness Observability::readiness() const {
  return options_.readiness ? options_.readiness() : Readiness{true, {}};
}

std::string Observability::debug_state() const {
  return encode_debug_state(state_report(state_, *policy(), readiness()));
}

std::string Observability::status_page() const {
  StatusPageInput input;
  input.state = state_report(state_, *policy(), readiness());
  input.decisions = decisions_.recent();
  input.stale_views = stale_views_.summary();
  input.version = options_.version;
  input.now = std::chrono::system_clock::now();
  input.refresh_seconds = options_.refresh_seconds;
  if (options_.consolidation) input.consolidation = options_.consolidation();
  return render_status_page(input);
}

}  // namespace epc
