// ApiStateSource: feeds ClusterState from the Kubernetes API with one Reflector for nodes and one
// for pods, and says whether that view can be trusted.
//
// It is ready once both first lists are in, and stops being ready while either resource has been
// failing to list or watch for longer than a grace period: a short reconnect is normal, but past
// the grace period events may have been missed and decisions would rest on a stale view.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "model/cluster_state.h"
#include "scheduler/kube/api_client.h"
#include "scheduler/kube/kube_connection.h"
#include "scheduler/kube/reflector.h"
#include "scheduler/state/state_source.h"

namespace epc {

struct ApiStateSourceOptions {
  ApiClientOptions client;
  ReflectorOptions reflector;
  // How long list/watch may keep failing before the view counts as stale.
  std::chrono::seconds stale_after = std::chrono::seconds(30);
};

// Readiness of one resource at `now`: `waiting for the first list of pods[: <last error>]`, or
// `pods watch failing since 42s: <last error>` once failing for longer than `stale_after`.
Readiness reflector_readiness(ResourceKind kind, const ReflectorStatus& status,
                              ReflectorStatus::Clock::time_point now,
                              std::chrono::seconds stale_after);

class ApiStateSource : public StateSource {
 public:
  ApiStateSource(KubeConnection connection, ClusterState& state, LogSink log,
                 ApiStateSourceOptions options = {});
  ~ApiStateSource() override;

  // Errors are configuration problems (bad server URL, unreadable certificate); the API being
  // unreachable is not one: the reflectors keep retrying and readiness says so.
  Result<void> start() override;
  void stop() override;
  Readiness readiness() const override;
  std::vector<WatchStatus> watches() const override;

  // Null before a successful start(); for bind calls and metrics.
  ApiClient* client() const { return client_.get(); }
  ReflectorStatus status(ResourceKind kind) const;

 private:
  const KubeConnection connection_;
  ClusterState& state_;
  const LogSink log_;
  const ApiStateSourceOptions options_;
  std::unique_ptr<ApiClient> client_;
  std::unique_ptr<Reflector> nodes_;
  std::unique_ptr<Reflector> pods_;
};

}  // namespace epc
