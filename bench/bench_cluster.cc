#include "bench/bench_cluster.h"

#include <cstdint>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "scheduler/wire/extender_codec.h"

namespace epc::bench {
namespace {

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read " + path + " (generate it with bench/run.sh)");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<std::vector<Node>> nodes_of_request(std::string body, const EpcResources& resources) {
  pad_body(body);
  JsonParserPool parsers;
  Result<ExtenderArgs> args = decode_extender_args(parsers, body, resources);
  if (!args) return args.error();
  if (!args->nodes) return make_error("the request has no Nodes: generate it with --mode nodes");
  std::vector<Node> nodes;
  nodes.reserve(args->nodes->size());
  for (auto& arg : *args->nodes) nodes.push_back(std::move(arg.node));
  return nodes;
}

Pod resident(const Node& node, int index) {
  Pod pod;
  pod.namespace_name = "bench";
  pod.name = "resident-" + std::to_string(index);
  pod.uid = "uid-resident-" + std::to_string(index);
  pod.node_name = node.name;
  pod.phase = PodPhase::Running;
  const std::string epc_bytes = std::to_string(int64_t{1 + index % 20} << 30);
  pod.containers.push_back(
      {.requests = {{"sgx.intel.com/epc", epc_bytes}}, .limits = {}, .name = "app"});
  return pod;
}

ObservabilityOptions observability_options() {
  ObservabilityOptions options;
  options.version = "bench";
  return options;
}

ExtenderServiceOptions service_options(Observability& observability) {
  ExtenderServiceOptions options;
  options.observe = [&observability](const Decision& decision) {
    observability.observe_decision(decision);
  };
  return options;
}

}  // namespace

BenchCluster::BenchCluster()
    : state_(EpcResources::defaults()),
      observability_(state_, observability_options()),
      service_(
          state_, [policy = std::make_shared<const PlacementPolicy>()] { return policy; },
          service_options(observability_)) {}

Result<std::unique_ptr<BenchCluster>> load_bench_cluster(const std::string& path) {
  Result<std::string> body = read_file(path);
  if (!body) return body.error();
  auto cluster = std::make_unique<BenchCluster>();
  Result<std::vector<Node>> nodes =
      nodes_of_request(std::move(*body), cluster->state().resources());
  if (!nodes) return make_error(path + ": " + nodes.error().message);
  Result<void> loaded = cluster->state().modify([&](EpcLedger& ledger) -> Result<void> {
    int index = 0;
    for (const Node& node : *nodes) {
      ledger.upsert_node(node);
      if (Result<void> added = ledger.upsert_pod(resident(node, index++)); !added) return added;
    }
    return {};
  });
  if (!loaded) return loaded.error();
  return cluster;
}

}  // namespace epc::bench
