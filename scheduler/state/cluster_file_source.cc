#include "scheduler/state/cluster_file_source.h"

#include <utility>

#include "scheduler/state/cluster_file.h"

namespace epc {

ClusterFileSource::ClusterFileSource(std::string path, ClusterState& state, LogSink log)
    : path_(std::move(path)), state_(state), log_(std::move(log)) {}

Result<void> ClusterFileSource::start() {
  Result<ClusterFileSummary> summary = load_cluster_file(path_, state_);
  if (!summary) return summary.error();
  if (log_) {
    log_("loaded " + path_ + ": " + std::to_string(summary->nodes) + " nodes (" +
         std::to_string(summary->confidential_nodes) + " confidential), " +
         std::to_string(summary->bound_pods) + " bound pods, " +
         std::to_string(summary->pending_pods) + " pending pods");
  }
  loaded_ = true;
  return {};
}

Readiness ClusterFileSource::readiness() const {
  if (loaded_) return {true, {}};
  return {false, "cluster file " + path_ + " not loaded"};
}

}  // namespace epc
