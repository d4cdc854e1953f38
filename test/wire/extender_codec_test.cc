// Extender codec: decoding real kube-scheduler requests (both recorded versions), the envelope's
// Go-compatible leniency (case, null, repeated keys), byte-exact node echo, every class of bad
// input, and the exact reply encodings.
#include "scheduler/wire/extender_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <utility>

#include "model/epc_demand.h"
#include "model/fit.h"
#include "model/node_record.h"
#include "test/extender/test_support.h"

namespace epc {
namespace {

// One pool for the whole file: every test also checks that a parser reused after other documents
// (including failed ones) decodes correctly.
JsonParserPool& parsers() {
  static JsonParserPool pool;
  return pool;
}

using test::fixture;
using test::padded;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

const EpcResources kEpc = EpcResources::defaults();

// What differs between the two recorded kube-scheduler versions: the objects' UIDs and the order
// in which the scheduler listed the prioritize candidates.
struct Recording {
  std::string version;
  std::string filter_pod_uid;
  std::string nodenames_pod_uid;
  std::string prioritize_pod_uid;
  std::vector<std::string> prioritize_nodes;
  std::string bind_pod_uid;
  std::string victim_blocked_uid;
  std::string victim_sgx_uid;
  std::string meta_victim_blocked_uid;
  std::string meta_victim_sgx_uid;
};

std::vector<Recording> recordings() {
  return {
      {"k8s-1.26.7",
       "e23941e5-e89f-414b-8ffa-b030627940d7",
       "0cd140f8-fa05-427e-8849-4639a05262b6",
       "beff4efc-01d5-4947-9825-d397d4f4474e",
       {"sgx-b", "sgx-a"},
       "7bfb08d1-f89d-4801-a379-d6d902ef3e33",
       "cf697867-583f-42a1-ac7e-29a632230ac6",
       "a2849cac-0bd7-4878-8543-2e7aed3bf478",
       "8497bd86-77f1-4d40-8817-10b133e2665d",
       "788b367e-f5ec-4995-9267-9414adb9cb28"},
      {"k8s-1.30.12",
       "f87133fe-c992-4041-993a-ff1ac0a732be",
       "e2f85a38-ce60-41bb-ac0e-79c64f74b25f",
       "743dbb82-abea-44b1-9ab1-3669b8ce8611",
       {"sgx-a", "sgx-b"},
       "7f127654-34c4-4284-8855-5c7ce90b452f",
       "466c83d2-b504-4b11-b566-0edda9a14b20",
       "36e75895-1cf2-43bd-b934-f2693bfc8057",
       "be8187e5-a276-45de-8c19-53786ab6369b",
       "d2209ee3-740b-4f83-a633-03595d41b4aa"},
  };
}

class FixtureDecode : public ::testing::TestWithParam<Recording> {
 protected:
  std::string load(const std::string& name) const { return fixture(GetParam().version, name); }
};

const ResourceList kOneMi = {{"sgx.intel.com/epc", "1Mi"}};

// The `items` array's content as recorded: what a Nodes-mode reply must echo.
std::string_view items_text(std::string_view body) {
  const size_t start = body.find(R"("items":[)") + 9;
  const size_t end = body.rfind(R"(]},"NodeNames")");
  return body.substr(start, end - start);
}

TEST_P(FixtureDecode, FilterInNodesModeReadsPodAndNodeAndKeepsTheNodeText) {
  const std::string body = load("filter.request.json");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  const Pod& pod = args->pod;
  EXPECT_EQ(pod.name, "vip");
  EXPECT_EQ(pod.namespace_name, "default");
  EXPECT_EQ(pod.uid, GetParam().filter_pod_uid);
  EXPECT_EQ(pod.priority, 1000);
  EXPECT_EQ(pod.phase, PodPhase::Pending);
  EXPECT_TRUE(pod.node_name.empty());
  ASSERT_EQ(pod.containers.size(), 1u);
  EXPECT_EQ(pod.containers[0].name, "c0");
  EXPECT_EQ(pod.containers[0].requests, kOneMi);  // cpu is not an EPC resource: dropped
  EXPECT_EQ(pod.containers[0].limits, kOneMi);
  EXPECT_TRUE(pod.init_containers.empty());
  EXPECT_FALSE(args->node_names.has_value());
  ASSERT_TRUE(args->nodes.has_value());
  ASSERT_EQ(args->nodes->size(), 1u);
  const NodeArg& node = args->nodes->front();
  EXPECT_EQ(node.node.name, "sgx-small");
  EXPECT_EQ(node.node.allocatable, (ResourceList{{"sgx.intel.com/epc", "64Mi"}}));
  EXPECT_EQ(node.node.capacity, (ResourceList{{"sgx.intel.com/epc", "64Mi"}}));
  EXPECT_EQ(node.node.readiness, NodeReadiness::Ready);
  EXPECT_FALSE(node.node.unschedulable);
  EXPECT_EQ(node.raw_json, items_text(body));
}

TEST_P(FixtureDecode, FilterInNodeNamesModeReadsTheNames) {
  const std::string body = load("filter-nodenames.request.json");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_EQ(args->pod.uid, GetParam().nodenames_pod_uid);
  EXPECT_EQ(args->pod.containers.at(0).requests, kOneMi);
  EXPECT_FALSE(args->nodes.has_value());
  ASSERT_TRUE(args->node_names.has_value());
  EXPECT_THAT(*args->node_names, ElementsAre("sgx-small"));
}

TEST_P(FixtureDecode, PrioritizeInNodesModeKeepsEveryNodeTextInOrder) {
  const std::string body = load("prioritize.request.json");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_EQ(args->pod.name, "epc-1");
  EXPECT_EQ(args->pod.uid, GetParam().prioritize_pod_uid);
  EXPECT_EQ(args->pod.priority, 0);
  ASSERT_TRUE(args->nodes.has_value());
  ASSERT_EQ(args->nodes->size(), 2u);
  std::string joined;
  for (size_t i = 0; i < 2; ++i) {
    const NodeArg& node = (*args->nodes)[i];
    EXPECT_EQ(node.node.name, GetParam().prioritize_nodes[i]);
    EXPECT_EQ(node.node.allocatable, (ResourceList{{"sgx.intel.com/epc", "128Mi"}}));
    EXPECT_EQ(node.node.readiness, NodeReadiness::Ready);
    EXPECT_EQ(node.raw_json.front(), '{');
    EXPECT_EQ(node.raw_json.back(), '}');
    if (i > 0) joined += ',';
    joined += node.raw_json;
  }
  EXPECT_EQ(joined, items_text(body));
}

TEST_P(FixtureDecode, PrioritizeInNodeNamesMode) {
  const std::string body = load("prioritize-nodenames.request.json");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_EQ(args->pod.uid, GetParam().bind_pod_uid);  // the pod later bound
  EXPECT_FALSE(args->nodes.has_value());
  EXPECT_THAT(*args->node_names, ElementsAre("sgx-a", "sgx-b"));
}

TEST_P(FixtureDecode, Bind) {
  Result<BindingArgs> args = decode_binding_args(parsers(), load("bind.request.json"));
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_EQ(args->pod_name, "epc-1");
  EXPECT_EQ(args->pod_namespace, "default");
  EXPECT_EQ(args->pod_uid, GetParam().bind_pod_uid);
  EXPECT_EQ(args->node, "sgx-a");
}

TEST_P(FixtureDecode, PreemptWithFullVictimPods) {
  Result<PreemptionArgs> args =
      decode_preemption_args(parsers(), load("preempt.request.json"), kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_EQ(args->pod.name, "vip");
  EXPECT_EQ(args->pod.priority, 1000);
  ASSERT_EQ(args->victims.size(), 2u);
  const NodeVictims& blocked = args->victims[0];
  EXPECT_EQ(blocked.node_name, "blocked-small");
  EXPECT_EQ(blocked.num_pdb_violations, 0);
  ASSERT_EQ(blocked.pods.size(), 1u);
  EXPECT_EQ(blocked.pods[0].name, "victim-blocked");
  EXPECT_EQ(blocked.pods[0].node_name, "blocked-small");
  EXPECT_EQ(blocked.pods[0].phase, PodPhase::Running);
  EXPECT_TRUE(blocked.pods[0].containers.at(0).requests.empty());
  EXPECT_THAT(blocked.pod_uids, ElementsAre(GetParam().victim_blocked_uid));
  const NodeVictims& sgx = args->victims[1];
  EXPECT_EQ(sgx.node_name, "sgx-small");
  ASSERT_EQ(sgx.pods.size(), 1u);
  EXPECT_EQ(sgx.pods[0].name, "victim-sgx");
  EXPECT_EQ(sgx.pods[0].node_name, "sgx-small");
  EXPECT_EQ(sgx.pods[0].containers.at(0).requests, kOneMi);
  EXPECT_THAT(sgx.pod_uids, ElementsAre(GetParam().victim_sgx_uid));
}

TEST_P(FixtureDecode, PreemptWithMetaVictims) {
  Result<PreemptionArgs> args =
      decode_preemption_args(parsers(), load("preempt-metavictims.request.json"), kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_EQ(args->pod.uid, GetParam().nodenames_pod_uid);
  ASSERT_EQ(args->victims.size(), 2u);
  EXPECT_EQ(args->victims[0].node_name, "blocked-small");
  EXPECT_TRUE(args->victims[0].pods.empty());
  EXPECT_THAT(args->victims[0].pod_uids, ElementsAre(GetParam().meta_victim_blocked_uid));
  EXPECT_EQ(args->victims[1].node_name, "sgx-small");
  EXPECT_THAT(args->victims[1].pod_uids, ElementsAre(GetParam().meta_victim_sgx_uid));
}

INSTANTIATE_TEST_SUITE_P(KubeScheduler, FixtureDecode, ::testing::ValuesIn(recordings()),
                         [](const auto& info) {
                           std::string name = info.param.version;
                           for (char& c : name) {
                             if (c == '-' || c == '.') c = '_';
                           }
                           return name;
                         });

// --- envelope leniency -----------------------------------------------------------------------

TEST(DecodeEnvelope, KeysMatchInAnyCaseOnTheEnvelopeAndInsideObjects) {
  const std::string body =
      padded(R"({"pod":{"METADATA":{"Name":"p","NameSpace":"ns","UID":"u"},)"
             R"("Spec":{"Containers":[{"Resources":{"Requests":{"sgx.intel.com/epc":"2Mi"}}}],)"
             R"("NODENAME":"n1","Priority":7},"Status":{"Phase":"Running"}},)"
             R"("nodes":null,"nodeNames":["a","b"]})");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_EQ(args->pod.key(), "ns/p");
  EXPECT_EQ(args->pod.uid, "u");
  EXPECT_EQ(args->pod.node_name, "n1");
  EXPECT_EQ(args->pod.priority, 7);
  EXPECT_EQ(args->pod.phase, PodPhase::Running);
  EXPECT_EQ(args->pod.containers.at(0).requests, (ResourceList{{"sgx.intel.com/epc", "2Mi"}}));
  EXPECT_THAT(*args->node_names, ElementsAre("a", "b"));
}

TEST(DecodeEnvelope, ResourceNamesMatchExactlyBecauseTheyAreMapKeys) {
  const std::string body = padded(
      R"({"Pod":{"spec":{"containers":[{"resources":{"requests":{"SGX.intel.com/epc":"2Mi"}}}]}}})");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_TRUE(args->pod.containers.at(0).requests.empty());
}

TEST(DecodeEnvelope, NullIsAcceptedForEveryOptionalField) {
  const std::string body = padded(
      R"({"Pod":{"metadata":null,"spec":{"containers":[{"resources":null},)"
      R"({"resources":{"requests":null,"limits":{"sgx.intel.com/epc":null}}}],)"
      R"("initContainers":null,"overhead":null,"nodeName":null,"priority":null},"status":null},)"
      R"("Nodes":null,"NodeNames":null})");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_FALSE(args->nodes.has_value());
  EXPECT_FALSE(args->node_names.has_value());
  ASSERT_EQ(args->pod.containers.size(), 2u);
  EXPECT_TRUE(args->pod.containers[0].requests.empty());
  // A null Quantity is Go's zero Quantity.
  EXPECT_EQ(args->pod.containers[1].limits, (ResourceList{{"sgx.intel.com/epc", "0"}}));
  EXPECT_EQ(args->pod.priority, 0);
}

TEST(DecodeEnvelope, NodeObjectsAcceptNullsToo) {
  const std::string body =
      padded(R"({"Pod":{},"Nodes":{"metadata":null,"items":[{"metadata":{"name":"n"},"spec":null,)"
             R"("status":{"allocatable":null,"capacity":null,"conditions":null}}]}})");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  ASSERT_EQ(args->nodes->size(), 1u);
  EXPECT_EQ(args->nodes->front().node.readiness, NodeReadiness::Unknown);
}

TEST(DecodeEnvelope, ItemsNullIsAnEmptyNodeList) {
  const std::string body = padded(R"({"Pod":{},"Nodes":{"items":null}})");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  ASSERT_TRUE(args->nodes.has_value());
  EXPECT_TRUE(args->nodes->empty());
}

TEST(DecodeEnvelope, TheLastOfRepeatedKeysWins) {
  const std::string body = padded(
      R"({"Pod":{"metadata":{"name":"first"}},"NodeNames":["x"],)"
      R"("pod":{"metadata":{"name":"second","name":"third"},)"
      R"("spec":{"containers":[{"resources":{"requests":{"sgx.intel.com/epc":"1Mi","sgx.intel.com/epc":"3Mi"}}}]}},)"
      R"("nodenames":null})");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_EQ(args->pod.name, "third");
  EXPECT_EQ(args->pod.containers.at(0).requests, (ResourceList{{"sgx.intel.com/epc", "3Mi"}}));
  EXPECT_FALSE(args->node_names.has_value());
}

TEST(DecodeEnvelope, UnknownKeysAreSkippedWhateverTheirShape) {
  const std::string body =
      padded(R"({"Kind":"x","Pod":{"metadata":{"labels":{"a":[1,{"b":null}]}},"extra":[[[]]]},)"
             R"("Future":{"deep":[{"x":1e10}]},"NodeNames":[]})");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_TRUE(args->node_names->empty());
}

TEST(DecodeEnvelope, BalancedDeepNestingInAnIgnoredFieldIsSkippedWithoutRecursion) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string body = padded(R"({"Pod":{"x":)" + deep + R"(},"NodeNames":["a"]})");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_THAT(*args->node_names, ElementsAre("a"));
}

// Node names are views: into the body where it spells a name as is, else into the args' own copy
// of the decoded text. Either way they read as the names, and outlive the parser's next use.
TEST(DecodeEnvelope, NodeNamesViewTheBodyUnlessEscaped) {
  const std::string body = padded(
      R"({"Pod":{},"NodeNames":[ "aks-pool-000001" , "a\u0062c", "q\"uote", "" ,"\u00e9t\u00e9",)"
      R"( "a\"", "\\" ,)"
      "\n\"tab\\there\"\n]}");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  // The parser is reused by the next request: the names must not live in its buffer.
  const std::string next = padded(R"({"Pod":{},"NodeNames":["zzzzzzzz"]})");
  ASSERT_TRUE(decode_extender_args(parsers(), next, kEpc).ok());
  // `a\"` and `\\` end in an escaped quote or backslash where an unescaped name of their decoded
  // length would have its closing quote: only the token's true end tells them apart.
  EXPECT_THAT(*args->node_names, ElementsAre("aks-pool-000001", "abc", "q\"uote", "",
                                             "\u00e9t\u00e9", "a\"", "\\", "tab\there"));
  const auto in_body = [&](std::string_view name) {
    return name.data() >= body.data() && name.data() + name.size() <= body.data() + body.size();
  };
  EXPECT_TRUE(in_body((*args->node_names)[0]));
  EXPECT_TRUE(in_body((*args->node_names)[3]));
  EXPECT_FALSE(in_body((*args->node_names)[1]));
  EXPECT_FALSE(in_body((*args->node_names)[2]));
  EXPECT_FALSE(in_body((*args->node_names)[5]));
  EXPECT_FALSE(in_body((*args->node_names)[6]));
  EXPECT_EQ(args->unescaped_names.size(), 6u);

