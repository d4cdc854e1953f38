// `simulate` and `serve` make the same decisions: every pod of the bundled traces is judged by the
// simulator's extender policy and by ExtenderService (from JSON bytes, NodeNames mode, as
// kube-scheduler sends them) on the same cluster under the same scoring config, and the nodes that
// pass filter and the prioritize scores must agree exactly. Pods are placed on the extender's top
// node and leave at the end of their duration, so the cluster fills, empties and rejects as in a
// real run; reservations, bestfit's history and the non-EPC policy are all exercised.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "config/scoring_config.h"
#include "model/cluster_state.h"
#include "scheduler/extender/extender_service.h"
#include "scheduler/wire/extender_codec.h"
#include "simulator/cluster_spec.h"
#include "simulator/placement_policies.h"
#include "simulator/sim_node.h"
#include "simulator/trace.h"

namespace epc {
namespace {

using Json = nlohmann::json;

std::string source_path(const std::string& relative) {
  return std::string(EPC_SOURCE_DIR) + "/" + relative;
}

// The pod as kube-scheduler would send it: the same model Pod the simulator judges, as JSON.
Json pod_json(const Pod& pod) {
  Json requests = Json::object();
  for (const auto& [name, quantity] : pod.containers.at(0).requests) requests[name] = quantity;
  Json annotations = Json::object();
  for (const auto& [key, value] : pod.annotations) annotations[key] = value;
  return {{"metadata",
           {{"name", pod.name},
            {"namespace", pod.namespace_name},
            {"uid", pod.uid},
            {"annotations", annotations}}},
          {"spec",
           {{"priority", pod.priority},
            {"containers",
             Json::array({{{"name", "main"}, {"resources", {{"requests", requests}}}}})}}},
          {"status", {{"phase", "Pending"}}}};
}

Json call(const ExtenderService& service, Verb verb, const Json& pod, const Json& names) {
  std::string body = Json{{"Pod", pod}, {"Nodes", nullptr}, {"NodeNames", names}}.dump();
  pad_body(body);
  const Reply reply = service.handle(verb, std::move(body));
  EXPECT_EQ(reply.status, 200) << reply.body;
  return Json::parse(reply.body);
}

// cluster, trace, policy; and whether to give pods epc-extender.io annotations (the bundled traces
// carry none): every third pod asks for spread, which the config allows, every seventh for a
// normalization it does not allow, which fails every node on both sides.
using Case = std::tuple<std::string, std::string, std::string, bool>;

void annotate(Trace& trace, PlacementPolicy& policy) {
  policy.allowed_overrides = {OverrideKey::kStrategy};
  for (size_t i = 0; i < trace.size(); ++i) {
    if (i % 3 == 0) trace[i].annotations.emplace_back("epc-extender.io/strategy", "spread");
    if (i % 7 == 0)
      trace[i].annotations.emplace_back("epc-extender.io/normalization", "proportional");
  }
}

class ServiceParity : public ::testing::TestWithParam<Case> {};

TEST_P(ServiceParity, SimulatorAndServiceAgreeOnEveryPod) {
  const auto& [cluster_file, trace_file, policy_file, annotated] = GetParam();
  Result<ClusterSpec> cluster =
      load_cluster_spec(source_path("simulator/clusters/" + cluster_file));
  ASSERT_TRUE(cluster) << cluster.error().message;
  Result<Trace> trace = load_trace(source_path("simulator/traces/" + trace_file));
  ASSERT_TRUE(trace) << trace.error().message;
  Result<ScoringConfig> config = load_config(source_path("simulator/policies/" + policy_file));
  ASSERT_TRUE(config) << config.error().message;
  if (annotated) annotate(*trace, config->policy);

  std::vector<SimNode> nodes;
  ClusterState state(config->resources);
  Json all_names = Json::array();
  for (const NodeSpec& spec : expand_nodes(*cluster)) {
    nodes.push_back(make_sim_node(spec, config->resources));
    state.modify([&](EpcLedger& ledger) { ledger.upsert_node(to_model_node(spec)); });
    all_names.push_back(spec.name);
  }
  std::map<std::string, size_t> index_of;
  for (size_t i = 0; i < nodes.size(); ++i) index_of[nodes[i].spec.name] = i;
  std::vector<const SimNode*> all_nodes;
  for (const SimNode& node : nodes) all_nodes.push_back(&node);

  std::unique_ptr<SchedulingPolicy> simulator = make_extender_policy("parity", *config);
  simulator->begin_run();
  const auto policy = std::make_shared<const PlacementPolicy>(config->policy);
  const ExtenderService service(state, [policy] { return policy; });

  struct Running {
    double ends;
    size_t pod;
    size_t node;
  };
  std::vector<Running> running;
  size_t placed = 0;
  size_t rejected = 0;
  for (size_t p = 0; p < trace->size(); ++p) {
    const TracePod& pod = (*trace)[p];
    // Departures up to this arrival, on both sides.
    std::erase_if(running, [&](const Running& r) {
      if (r.ends > pod.arrival_seconds) return false;
      nodes[r.node].remove((*trace)[r.pod]);
      const std::string uid = "uid-" + std::to_string(r.pod);
      state.modify([&](EpcLedger& ledger) { ledger.remove_pod(uid); });
      return true;
    });
    SCOPED_TRACE(pod.namespace_name + "/" + pod.name);
    Pod model = to_model_pod(pod);
    model.uid = "uid-" + std::to_string(p);
    const Json sent = pod_json(model);

    simulator->seen(pod);
    Json simulated_passing = Json::array();
    std::vector<const SimNode*> passing_nodes;
    for (const size_t i : simulator->epc_filter(pod, all_nodes)) {
      simulated_passing.push_back(all_nodes[i]->spec.name);
      passing_nodes.push_back(all_nodes[i]);
    }
    const Json filtered = call(service, Verb::kFilter, sent, all_names);
    ASSERT_EQ(filtered["Error"], "");
    ASSERT_EQ(filtered["NodeNames"], simulated_passing);
    if (passing_nodes.empty()) {
      ++rejected;
      continue;
    }

    const std::vector<int64_t> simulated = simulator->extender_scores(pod, passing_nodes);
    const Json scored = call(service, Verb::kPrioritize, sent, simulated_passing);
    ASSERT_EQ(scored.size(), simulated.size());
    size_t top = 0;
    for (size_t i = 0; i < simulated.size(); ++i) {
      ASSERT_EQ(scored[i]["Host"], simulated_passing[i]);
      ASSERT_EQ(scored[i]["Score"].get<int64_t>(), simulated[i]) << simulated_passing[i];
      if (simulated[i] > simulated[top]) top = i;
    }
    const size_t node = index_of.at(simulated_passing[top]);
    nodes[node].add(pod);
    model.node_name = nodes[node].spec.name;
    model.phase = PodPhase::Running;
    ASSERT_TRUE(state.modify([&](EpcLedger& ledger) { return ledger.upsert_pod(model); }).ok());
    if (pod.duration_seconds)
      running.push_back({pod.arrival_seconds + *pod.duration_seconds, p, node});
    ++placed;
  }
  // The run must have exercised both answers.
  EXPECT_GT(placed, 0u);
  if (annotated) {
    EXPECT_GT(rejected, 0u);  // the disallowed override fails every node
  }
  EXPECT_GT(rejected + placed, 100u);
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  const std::string& policy = std::get<2>(info.param);
  return policy.substr(0, policy.find('.')) + (std::get<3>(info.param) ? "_annotated" : "");
}

INSTANTIATE_TEST_SUITE_P(BundledTraces, ServiceParity,
                         ::testing::Combine(::testing::Values("dcsv3-mixed.yaml"),
                                            ::testing::Values("dcsv3-2000.csv"),
                                            ::testing::Values("binpack.yaml", "spread.yaml",
                                                              "ratio.yaml", "bestfit.yaml"),
                                            ::testing::Bool()),
                         case_name);

INSTANTIATE_TEST_SUITE_P(SmallEnclaves, ServiceParity,
                         ::testing::Combine(::testing::Values("dcsv2.yaml"),
                                            ::testing::Values("dcsv2-900.csv"),
                                            ::testing::Values("binpack.yaml", "bestfit.yaml"),
                                            ::testing::Bool()),
                         case_name);

}  // namespace
}  // namespace epc
