// ClusterFileSource: a StateSource that loads a fixed cluster from a kubectl List file once.
//
// For demos, tests and "what would it do on this cluster" checks: the view never changes except
// through the extender's own bind calls, and it is ready as soon as the file has loaded.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

#include "model/cluster_state.h"
#include "scheduler/log_sink.h"
#include "scheduler/state/state_source.h"

namespace epc {

class ClusterFileSource : public StateSource {
 public:
  ClusterFileSource(std::string path, ClusterState& state, LogSink log);

  // Loads the file; errors name the file and the offending item.
  Result<void> start() override;
  void stop() override {}
  Readiness readiness() const override;

 private:
  const std::string path_;
  ClusterState& state_;
  const LogSink log_;
  std::atomic<bool> loaded_ = false;
};

}  // namespace epc
