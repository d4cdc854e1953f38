#include "model/pod_request.h"

#include <utility>

#include "model/epc_ledger.h"
#include "model/pod_policy.h"

namespace epc {

PodRequest resolve_pod_request(const Pod& pod, std::shared_ptr<const PlacementPolicy> config_policy,
                               const EpcResources& resources) {
  Result<std::shared_ptr<const PlacementPolicy>> policy = policy_for_pod(config_policy, pod);
  return PodRequest{
      epc_demand(pod, resources),
      std::move(policy),
      std::move(config_policy),
      pod_identity(pod.uid, pod.namespace_name, pod.name),
      !pod.uid.empty() || !pod.name.empty(),
  };
}

}  // namespace epc