  // Moving the args (as the service does into its call) keeps every view valid.
  ExtenderArgs moved = std::move(*args);
  EXPECT_THAT(*moved.node_names, ElementsAre("aks-pool-000001", "abc", "q\"uote", "",
                                             "\u00e9t\u00e9", "a\"", "\\", "tab\there"));
}

// --- Kubernetes object details ---------------------------------------------------------------

TEST(DecodePod, InitContainersOverheadAndOtherEpcNamesAreKept) {
  const std::string body = padded(
      R"({"Pod":{"spec":{"initContainers":[)"
      R"({"name":"setup","resources":{"requests":{"sgx.intel.com/epc":"4Mi","cpu":"1"}}},)"
      R"({"name":"proxy","restartPolicy":"Always","resources":{"limits":{"sgx.intel.com/epc":"1Mi"}}}],)"
      R"("containers":[{"resources":{"requests":{"kubernetes.azure.com/sgx_epc_mem_in_MiB":"8",)"
      R"("memory":"1Gi"}}}],"overhead":{"sgx.intel.com/epc":"512Ki","cpu":"10m"}}}})");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  const Pod& pod = args->pod;
  ASSERT_EQ(pod.init_containers.size(), 2u);
  EXPECT_EQ(pod.init_containers[0].resources.name, "setup");
  EXPECT_FALSE(pod.init_containers[0].restartable);
  EXPECT_EQ(pod.init_containers[0].resources.requests,
            (ResourceList{{"sgx.intel.com/epc", "4Mi"}}));
  EXPECT_EQ(pod.init_containers[1].resources.name, "proxy");
  EXPECT_TRUE(pod.init_containers[1].restartable);
  EXPECT_EQ(pod.init_containers[1].resources.limits, kOneMi);
  EXPECT_EQ(pod.containers.at(0).requests,
            (ResourceList{{"kubernetes.azure.com/sgx_epc_mem_in_MiB", "8"}}));
  EXPECT_EQ(pod.overhead, (ResourceList{{"sgx.intel.com/epc", "512Ki"}}));
}

TEST(DecodePod, BareJsonNumbersAreTakenAsQuantityText) {
  const std::string body = padded(
      R"({"Pod":{"spec":{"containers":[{"resources":{"requests":{"sgx.intel.com/epc":1048576},)"
      R"("limits":{"sgx.intel.com/epc":1.5e3 }}}]}}})");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_EQ(args->pod.containers.at(0).requests, (ResourceList{{"sgx.intel.com/epc", "1048576"}}));
  EXPECT_EQ(args->pod.containers.at(0).limits, (ResourceList{{"sgx.intel.com/epc", "1.5e3"}}));
}

TEST(DecodePod, PhasesAreReadExactly) {
  const auto phase_of = [](const std::string& phase) {
    const std::string body = padded(R"({"Pod":{"status":{"phase":)" + phase + "}}}");
    Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
    EXPECT_TRUE(args.ok());
    return args.ok() ? args->pod.phase : PodPhase::Unknown;
  };
  EXPECT_EQ(phase_of(R"("Pending")"), PodPhase::Pending);
  EXPECT_EQ(phase_of(R"("")"), PodPhase::Pending);
  EXPECT_EQ(phase_of(R"("Running")"), PodPhase::Running);
  EXPECT_EQ(phase_of(R"("Succeeded")"), PodPhase::Succeeded);
  EXPECT_EQ(phase_of(R"("Failed")"), PodPhase::Failed);
  EXPECT_EQ(phase_of(R"("running")"), PodPhase::Unknown);
}

TEST(DecodePod, TolerationsKeepWhatMatchingReads) {
  const std::string body = padded(
      R"({"Pod":{"spec":{"tolerations":[{"operator":"Exists"},)"
      R"({"key":"node.kubernetes.io/not-ready","Operator":"Exists","effect":"NoExecute",)"
      R"("tolerationSeconds":300},{"key":"dedicated","value":"enclaves","effect":"NoSchedule"},)"
      R"({"key":"k","operator":"Equal","value":null},{"key":"n","operator":"Gt","value":"5"},)"
      R"({"key":"k","operator":"exists"}]}}})");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  const std::vector<Toleration>& tolerations = args->pod.tolerations;
  ASSERT_EQ(tolerations.size(), 6u);
  EXPECT_EQ(tolerations[0].key, "");
  EXPECT_EQ(tolerations[0].op, TolerationOperator::kExists);
  EXPECT_EQ(tolerations[0].effect, "");
  EXPECT_EQ(tolerations[1].key, "node.kubernetes.io/not-ready");
  EXPECT_EQ(tolerations[1].op, TolerationOperator::kExists);
  EXPECT_EQ(tolerations[1].effect, "NoExecute");
  // No operator is Equal.
  EXPECT_EQ(tolerations[2].op, TolerationOperator::kEqual);
  EXPECT_EQ(tolerations[2].value, "enclaves");
  EXPECT_EQ(tolerations[2].effect, "NoSchedule");
  EXPECT_EQ(tolerations[3].op, TolerationOperator::kEqual);
  EXPECT_EQ(tolerations[3].value, "");
  // Operators are enum values, compared exactly.
  EXPECT_EQ(tolerations[4].op, TolerationOperator::kOther);
  EXPECT_EQ(tolerations[5].op, TolerationOperator::kOther);
}

Result<Node> decode_one_node(const std::string& node_json) {
  const std::string body = padded(R"({"Pod":{},"Nodes":{"items":[)" + node_json + "]}}");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  if (!args) return args.error();
  return args->nodes->at(0).node;
}

TEST(DecodeNode, ReadinessCordonAndCapacity) {
  Result<Node> node = decode_one_node(
      R"({"metadata":{"name":"n"},"spec":{"unschedulable":true},"status":{)"
      R"("capacity":{"sgx.intel.com/epc":"128Mi","cpu":"4"},)"
      R"("conditions":[{"type":"MemoryPressure","status":"False"},{"status":"False","type":"Ready"}]}})");
  ASSERT_TRUE(node.ok()) << node.error().message;
  EXPECT_TRUE(node->unschedulable);
  EXPECT_TRUE(node->allocatable.empty());
  EXPECT_EQ(node->capacity, (ResourceList{{"sgx.intel.com/epc", "128Mi"}}));
  EXPECT_EQ(node->readiness, NodeReadiness::NotReady);

  EXPECT_FALSE(node->unreachable);

  Result<Node> unknown = decode_one_node(
      R"({"metadata":{"name":"n"},"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}})");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->readiness, NodeReadiness::NotReady);
  EXPECT_TRUE(unknown->unreachable);

  Result<Node> silent = decode_one_node(R"({"metadata":{"name":"n"}})");
  ASSERT_TRUE(silent.ok());
  EXPECT_EQ(silent->readiness, NodeReadiness::Unknown);
  EXPECT_FALSE(silent->unschedulable);
}

