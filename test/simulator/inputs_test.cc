// Cluster files, traces and the openb mapping: what they mean and how precisely they fail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "simulator/cluster_spec.h"
#include "simulator/node_list.h"
#include "simulator/openb_trace.h"
#include "simulator/resource_quantities.h"
#include "simulator/trace.h"

namespace epc {
namespace {

using ::testing::HasSubstr;
constexpr int64_t kMi = int64_t{1} << 20;
constexpr int64_t kGi = int64_t{1} << 30;

const std::string kHeader = std::string(kTraceHeader) + "\n";

TEST(ResourceQuantities, CpuInMillicores) {
  EXPECT_EQ(*parse_cpu_milli("2"), 2000);
  EXPECT_EQ(*parse_cpu_milli("500m"), 500);
  EXPECT_EQ(*parse_cpu_milli("1.5"), 1500);
  EXPECT_EQ(*parse_cpu_milli("1k"), 1000000);
  EXPECT_FALSE(parse_cpu_milli("0.0001").ok());
  EXPECT_FALSE(parse_cpu_milli("x").ok());
  EXPECT_FALSE(parse_cpu_milli("-1").ok());
}

TEST(Trace, ReadsRowsSortsByArrivalAndKeepsEmptyDuration) {
  const Result<Trace> trace = parse_trace_csv(
      "# a comment\n" + kHeader + "10,60,team-a,late,5,64Mi,250m,1Gi\n\n0.5,,,early,,0,1,512Mi\n",
      "t.csv");
  ASSERT_TRUE(trace.ok()) << trace.error().message;
  ASSERT_EQ(trace->size(), 2u);
  const TracePod& early = (*trace)[0];
  EXPECT_EQ(early.name, "early");
  EXPECT_EQ(early.namespace_name, "default");
  EXPECT_DOUBLE_EQ(early.arrival_seconds, 0.5);
  EXPECT_FALSE(early.duration_seconds.has_value());
  EXPECT_FALSE(early.needs_epc());
  EXPECT_EQ(early.cpu_milli, 1000);
  const TracePod& late = (*trace)[1];
  EXPECT_EQ(late.epc_bytes, 64 * kMi);
  EXPECT_EQ(late.cpu_milli, 250);
  EXPECT_EQ(late.memory_bytes, kGi);
  EXPECT_EQ(late.priority, 5);
  EXPECT_EQ(*late.duration_seconds, 60);
}

TEST(Trace, ErrorsNameFileLineAndValue) {
  EXPECT_EQ(parse_trace_csv(kHeader + "0,1,a,b,0,1Mi,1,1Gi\n0,1,a,c,0,1Mi,x,1Gi\n", "trace.csv")
                .error()
                .message,
            "trace.csv:3: cpu \"x\" is not a cpu quantity");
  EXPECT_EQ(parse_trace_csv(kHeader + "0,1,a,b,0,12x,1,1Gi\n", "t.csv").error().message,
            "t.csv:2: epc \"12x\" is not a quantity");
  EXPECT_EQ(parse_trace_csv(kHeader + "-1,1,a,b,0,0,1,1Gi\n", "t.csv").error().message,
            "t.csv:2: arrival_seconds \"-1\" is not a non-negative number of seconds");
  EXPECT_EQ(parse_trace_csv(kHeader + "0,1,a,b,0,0,1\n", "t.csv").error().message,
            "t.csv:2: expected 8 fields, got 7");
  EXPECT_EQ(parse_trace_csv(kHeader + "0,1,a,b,high,0,1,1Gi\n", "t.csv").error().message,
            "t.csv:2: priority \"high\" is not a 32-bit integer");
  EXPECT_THAT(parse_trace_csv("a,b\n", "t.csv").error().message,
              HasSubstr("t.csv:1: expected the header"));
  EXPECT_THAT(load_trace("/nonexistent/t.csv").error().message, HasSubstr("cannot open"));
}

TEST(Trace, WritesWhatItReads) {
  const Result<Trace> trace =
      parse_trace_csv(kHeader + "0,60,a,x,1,1536Mi,250m,1Gi\n2.25,,b,y,0,0,2,256Mi\n", "t.csv");
  ASSERT_TRUE(trace.ok());
  const std::string written = write_trace_csv(*trace);
  EXPECT_EQ(written, kHeader + "0,60,a,x,1,1536Mi,250m,1Gi\n2.25,,b,y,0,0,2,256Mi\n");
  EXPECT_EQ(write_trace_csv(*parse_trace_csv(written, "again")), written);
}

TEST(ClusterSpec, ExpandsPoolsIntoNamedNodes) {
  const Result<ClusterSpec> spec = parse_cluster_spec(R"(
pools:
  - {name: conf, count: 2, epc: 32Gi, cpu: "8", memory: 64Gi, labels: {agentpool: confpool},
     pricePerHour: 0.904}
  - {name: general, count: 1, cpu: 4500m, memory: 16Gi}
)",
                                                      "c.yaml");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  const std::vector<NodeSpec> nodes = expand_nodes(*spec);
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_EQ(nodes[0].name, "conf-0");
  EXPECT_EQ(nodes[1].name, "conf-1");
  EXPECT_EQ(nodes[1].epc_bytes, 32 * kGi);
  EXPECT_EQ(nodes[1].cpu_milli, 8000);
  EXPECT_EQ(nodes[2].pool, "general");
  EXPECT_EQ(nodes[2].epc_bytes, 0);
  EXPECT_EQ(nodes[2].cpu_milli, 4500);
  EXPECT_EQ(nodes[1].price_per_hour, 0.904);
  EXPECT_FALSE(nodes[2].price_per_hour.has_value());
  const Node node = to_model_node(nodes[0]);
  ASSERT_EQ(node.allocatable.size(), 1u);
  EXPECT_EQ(node.allocatable[0].first, "sgx.intel.com/epc");
  EXPECT_EQ(node.labels, (Labels{{"agentpool", "confpool"}}));
  EXPECT_TRUE(to_model_node(nodes[2]).allocatable.empty());
}

TEST(ClusterSpec, ErrorsNameTheKeyPath) {
  const auto error = [](const std::string& text) {
    return parse_cluster_spec(text, "c.yaml").error().message;
  };
  EXPECT_EQ(error("pools:\n  - {name: a, count: 1, cpu: 1, memory: 1Gi}\n"
                  "  - {name: b, count: 1, epc: x, cpu: 1, memory: 1Gi}\n"),
            "c.yaml: pools[1].epc: \"x\" is not a quantity");
  EXPECT_EQ(error("pools:\n  - {name: a, count: two, cpu: 1, memory: 1Gi}\n"),
            "c.yaml: pools[0].count: \"two\" is not a non-negative integer");
  EXPECT_EQ(error("pools:\n  - {name: a, count: 1, cpu: 1, memory: 1Gi, gpu: 1}\n"),
            "c.yaml: pools[0].gpu: unknown key (expected name, count, epc, cpu, memory, "
            "pricePerHour, labels)");
  EXPECT_EQ(error("pools:\n  - {name: a, count: 1, cpu: 1, memory: 1Gi, pricePerHour: -1}\n"),
            "c.yaml: pools[0].pricePerHour: \"-1\" is not a non-negative number");
  EXPECT_EQ(error("pools:\n  - {name: a, count: 1, cpu: 1, memory: 1Gi, pricePerHour: x}\n"),
            "c.yaml: pools[0].pricePerHour: \"x\" is not a non-negative number");
  EXPECT_EQ(error("pools:\n  - {name: a, count: 1, memory: 1Gi}\n"),
            "c.yaml: pools[0].cpu: required and positive");
  EXPECT_EQ(error("pools:\n  - {name: a, count: 1, cpu: 1, memory: 1Gi}\n"
                  "  - {name: a, count: 1, cpu: 1, memory: 1Gi}\n"),
            "c.yaml: pools[1].name: \"a\" used by an earlier pool");
  EXPECT_EQ(error("nodes: []\n"), "c.yaml: expected a mapping with key \"pools\"");
  EXPECT_THAT(error("pools: [\n"), HasSubstr("c.yaml: "));
}

TEST(Openb, MapsDevicesToEpcAndSharesToRequests) {
  const OpenbMapping mapping{8 * kGi};
  const Result<std::vector<NodeSpec>> nodes = parse_openb_nodes(
      "sn,cpu_milli,memory_mib,gpu,model\nn0,32000,262144,0,\nn1,96000,393216,8,G2\n", "nodes.csv",
      mapping);
  ASSERT_TRUE(nodes.ok()) << nodes.error().message;
  EXPECT_EQ((*nodes)[0].epc_bytes, 0);
  EXPECT_EQ((*nodes)[0].pool, "openb-cpu");
  EXPECT_EQ((*nodes)[1].epc_bytes, 64 * kGi);
  EXPECT_EQ((*nodes)[1].pool, "openb-G2");
  EXPECT_EQ((*nodes)[1].cpu_milli, 96000);
  EXPECT_EQ((*nodes)[1].memory_bytes, 393216 * kMi);

  const std::string header =
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,"
      "deletion_time,scheduled_time\n";
  const Result<Trace> pods = parse_openb_pods(header +
                                                  "p0,12000,16384,1,1000,,LS,Running,0,100,0\n"
                                                  "p1,6000,12288,1,500,,LS,Running,5,,5\n"
                                                  "p2,4000,8192,0,0,,BE,Failed,3,9,3\n"
                                                  "p3,1000,1024,2,1000,,LS,Running,7,8,7\n",
                                              "pods.csv", mapping);
  ASSERT_TRUE(pods.ok()) << pods.error().message;
  ASSERT_EQ(pods->size(), 4u);
  EXPECT_EQ((*pods)[0].name, "p0");
  EXPECT_EQ((*pods)[0].epc_bytes, 8 * kGi);
  EXPECT_EQ(*(*pods)[0].duration_seconds, 100);
  EXPECT_EQ((*pods)[1].name, "p2");  // sorted by creation time
  EXPECT_FALSE((*pods)[1].needs_epc());
  EXPECT_EQ((*pods)[2].epc_bytes, 4 * kGi);
  EXPECT_FALSE((*pods)[2].duration_seconds.has_value());
  EXPECT_EQ((*pods)[3].epc_bytes, 16 * kGi);
  EXPECT_EQ((*pods)[3].cpu_milli, 1000);

  EXPECT_EQ(
      parse_openb_pods(header + "p0,x,16384,1,1000,,LS,Running,0,100,0\n", "pods.csv", mapping)
          .error()
          .message,
      "pods.csv:2: cpu_milli \"x\" is not a non-negative integer");
  EXPECT_EQ(parse_openb_nodes("sn,cpu_milli,gpu,model\n", "nodes.csv", mapping).error().message,
            "nodes.csv: missing column \"memory_mib\"");
}

TEST(Openb, ShareOfADeviceRoundsUpToWholeBytes) {
  const Result<Trace> pods = parse_openb_pods(
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli,creation_time,deletion_time\n"
      "p,1,1,1,333,0,1\n",
      "pods.csv", OpenbMapping{1000 + 1});
  ASSERT_TRUE(pods.ok()) << pods.error().message;
  EXPECT_EQ((*pods)[0].epc_bytes, 334);  // ⌈333 × 1001 / 1000⌉ = ⌈333.333⌉
}

}  // namespace
}  // namespace epc

