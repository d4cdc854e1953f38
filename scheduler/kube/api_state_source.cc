#include "scheduler/kube/api_state_source.h"

#include <utility>

namespace epc {
namespace {

std::string with_detail(std::string reason, const std::string& detail) {
  if (!detail.empty()) reason += ": " + detail;
  return reason;
}

}  // namespace

Readiness reflector_readiness(ResourceKind kind, const ReflectorStatus& status,
                              ReflectorStatus::Clock::time_point now,
                              std::chrono::seconds stale_after) {
  const std::string name(resource_name(kind));
  if (!status.synced) {
    return {false, with_detail("waiting for the first list of " + name, status.last_error), true};
  }
  if (status.failing_since) {
    const auto failing =
        std::chrono::duration_cast<std::chrono::seconds>(now - *status.failing_since);
    if (failing > stale_after) {
      return {false,
              with_detail(name + " watch failing since " + std::to_string(failing.count()) + "s",
                          status.last_error)};
    }
  }
  return {true, {}};
}

ApiStateSource::ApiStateSource(KubeConnection connection, ClusterState& state, LogSink log,
                               ApiStateSourceOptions options)
    : connection_(std::move(connection)),
      state_(state),
      log_(std::move(log)),
      options_(std::move(options)) {}

ApiStateSource::~ApiStateSource() {
  stop();
}

Result<void> ApiStateSource::start() {
  if (client_) return {};
  Result<std::unique_ptr<ApiClient>> client = ApiClient::create(connection_, options_.client);
  if (!client) return client.error();
  client_ = std::move(*client);
  if (log_) log_("watching nodes and pods at " + client_->server());
  nodes_ =
      std::make_unique<Reflector>(ResourceKind::Nodes, *client_, state_, log_, options_.reflector);
  pods_ =
      std::make_unique<Reflector>(ResourceKind::Pods, *client_, state_, log_, options_.reflector);
  nodes_->start();
  pods_->start();
  return {};
}

void ApiStateSource::stop() {
  if (nodes_) nodes_->stop();
  if (pods_) pods_->stop();
}

ReflectorStatus ApiStateSource::status(ResourceKind kind) const {
  const auto& reflector = kind == ResourceKind::Nodes ? nodes_ : pods_;
  return reflector ? reflector->status() : ReflectorStatus{};
}

Readiness ApiStateSource::readiness() const {
  const auto now = ReflectorStatus::Clock::now();
  Readiness combined{true, {}};
  for (ResourceKind kind : {ResourceKind::Nodes, ResourceKind::Pods}) {
    const Readiness one = reflector_readiness(kind, status(kind), now, options_.stale_after);
    if (one.ready) continue;
    // Starting only while nothing is worse than a first list still on its way.
    combined.starting = (combined.ready || combined.starting) && one.starting;
    combined.ready = false;
    combined.reason += (combined.reason.empty() ? "" : "; ") + one.reason;
  }
  return combined;
}

std::vector<WatchStatus> ApiStateSource::watches() const {
  std::vector<WatchStatus> all;
  for (const ResourceKind kind : {ResourceKind::Nodes, ResourceKind::Pods}) {
    const ReflectorStatus reflector = status(kind);
    all.push_back({std::string(resource_name(kind)), reflector.watching, reflector.relists,
                   reflector.watch_restarts, reflector.events_applied, reflector.last_event});
  }
  return all;
}

}  // namespace epc