// The filter verdicts for a request's pod on each of its Nodes, judged as the service does.
std::vector<FitVerdict> verdicts_for(const std::string& pod_json, const std::string& nodes_json) {
  const std::string body =
      padded(R"({"Pod":)" + pod_json + R"(,"Nodes":{"items":[)" + nodes_json + "]}}");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  EXPECT_TRUE(args.ok()) << args.error().message;
  if (!args) return {};
  Result<EpcDemand> demand = epc_demand(args->pod, kEpc);
  EXPECT_TRUE(demand.ok()) << demand.error().message;
  if (!demand) return {};
  std::vector<FitVerdict> verdicts;
  for (const NodeArg& node : *args->nodes) {
    const NodeRecord record = make_node_record(node.node, kEpc);
    verdicts.push_back(check_fit(*demand, &record, node.node.name, PlacementPolicy{}, kEpc));
  }
  return verdicts;
}

std::string epc_pod_tolerating(const std::string& tolerations) {
  return R"({"metadata":{"name":"p","namespace":"kube-system","uid":"u"},"spec":{)"
         R"("containers":[{"resources":{"requests":{"sgx.intel.com/epc":"1Mi"}}}],)"
         R"("tolerations":)" +
         tolerations + "}}";
}

// Cordoned; Ready False (tainted node.kubernetes.io/not-ready); Ready Unknown (tainted
// node.kubernetes.io/unreachable).
const std::string kUnwelcomingNodes =
    R"({"metadata":{"name":"cordoned"},"spec":{"unschedulable":true},"status":{)"
    R"("allocatable":{"sgx.intel.com/epc":"128Mi"},"conditions":[{"type":"Ready","status":"True"}]}},)"
    R"({"metadata":{"name":"not-ready"},"status":{)"
    R"("allocatable":{"sgx.intel.com/epc":"128Mi"},"conditions":[{"type":"Ready","status":"False"}]}},)"
    R"({"metadata":{"name":"unreachable"},"status":{)"
    R"("allocatable":{"sgx.intel.com/epc":"128Mi"},"conditions":[{"type":"Ready","status":"Unknown"}]}})";

