// SimNode: one simulated node's bookkeeping: its model NodeRecord (EPC capacity and committed EPC,
// exactly what the extender's decisions read) plus the cpu/memory sums kube-scheduler's own
// plugins read.
//
// The simulation owns the nodes and is the only writer; policies read them.
#pragma once

#include <cstdint>

#include "model/epc_resources.h"
#include "model/node_record.h"
#include "simulator/cluster_spec.h"
#include "simulator/trace.h"

namespace epc {

struct SimNode {
  NodeSpec spec;
  NodeRecord record;  // committed_bytes and epc_pods kept current
  int64_t cpu_requested = 0;
  int64_t memory_requested = 0;
  // The same sums with upstream's non-zero defaults, which the Fit scorers use.
  int64_t cpu_nonzero = 0;
  int64_t memory_nonzero = 0;
  int32_t pods = 0;
  // Being emptied by consolidation: no new pod may land here until the drain completes, as the
  // extender's filter (or its PreferNoSchedule taint) would keep them off.
  bool draining = false;

  bool confidential() const { return record.epc.confidential(); }
  bool in_use() const { return record.epc_pods > 0; }
  void add(const TracePod& pod);
  void remove(const TracePod& pod);
};

// Nodes built through the model's own make_node_record, so capacity is read as the service reads
// it.
SimNode make_sim_node(const NodeSpec& spec, const EpcResources& resources);

}  // namespace epc
