// NodeVictims: the pods kube-scheduler would evict on one node to make room for a preemptor.
//
// The preempt verb's question is about these, so they are a model type: the wire format decodes
// them (full pods in Nodes mode, UIDs in NodeNames mode) and the model decides which nodes'
// evictions would really free enough EPC (model/preempt_decision.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/pod.h"

namespace epc {

struct NodeVictims {
  std::string node_name;
  std::vector<Pod> pods;              // NodeNameToVictims form (nodeCacheCapable: false)
  std::vector<std::string> pod_uids;  // NodeNameToMetaVictims form (also filled from `pods`)
  int64_t num_pdb_violations = 0;
};

}  // namespace epc