std::vector<Fit> fits_of(const std::vector<FitVerdict>& verdicts) {
  std::vector<Fit> fits;
  for (const FitVerdict& verdict : verdicts) fits.push_back(verdict.fit);
  return fits;
}

TEST(DecodePod, TolerationsLetAnEpcPodOntoCordonedAndNotReadyNodes) {
  // A DaemonSet-style toleration of everything: no key, operator Exists.
  EXPECT_THAT(
      fits_of(verdicts_for(epc_pod_tolerating(R"([{"operator":"Exists"}])"), kUnwelcomingNodes)),
      ElementsAre(Fit::kFits, Fit::kFits, Fit::kFits));
  // What the DaemonSet controller adds: each condition's taint by key, NoSchedule or any effect.
  EXPECT_THAT(
      fits_of(verdicts_for(
          epc_pod_tolerating(R"([{"key":"node.kubernetes.io/unschedulable","operator":"Exists",)"
                             R"("effect":"NoSchedule"},{"key":"node.kubernetes.io/not-ready",)"
                             R"("operator":"Exists"},{"key":"node.kubernetes.io/unreachable",)"
                             R"("operator":"Exists","effect":"NoSchedule"}])"),
          kUnwelcomingNodes)),
      ElementsAre(Fit::kFits, Fit::kFits, Fit::kFits));
}