namespace epc {
namespace {

TEST(TraceJsonLines, SameFieldsAsTheCsv) {
  const Result<Trace> trace = parse_trace_jsonl(
      R"({"arrival_seconds": 5, "duration_seconds": 60, "namespace": "a", "name": "x", "priority": 3, "epc": "64Mi", "cpu": "250m", "memory": "1Gi"}
# a comment
{"arrival_seconds": 1.5, "duration_seconds": null, "name": "y", "epc": 0, "cpu": 1, "memory": "256Mi"}
)",
      "t.jsonl");
  ASSERT_TRUE(trace.ok()) << trace.error().message;
  ASSERT_EQ(trace->size(), 2u);
  EXPECT_EQ((*trace)[0].name, "y");
  EXPECT_FALSE((*trace)[0].duration_seconds.has_value());
  EXPECT_EQ((*trace)[0].cpu_milli, 1000);
  EXPECT_EQ((*trace)[1].epc_bytes, 64 * (int64_t{1} << 20));
  EXPECT_EQ((*trace)[1].priority, 3);
  EXPECT_EQ(
      parse_trace_jsonl("{\"name\": \"x\", \"arrival_seconds\": 0, \"cpu\": \"x\"}\n", "t.jsonl")
          .error()
          .message,
      "t.jsonl:1: cpu \"x\" is not a cpu quantity");
  EXPECT_EQ(parse_trace_jsonl("\n{\"name\": \"x\", \"gpu\": 1}\n", "t.jsonl").error().message,
            "t.jsonl:2: unknown key \"gpu\"");
  EXPECT_EQ(parse_trace_jsonl("[1]\n", "t.jsonl").error().message, "t.jsonl:1: not a JSON object");
}

TEST(NodeList, TheDemoClusterAsASimulatedCluster) {
  const Result<std::vector<NodeSpec>> nodes =
      load_cluster_nodes(std::string(EPC_SOURCE_DIR) + "/demo/cluster.json");
  ASSERT_TRUE(nodes.ok()) << nodes.error().message;
  // 9 nodes, one of them cordoned.
  ASSERT_EQ(nodes->size(), 8u);
  const auto find = [&](const std::string& name) -> const NodeSpec& {
    for (const NodeSpec& node : *nodes) {
      if (node.name == name) return node;
    }
    ADD_FAILURE() << name;
    return nodes->front();
  };
  // Published under both names, 32 GiB each: the first name's amount, not the sum.
  EXPECT_EQ(find("aks-confpool-dc8sv3-1").epc_bytes, int64_t{32} << 30);
  EXPECT_EQ(find("aks-confpool-dc8sv3-1").pool, "confpool");
  EXPECT_EQ(find("aks-confpool-dc8sv3-1").cpu_milli, 8000);
  EXPECT_EQ(find("aks-legacy-dc4sv2-0").epc_bytes, int64_t{112} << 20);
  EXPECT_EQ(find("aks-general-d8sv5-0").epc_bytes, 0);
  EXPECT_EQ(find("aks-general-d8sv5-0").memory_bytes, int64_t{64} << 30);
}

TEST(NodeList, ErrorsNameTheItem) {
  EXPECT_EQ(parse_node_list("[]", "n.json").error().message,
            "n.json: expected a kubectl List (an object with \"items\")");
  EXPECT_EQ(parse_node_list("{", "n.json").error().message, "n.json: not valid JSON");
  EXPECT_EQ(
      parse_node_list(R"({"items": [{"kind": "Pod"}, {"kind": "Node", "metadata": {"name": "a"},
          "status": {"allocatable": {"cpu": "x", "memory": "1Gi"}}}]})",
                      "n.json")
          .error()
          .message,
      "n.json: items[1] (node a): cpu \"x\" is not a cpu quantity");
  EXPECT_EQ(parse_node_list(R"({"items": []})", "n.json").error().message,
            "n.json: no schedulable Node items");
}

}  // namespace
}  // namespace epc
