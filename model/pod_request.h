// PodRequest: what every verb needs to know about the pod being placed, resolved once per call.
//
// Its EPC demand (Kubernetes' effective-request rule), the placement policy as it applies to it
// (the config's policy with the pod's allowed annotation overrides and the headroom exemption),
// and its ledger identity. Each can fail on its own: an unreadable demand is the reply's Error in
// filter, an invalid override fails every node with the reason. Resolving them in one place keeps
// the verbs and the simulator from deriving them differently.
#pragma once

#include <memory>
#include <string>

#include "model/epc_demand.h"
#include "model/epc_resources.h"
#include "model/placement_policy.h"
#include "model/pod.h"
#include "model/result.h"

namespace epc {

struct PodRequest {
  Result<EpcDemand> demand;
  Result<std::shared_ptr<const PlacementPolicy>> policy;
  // The config's policy, before the pod's overrides: it names the pools rejections are grouped by
  // and sizes the recent-demand history.
  std::shared_ptr<const PlacementPolicy> config_policy;
  std::string identity;  // pod_identity(); see known
  // Whether the request names the pod (UID or name) so the ledger can remember and reserve for it.
  bool known = false;

  bool needs_epc() const { return demand && demand->needs_epc(); }
};

// `config_policy` must not be null.
PodRequest resolve_pod_request(const Pod& pod, std::shared_ptr<const PlacementPolicy> config_policy,
                               const EpcResources& resources);

}  // namespace epc