TEST(DecodePod, OnlyMatchingTolerationsLetAnEpcPodOntoThoseNodes) {
  // The tolerations every pod gets from the DefaultTolerationSeconds admission plugin are for
  // NoExecute (eviction), not NoSchedule: they admit no such node.
  const std::vector<FitVerdict> defaults = verdicts_for(
      epc_pod_tolerating(R"([{"key":"node.kubernetes.io/not-ready","operator":"Exists",)"
                         R"("effect":"NoExecute","tolerationSeconds":300},)"
                         R"({"key":"node.kubernetes.io/unreachable","operator":"Exists",)"
                         R"("effect":"NoExecute","tolerationSeconds":300}])"),
      kUnwelcomingNodes);
  EXPECT_THAT(fits_of(defaults),
              ElementsAre(Fit::kUnresolvable, Fit::kUnresolvable, Fit::kUnresolvable));
  // Tolerating not-ready admits a NotReady node, not an unreachable one (another taint).
  EXPECT_THAT(fits_of(verdicts_for(
                  epc_pod_tolerating(R"([{"key":"node.kubernetes.io/not-ready","operator":"Equal",)"
                                     R"("value":"","effect":"NoSchedule"}])"),
                  kUnwelcomingNodes)),
              ElementsAre(Fit::kUnresolvable, Fit::kFits, Fit::kUnresolvable));
  // A value the taint does not carry matches nothing.
  EXPECT_THAT(
      fits_of(verdicts_for(
          epc_pod_tolerating(R"([{"key":"node.kubernetes.io/unschedulable","value":"yes"}])"),
          kUnwelcomingNodes)),
      ElementsAre(Fit::kUnresolvable, Fit::kUnresolvable, Fit::kUnresolvable));
}

TEST(DecodePod, AnEpcPodFitsOnlyNodesPublishingTheNameItAsksFor) {
  const std::string pod =
      R"({"metadata":{"name":"p","namespace":"default","uid":"u"},"spec":{"containers":[)"
      R"({"resources":{"requests":{"kubernetes.azure.com/sgx_epc_mem_in_MiB":"64"}}}]}})";
  const std::string nodes =
      R"({"metadata":{"name":"intel"},"status":{"allocatable":{"sgx.intel.com/epc":"128Mi"}}},)"
      R"({"metadata":{"name":"azure"},"status":{"allocatable":)"
      R"({"kubernetes.azure.com/sgx_epc_mem_in_MiB":"128"}}})";
  const std::vector<FitVerdict> verdicts = verdicts_for(pod, nodes);
  ASSERT_EQ(verdicts.size(), 2u);
  EXPECT_EQ(verdicts[0].fit, Fit::kUnresolvable);
  EXPECT_EQ(verdicts[0].reason,
            "node publishes no kubernetes.azure.com/sgx_epc_mem_in_MiB (it publishes "
            "sgx.intel.com/epc)");
  EXPECT_EQ(verdicts[1].fit, Fit::kFits);
}

TEST(DecodeNodes, KeepsOnlyTheLabelsAskedForAndStillEchoesThemAll) {
  const std::string node =
      R"({"metadata":{"name":"n","labels":{"agentpool":"confpool","zone":"1","tier":"gold"}}})";
  const std::string body = padded(R"({"Pod":{},"Nodes":{"items":[)" + node + "]}}");
  Result<ExtenderArgs> all = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ((*all->nodes)[0].node.labels.size(), 3u);

  Result<ExtenderArgs> some =
      decode_extender_args(parsers(), body, kEpc, NodeLabelKeys::only({"tier", "agentpool"}));
  ASSERT_TRUE(some.ok()) << some.error().message;
  const Labels expected = {{"agentpool", "confpool"}, {"tier", "gold"}};
  EXPECT_EQ((*some->nodes)[0].node.labels, expected);
  EXPECT_EQ((*some->nodes)[0].raw_json, node);

  Result<ExtenderArgs> none = decode_extender_args(parsers(), body, kEpc, NodeLabelKeys::only({}));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE((*none->nodes)[0].node.labels.empty());
}

// --- byte-exact echo -------------------------------------------------------------------------

TEST(DecodeNodes, RawTextIsByteIdenticalIncludingWhitespaceAndEscapes) {
  const std::string first =
      "{ \"metadata\" : {\"name\":\"n\\u00e9-1\", \"labels\":{\"a\\\"b\":\"c\\\\d\\n\"}},\n"
      "  \"status\":{\"allocatable\":{\"sgx.intel.com/epc\":\"1Mi\"}, \"x\": [ {}, \"}\" ] }\t}";
  const std::string second = "{\"metadata\":{\"name\":\"n2\"},\"spec\":{}}";
  const std::string third = "{\"metadata\":{\"name\":\"]},\"}}";
  const std::string body = padded("{\"Pod\":{},\"Nodes\":{\"items\":[ " + first + " ,\r\n  " +
                                  second + "," + third + "\n] } , \"NodeNames\":null}");
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  ASSERT_EQ(args->nodes->size(), 3u);
  EXPECT_EQ((*args->nodes)[0].node.name, "n\xc3\xa9-1");
  EXPECT_EQ((*args->nodes)[0].raw_json, first);
  EXPECT_EQ((*args->nodes)[0].node.allocatable, kOneMi);
  EXPECT_EQ((*args->nodes)[1].raw_json, second);
  EXPECT_EQ((*args->nodes)[2].node.name, "]},");
  EXPECT_EQ((*args->nodes)[2].raw_json, third);

  // The reply splices the same bytes back.
  FilterResult result;
  result.nodes_mode = true;
  result.passing_nodes_json = {(*args->nodes)[0].raw_json, (*args->nodes)[2].raw_json};
  const std::string reply = encode_filter_result(result);
  EXPECT_THAT(reply, HasSubstr("\"items\":[" + first + "," + third + "]"));
  const auto json = nlohmann::json::parse(reply);
  EXPECT_EQ(json["Nodes"]["items"][0]["metadata"]["labels"]["a\"b"], "c\\d\n");
}

