#include "scheduler/consolidate/consolidate_command.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/scoring_config.h"
#include "scheduler/consolidate/cluster_plan.h"
#include "scheduler/consolidate/plan_report.h"
#include "scheduler/kube/api_client.h"
#include "scheduler/kube/cluster_lister.h"
#include "scheduler/kube/kube_connection.h"
#include "scheduler/state/cluster_objects.h"

namespace epc {
namespace {

Result<ClusterObjects> read_cluster_api(const ConsolidateOptions& options,
                                        const EpcResources& epc) {
  Result<KubeConnection> connection = connection_for(options.kubeconfig);
  if (!connection) return connection.error();
  Result<std::unique_ptr<ApiClient>> client =
      ApiClient::create(*connection, {.user_agent = "epc-extender/consolidate"});
  if (!client) return client.error();
  return list_cluster(**client, epc);
}

}  // namespace

int run_consolidate_command(const ConsolidateOptions& options, std::ostream& out,
                            std::ostream& err) {
  Result<ScoringConfig> config =
      options.config_file ? load_config(*options.config_file) : ScoringConfig{};
  if (!config) {
    err << config.error().message << "\n";
    return 1;
  }
  Result<ClusterObjects> cluster =
      options.cluster_file
          ? load_cluster_objects(*options.cluster_file, config->resources, PodDetail::kDisruption)
          : read_cluster_api(options, config->resources);
  if (!cluster) {
    err << cluster.error().message << "\n";
    return 1;
  }
  const int64_t now =
      options.now_unix_seconds.value_or(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
  Result<ClusterPlan> plan = plan_cluster(*cluster, *config, now);
  if (!plan) {
    err << plan.error().message << "\n";
    return 1;
  }
  out << (options.format == PlanFormat::kJson ? format_plan_json(*plan) : format_plan_table(*plan));
  return 0;
}

}  // namespace epc
