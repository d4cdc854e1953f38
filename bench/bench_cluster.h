// BenchCluster: the cluster that the service benchmarks decide against, built from the Node objects
// of a generated Nodes-mode request (gen_extender_args.py), so that extender_bench and
// http_bench_server measure the same decisions.
//
// Every node holds one resident pod with 1 to 20 GiB of EPC, in varied amounts, so that scoring has
// distinct utilisations to rank. As in the binary, every decision feeds the metrics and the
// decision log (Observability); decision log lines, which the binary writes only at debug level,
// are left out.
#pragma once

#include <memory>
#include <string>

#include "model/cluster_state.h"
#include "model/result.h"
#include "scheduler/extender/extender_service.h"
#include "scheduler/observability/observability.h"

namespace epc::bench {

class BenchCluster {
 public:
  BenchCluster();  // no nodes yet
  BenchCluster(const BenchCluster&) = delete;
  BenchCluster& operator=(const BenchCluster&) = delete;

  ClusterState& state() { return state_; }
  Observability& observability() { return observability_; }
  const ExtenderService& service() const { return service_; }

 private:
  ClusterState state_;
  Observability observability_;
  ExtenderService service_;
};

// Reads the Nodes-mode ExtenderArgs body at `path` and loads its nodes, each with its resident.
Result<std::unique_ptr<BenchCluster>> load_bench_cluster(const std::string& path);

}  // namespace epc::bench