// --- bad input -------------------------------------------------------------------------------

std::string extender_error(const std::string& body) {
  const std::string padded_body = padded(body);
  Result<ExtenderArgs> args = decode_extender_args(parsers(), padded_body, kEpc);
  EXPECT_FALSE(args.ok()) << "accepted: " << body.substr(0, 200);
  return args.ok() ? std::string() : args.error().message;
}

TEST(DecodeErrors, EmptyBody) {
  EXPECT_EQ(extender_error(""), "empty body");
  EXPECT_EQ(extender_error(" \n\t "), "empty body");
}

TEST(DecodeErrors, MissingOrNullPod) {
  EXPECT_EQ(extender_error("{}"), "missing Pod");
  EXPECT_EQ(extender_error(R"({"Pod":null,"NodeNames":["a"]})"), "missing Pod");
  EXPECT_EQ(extender_error(R"({"Pod":{},"pod":null})"), "missing Pod");
}

TEST(DecodeErrors, InvalidJsonNamesWhereItWasFound) {
  EXPECT_THAT(extender_error(R"({"Pod":{"metadata":{"name":"a",}}})"),
              HasSubstr("Pod.metadata: invalid JSON: "));
  EXPECT_THAT(extender_error(R"({"Pod" {}})"), HasSubstr("invalid JSON"));
  EXPECT_THAT(extender_error(R"({"Pod":{"metadata":{"name":"a\q"}}})"),
              HasSubstr("Pod.metadata.name: invalid JSON"));
  EXPECT_EQ(extender_error(R"({"Pod":{"spec":{"priority":tru}}})"),
            "Pod.spec.priority: invalid JSON: unexpected tru");
}

TEST(DecodeErrors, TruncatedBodiesAtEveryCutOfARealRequest) {
  const std::string body = fixture("k8s-1.30.12", "filter.request.json");
  // Every proper prefix is malformed; none may crash or be accepted.
  for (size_t cut = 0; cut + 1 < body.size(); cut += 7) {
    const std::string message = extender_error(body.substr(0, cut));
    EXPECT_FALSE(message.empty()) << "cut at " << cut;
  }
  EXPECT_THAT(extender_error(body.substr(0, body.size() - 1)), HasSubstr("invalid JSON"));
}

TEST(DecodeErrors, TrailingContentAfterTheRequest) {
  EXPECT_EQ(extender_error(R"({"Pod":{}} {"Pod":{}})"),
            R"(body: unexpected content after the JSON value at byte 11: {"Pod":{}})");
  EXPECT_THAT(extender_error(R"({"Pod":{}}})"), HasSubstr("unexpected content"));
}

TEST(DecodeErrors, WrongTypesAtEachLevel) {
  EXPECT_EQ(extender_error("[]"), "body: expected an object, got array");
  EXPECT_EQ(extender_error("not json"), "body: invalid JSON: unexpected not");
  EXPECT_EQ(extender_error("nul"), "body: invalid JSON: unexpected nul");
  EXPECT_EQ(extender_error("null"), "body: expected an object, got null");
  EXPECT_EQ(extender_error(R"({"Pod":{"spec":{"nodeName":falsy}}})"),
            "Pod.spec.nodeName: invalid JSON: unexpected falsy");
  EXPECT_EQ(extender_error(R"("Pod")"), R"(body: expected an object, got string "Pod")");
  EXPECT_EQ(extender_error(R"({"Pod":"vip"})"), R"(Pod: expected an object, got string "vip")");
  EXPECT_EQ(extender_error(R"({"Pod":{"metadata":[]}})"),
            "Pod.metadata: expected an object, got array");
  EXPECT_EQ(extender_error(R"({"Pod":{"metadata":{"name":5}}})"),
            "Pod.metadata.name: expected a string, got number 5");
  EXPECT_EQ(extender_error(R"({"Pod":{"spec":{"containers":{}}}})"),
            "Pod.spec.containers: expected an array, got object");
  EXPECT_EQ(extender_error(R"({"Pod":{"spec":{"containers":[7]}}})"),
            "Pod.spec.containers[0]: expected an object, got number 7");
  EXPECT_EQ(
      extender_error(
          R"({"Pod":{"spec":{"containers":[{},{"resources":{"requests":{"sgx.intel.com/epc":true}}}]}}})"),
      R"(Pod.spec.containers[1].resources.requests["sgx.intel.com/epc"]: expected a quantity string, got boolean true)");
  EXPECT_EQ(extender_error(R"({"Pod":{"spec":{"initContainers":[{"restartPolicy":1}]}}})"),
            "Pod.spec.initContainers[0].restartPolicy: expected a string, got number 1");
  EXPECT_EQ(extender_error(R"({"Pod":{"status":{"phase":["Running"]}}})"),
            "Pod.status.phase: expected a string, got array");
  EXPECT_EQ(extender_error(R"({"Pod":{},"Nodes":[]})"), "Nodes: expected an object, got array");
  EXPECT_EQ(extender_error(R"({"Pod":{},"Nodes":{"items":{}}})"),
            "Nodes.items: expected an array, got object");
  EXPECT_EQ(extender_error(R"({"Pod":{},"Nodes":{"items":[null]}})"),
            "Nodes.items[0]: expected an object, got null");
  EXPECT_EQ(extender_error(R"({"Pod":{},"Nodes":{"items":[{"metadata":{"name":"a"}},{}]}})"),
            "Nodes.items[1]: node without metadata.name");
  EXPECT_EQ(
      extender_error(
          R"({"Pod":{},"Nodes":{"items":[{"metadata":{"name":"a"},"spec":{"unschedulable":"yes"}}]}})"),
      R"(Nodes.items[0].spec.unschedulable: expected a boolean, got string "yes")");
  EXPECT_EQ(
      extender_error(
          R"({"Pod":{},"Nodes":{"items":[{"status":{"conditions":[{"type":"Ready","status":true}]}}]}})"),
      "Nodes.items[0].status.conditions[0].status: expected a string, got boolean true");
  EXPECT_EQ(extender_error(R"({"Pod":{},"NodeNames":"a"})"),
            R"(NodeNames: expected an array, got string "a")");
  EXPECT_EQ(extender_error(R"({"Pod":{},"NodeNames":["a",1]})"),
            "NodeNames[1]: expected a string, got number 1");
}

TEST(DecodeErrors, TolerationsNameTheirPath) {
  EXPECT_EQ(extender_error(R"({"Pod":{"spec":{"tolerations":[{"key":7}]}}})"),
            "Pod.spec.tolerations[0].key: expected a string, got number 7");
  EXPECT_EQ(extender_error(R"({"Pod":{"spec":{"tolerations":{"key":"k"}}}})"),
            "Pod.spec.tolerations: expected an array, got object");
}

TEST(DecodeErrors, NonNumericQuantityTokensAreRejected) {
  EXPECT_EQ(extender_error(R"({"Pod":{"overhead":0,"spec":{"overhead":{"sgx.intel.com/epc":-}}}})"),
            R"(Pod.spec.overhead["sgx.intel.com/epc"]: invalid JSON number -)");
}

TEST(DecodeErrors, PriorityOutOfRange) {
  EXPECT_EQ(extender_error(R"({"Pod":{"spec":{"priority":2147483648}}})"),
            "Pod.spec.priority: expected an int32, got number 2147483648");
  EXPECT_EQ(extender_error(R"({"Pod":{"spec":{"priority":-2147483649}}})"),
            "Pod.spec.priority: expected an int32, got number -2147483649");
  EXPECT_EQ(extender_error(R"({"Pod":{"spec":{"priority":123456789012345678901234567890}}})"),
            "Pod.spec.priority: expected an int32, got number 123456789012345678901234567890");
  EXPECT_EQ(extender_error(R"({"Pod":{"spec":{"priority":1e400}}})"),
            "Pod.spec.priority: expected an int32, got number 1e400");
  EXPECT_EQ(extender_error(R"({"Pod":{"spec":{"priority":1.5}}})"),
            "Pod.spec.priority: expected an int32, got number 1.5");
  EXPECT_EQ(extender_error(R"({"Pod":{"spec":{"priority":"1"}}})"),
            R"(Pod.spec.priority: expected an int32, got string "1")");
}

TEST(DecodeErrors, LongValuesAreEchoedCut) {
  const std::string long_name(500, 'x');
  EXPECT_EQ(extender_error(R"({"Pod":")" + long_name + R"("})"),
            "Pod: expected an object, got string \"" + std::string(63, 'x') + "...");
}

TEST(DecodeErrors, DeepNestingErrorsInsteadOfCrashing) {
  const std::string deep(100000, '[');
  EXPECT_EQ(extender_error(deep), "body: expected an object, got array");
  EXPECT_EQ(extender_error(R"({"Pod":)" + deep),
            "body: invalid JSON: JSON document ended early in the middle of an object or array.");
  EXPECT_EQ(extender_error(R"({"Pod":{"spec":{"containers":)" + deep + "]]}}}"),
            "Pod.spec.containers[0]: expected an object, got array");
  EXPECT_THAT(extender_error(R"({"Pod":{"metadata":{"labels":)" + deep + "}}}"),
              HasSubstr("invalid JSON"));
  EXPECT_FALSE(extender_error(std::string(100000, '{')).empty());
}

TEST(DecodeErrors, InvalidUtf8) {
  EXPECT_EQ(extender_error("{\"Pod\":{\"metadata\":{\"name\":\"a\xff\"}}}"),
            "body: invalid JSON: The input is not valid UTF-8");
  // Even inside a field the decoder skips.
  EXPECT_EQ(extender_error("{\"Pod\":{},\"x\":\"\xc3\x28\"}"),
            "body: invalid JSON: The input is not valid UTF-8");
}

TEST(DecodeErrors, AnUnpaddedBodyIsRefusedNotOverread) {
  std::string body = R"({"Pod":{},"NodeNames":[]})";
  body.shrink_to_fit();
  ASSERT_LT(body.capacity(), body.size() + 64);
  Result<ExtenderArgs> args = decode_extender_args(parsers(), body, kEpc);
  ASSERT_FALSE(args.ok());
  EXPECT_THAT(args.error().message, HasSubstr("not padded"));
  pad_body(body);
  EXPECT_TRUE(decode_extender_args(parsers(), body, kEpc).ok());
}

TEST(PadBody, KeepsContentAndDoesNotReallocateWhenCapacitySuffices) {
  std::string body = "{}";
  pad_body(body);
  EXPECT_EQ(body, "{}");
  EXPECT_GE(body.capacity(), body.size() + 64);
  const char* data = body.data();
  pad_body(body);
  EXPECT_EQ(body.data(), data);
}

// --- bind ------------------------------------------------------------------------------------

TEST(DecodeBinding, KeysInAnyCase) {
  Result<BindingArgs> args = decode_binding_args(
      parsers(), padded(R"({"podname":"p","PODNAMESPACE":"ns","podUID":"u","node":"n"})"));
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_EQ(args->pod_name, "p");
  EXPECT_EQ(args->pod_namespace, "ns");
  EXPECT_EQ(args->pod_uid, "u");
  EXPECT_EQ(args->node, "n");
}

TEST(DecodeBinding, UidIsOptionalTheRestIsNot) {
  EXPECT_TRUE(
      decode_binding_args(parsers(), padded(R"({"PodName":"p","PodNamespace":"ns","Node":"n"})"))
          .ok());
  EXPECT_EQ(
      decode_binding_args(parsers(), padded(R"({"PodNamespace":"ns","Node":"n"})")).error().message,
      "missing PodName");
  EXPECT_EQ(
      decode_binding_args(parsers(), padded(R"({"PodName":"p","PodNamespace":null,"Node":"n"})"))
          .error()
          .message,
      "missing PodNamespace");
  EXPECT_EQ(
      decode_binding_args(parsers(), padded(R"({"PodName":"p","PodNamespace":"ns","Node":""})"))
          .error()
          .message,
      "missing Node");
  EXPECT_EQ(decode_binding_args(parsers(), padded(R"({"PodName":1})")).error().message,
            "PodName: expected a string, got number 1");
  EXPECT_EQ(decode_binding_args(parsers(), padded("")).error().message, "empty body");
}

// --- preempt ---------------------------------------------------------------------------------

TEST(DecodePreemption, NullEntriesAndBothMaps) {
  const std::string body =
      padded(R"({"pod":{"metadata":{"name":"p"}},)"
             R"("nodeNameToMetaVictims":{"m":{"pods":[{"uid":"x"}],"numPDBViolations":9}},)"
             R"("NodeNameToVictims":{"a":null,"b":{"Pods":[null,{"metadata":{"uid":"v1"}}],)"
             R"("NumPDBViolations":2}}})");
  Result<PreemptionArgs> args = decode_preemption_args(parsers(), body, kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  // The full form wins when both are sent.
  ASSERT_EQ(args->victims.size(), 2u);
  EXPECT_EQ(args->victims[0].node_name, "a");
  EXPECT_TRUE(args->victims[0].pod_uids.empty());
  EXPECT_EQ(args->victims[1].node_name, "b");
  EXPECT_THAT(args->victims[1].pod_uids, ElementsAre("v1"));
  EXPECT_EQ(args->victims[1].num_pdb_violations, 2);
}

TEST(DecodePreemption, MetaFormWithNullFullForm) {
  Result<PreemptionArgs> args = decode_preemption_args(
      parsers(),
      padded(
          R"({"Pod":{},"NodeNameToVictims":null,)"
          R"("NodeNameToMetaVictims":{"m":{"Pods":[{"UID":"x"},{"UID":"y"}],"NumPDBViolations":1},)"
          R"("m":{"Pods":[{"UID":"z"}]}}})"),
      kEpc);
  ASSERT_TRUE(args.ok()) << args.error().message;
  ASSERT_EQ(args->victims.size(), 1u);  // the repeated node name: last wins
  EXPECT_THAT(args->victims[0].pod_uids, ElementsAre("z"));
  EXPECT_EQ(args->victims[0].num_pdb_violations, 0);
}

TEST(DecodePreemption, Errors) {
  EXPECT_EQ(decode_preemption_args(parsers(), padded(R"({"NodeNameToMetaVictims":{}})"), kEpc)
                .error()
                .message,
            "missing Pod");
  EXPECT_EQ(decode_preemption_args(
                parsers(),
                padded(R"({"Pod":{},"NodeNameToMetaVictims":{"n":{"Pods":[{"UID":3}]}}})"), kEpc)
                .error()
                .message,
            "NodeNameToMetaVictims.n.Pods[0].UID: expected a string, got number 3");
  EXPECT_EQ(decode_preemption_args(
                parsers(),
                padded(R"({"Pod":{},"NodeNameToVictims":{"n":{"NumPDBViolations":"0"}}})"), kEpc)
                .error()
                .message,
            R"(NodeNameToVictims.n.NumPDBViolations: expected an int64, got string "0")");
  EXPECT_EQ(decode_preemption_args(parsers(), padded(R"({"Pod":{},"NodeNameToVictims":[]})"), kEpc)
                .error()
                .message,
            "NodeNameToVictims: expected an object, got array");
}

// --- encoding --------------------------------------------------------------------------------

TEST(Encode, FilterInNodesMode) {
  FilterResult result;
  result.nodes_mode = true;
  result.passing_nodes_json = {R"({"metadata":{"name":"a"}})", R"({ "metadata" : {"name":"b"} })"};
  result.failed = {{"c", "insufficient \"epc\""}};
  EXPECT_EQ(
      encode_filter_result(result),
      R"({"Nodes":{"metadata":{},"items":[{"metadata":{"name":"a"}},{ "metadata" : {"name":"b"} }]},)"
      R"("NodeNames":null,"FailedNodes":{"c":"insufficient \"epc\""},)"
      R"("FailedAndUnresolvableNodes":{},"Error":""})");
}

TEST(Encode, FilterInNodeNamesMode) {
  FilterResult result;
  result.passing_node_names = {"a"};
  result.unresolvable = {{"b", "node has no SGX EPC"}};
  EXPECT_EQ(encode_filter_result(result),
            R"({"Nodes":null,"NodeNames":["a"],"FailedNodes":{},)"
            R"("FailedAndUnresolvableNodes":{"b":"node has no SGX EPC"},"Error":""})");
  FilterResult empty;
  EXPECT_EQ(
      encode_filter_result(empty),
      R"({"Nodes":null,"NodeNames":[],"FailedNodes":{},"FailedAndUnresolvableNodes":{},"Error":""})");
}

TEST(Encode, FilterError) {
  FilterResult result;
  result.error = "pod default/p: sgx.intel.com/epc: invalid quantity \"x\"";
  const auto json = nlohmann::json::parse(encode_filter_result(result));
  EXPECT_EQ(json["Error"], result.error);
}

TEST(Encode, HostPrioritiesAreIntegers) {
  EXPECT_EQ(encode_host_priorities({{"a", 10}, {"b", 0}}),
            R"([{"Host":"a","Score":10},{"Host":"b","Score":0}])");
  EXPECT_EQ(encode_host_priorities({}), "[]");
}

TEST(Encode, BindingAndError) {
  EXPECT_EQ(encode_binding_result(""), R"({"Error":""})");
  EXPECT_EQ(encode_binding_result("pod \"x\" unknown"), R"({"Error":"pod \"x\" unknown"})");
  EXPECT_EQ(encode_error("missing Pod"), R"({"Error":"missing Pod"})");
}

TEST(Encode, InvalidUtf8InAMessageIsReplacedNotThrown) {
  const std::string reply = encode_error("bad \xff byte");
  EXPECT_EQ(reply, "{\"Error\":\"bad \xef\xbf\xbd byte\"}");
}

TEST(Encode, PreemptionAlwaysInMetaForm) {
  PreemptionResult result;
  NodeVictims victims;
  victims.node_name = "n";
  victims.pods.push_back(Pod{});  // full pods are never encoded
  victims.pod_uids = {"u1", "u2"};
  victims.num_pdb_violations = 1;
  result.victims.push_back(victims);
  EXPECT_EQ(
      encode_preemption_result(result),
      R"({"NodeNameToMetaVictims":{"n":{"Pods":[{"UID":"u1"},{"UID":"u2"}],"NumPDBViolations":1}}})");
  EXPECT_EQ(encode_preemption_result({}), R"({"NodeNameToMetaVictims":{}})");
}

}  // namespace
}  // namespace epc
