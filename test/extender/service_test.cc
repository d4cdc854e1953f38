// ExtenderService end to end, bytes in and bytes out: every recorded kube-scheduler request of both
// versions answered against the fixture cluster, plus the decisions the recordings do not reach
// (FailedNodes versus FailedAndUnresolvableNodes, binds that fail, preemptions that help or not).
#include "scheduler/extender/extender_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "model/scoring/spread.h"
#include "scheduler/state/cluster_file.h"
#include "test/extender/test_support.h"

namespace epc {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
using test::fixture;
using test::fixture_path;

constexpr int64_t kMi = int64_t{1} << 20;
const std::vector<std::string> kVersions = {"k8s-1.26.7", "k8s-1.30.12"};

constexpr std::string_view kMetaVictimSgx130 = "d2209ee3-740b-4f83-a633-03595d41b4aa";
constexpr std::string_view kMetaVictimSgx126 = "788b367e-f5ec-4995-9267-9414adb9cb28";
constexpr std::string_view kPendingEpc1_130 = "7f127654-34c4-4284-8855-5c7ce90b452f";
constexpr std::string_view kPendingEpc1_126 = "7bfb08d1-f89d-4801-a379-d6d902ef3e33";

// A pod as kube-scheduler sends it, requesting `epc` (empty: no EPC at all).
std::string pod_json(const std::string& name, const std::string& epc, const std::string& uid = "") {
  std::string resources = epc.empty()
                              ? R"({"requests":{"cpu":"100m"}})"
                              : R"({"requests":{"sgx.intel.com/epc":")" + epc +
                                    R"("},"limits":{"sgx.intel.com/epc":")" + epc + R"("}})";
  return R"({"metadata":{"name":")" + name + R"(","namespace":"default","uid":")" +
         (uid.empty() ? "uid-" + name : uid) +
         R"("},"spec":{"containers":[{"name":"c0","resources":)" + resources +
         R"(}],"priority":100},"status":{"phase":"Pending"}})";
}

std::string names_request(const std::string& pod, const std::string& names) {
  return R"({"Pod":)" + pod + R"(,"Nodes":null,"NodeNames":)" + names + "}";
}

std::string node_json(const std::string& name, const std::string& epc,
                      const std::string& extra = "") {
  std::string allocatable =
      epc.empty() ? R"({"cpu":"4"})" : R"({"cpu":"4","sgx.intel.com/epc":")" + epc + R"("})";
  return R"({"metadata":{"name":")" + name + R"("},"spec":{)" + extra +
         R"(},"status":{"allocatable":)" + allocatable + R"(}})";
}

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest() {
    Result<ClusterFileSummary> loaded =
        load_cluster_file(fixture_path("fixture-cluster.json"), state_);
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
  }

  Json call(Verb verb, std::string body, int expected_status = 200) {
    const Reply reply = service_.handle(verb, std::move(body));
    EXPECT_EQ(reply.status, expected_status) << reply.body;
    last_body_ = reply.body;
    return Json::parse(reply.body);
  }

  int64_t committed(std::string_view node) const {
    return state_.snapshot()->committed_bytes(node);
  }

  void use(PlacementPolicy policy) { policy_ = std::make_shared<const PlacementPolicy>(policy); }

  // As if every pod asked about so far had been placed elsewhere and its reservation had lapsed.
  void forget_reservations() { state_.expire_reservations(SteadyTime::max()); }

  ExtenderServiceOptions options(ExtenderServiceOptions base = {}) {
    base.clock = [this] { return now_; };
    return base;
  }

  ClusterState state_{EpcResources::defaults()};
  std::shared_ptr<const PlacementPolicy> policy_ = std::make_shared<const PlacementPolicy>();
  SteadyTime now_{};
  ExtenderService service_{state_, [this] { return policy_; }, options()};
  std::string last_body_;
};

// --- filter ----------------------------------------------------------------------------------

TEST_F(ServiceTest, FilterFixtureInNodesModeEchoesThePassingNodeByteForByte) {
  for (const std::string& version : kVersions) {
    SCOPED_TRACE(version);
    const std::string request = fixture(version, "filter.request.json");
    const Json reply = call(Verb::kFilter, request);
    ASSERT_EQ(reply["Nodes"]["items"].size(), 1u);
    EXPECT_EQ(reply["Nodes"]["items"][0]["metadata"]["name"], "sgx-small");
    EXPECT_TRUE(reply["NodeNames"].is_null());
    EXPECT_EQ(reply["FailedNodes"], Json::object());
    EXPECT_EQ(reply["FailedAndUnresolvableNodes"], Json::object());
    EXPECT_EQ(reply["Error"], "");
    // The node object goes back exactly as it came, status and all.
    const size_t start = request.find(R"({"metadata":{"name":"sgx-small")");
    const std::string node = request.substr(start, request.rfind("]},\"NodeNames\"") - start);
    EXPECT_THAT(last_body_, HasSubstr(R"("items":[)" + node + "]"));
  }
}

TEST_F(ServiceTest, FilterFixtureInNodeNamesMode) {
  for (const std::string& version : kVersions) {
    SCOPED_TRACE(version);
    const Json reply = call(Verb::kFilter, fixture(version, "filter-nodenames.request.json"));
    EXPECT_TRUE(reply["Nodes"].is_null());
    EXPECT_EQ(reply["NodeNames"], Json::array({"sgx-small"}));
    EXPECT_EQ(reply["FailedNodes"], Json::object());
    EXPECT_EQ(reply["FailedAndUnresolvableNodes"], Json::object());
    EXPECT_EQ(reply["Error"], "");
  }
}

TEST_F(ServiceTest, FilterSplitsFailuresByWhetherPreemptionCouldHelp) {
  // sgx-small: 64Mi, of which the fixture's four sgx victims hold 4Mi.
  ASSERT_EQ(committed("sgx-small"), 4 * kMi);
  const Json reply = call(
      Verb::kFilter,
      names_request(pod_json("big", "62Mi"), R"(["sgx-small","sgx-a","blocked-small","ghost"])"));
  EXPECT_EQ(reply["NodeNames"], Json::array({"sgx-a"}));
  EXPECT_EQ(
      reply["FailedNodes"],
      Json({{"sgx-small", "insufficient sgx.intel.com/epc: requested 62Mi, free 60Mi of 64Mi"}}));
  const Json& unresolvable = reply["FailedAndUnresolvableNodes"];
  ASSERT_EQ(unresolvable.size(), 2u);
  EXPECT_THAT(unresolvable["blocked-small"].get<std::string>(), HasSubstr("node has no SGX EPC"));
  EXPECT_EQ(unresolvable["ghost"], "node \"ghost\" is not in epc-extender's cluster state");
  EXPECT_EQ(reply["Error"], "");
}

TEST_F(ServiceTest, FilterCallsADemandAboveTheNodesTotalUnresolvable) {
  const Json reply =
      call(Verb::kFilter, names_request(pod_json("huge", "100Mi"), R"(["sgx-small","sgx-b"])"));
  EXPECT_EQ(reply["NodeNames"], Json::array({"sgx-b"}));
  EXPECT_EQ(reply["FailedNodes"], Json::object());
  EXPECT_EQ(
      reply["FailedAndUnresolvableNodes"],
      Json({{"sgx-small", "insufficient sgx.intel.com/epc: requested 100Mi, node total 64Mi"}}));
}

TEST_F(ServiceTest, FilterInNodesModeTakesCapacityFromTheRequestAndUsageFromTheState) {
  // The request says sgx-small has 8Mi; the state knows 4Mi is committed there.
  const std::string request = R"({"Pod":)" + pod_json("p", "5Mi") +
                              R"(,"Nodes":{"metadata":{},"items":[)" +
                              node_json("sgx-small", "8Mi") + "," + node_json("new-node", "8Mi") +
                              "," + node_json("cordoned", "8Mi", R"("unschedulable":true)") + "," +
                              node_json("plain", "") + R"(]},"NodeNames":null})";
  const Json reply = call(Verb::kFilter, request);
  ASSERT_EQ(reply["Nodes"]["items"].size(), 1u);
  EXPECT_EQ(reply["Nodes"]["items"][0]["metadata"]["name"], "new-node");
  EXPECT_TRUE(reply["NodeNames"].is_null());
  EXPECT_EQ(
      reply["FailedNodes"],
      Json({{"sgx-small", "insufficient sgx.intel.com/epc: requested 5Mi, free 4Mi of 8Mi"}}));
  EXPECT_EQ(reply["FailedAndUnresolvableNodes"]["cordoned"],
            "node is cordoned (spec.unschedulable)");
  EXPECT_THAT(reply["FailedAndUnresolvableNodes"]["plain"].get<std::string>(),
              HasSubstr("node has no SGX EPC"));
}

TEST_F(ServiceTest, FilterReportsAnUnreadableDemandInTheErrorField) {
  const Json reply = call(Verb::kFilter, names_request(pod_json("bad", "1.5"), R"(["sgx-a"])"));
  EXPECT_THAT(reply["Error"].get<std::string>(), HasSubstr("pod default/bad: "));
  EXPECT_THAT(reply["Error"].get<std::string>(), HasSubstr("invalid quantity \"1.5\""));
  EXPECT_EQ(reply["NodeNames"], Json::array());
  EXPECT_EQ(reply["FailedNodes"], Json::object());
}

TEST_F(ServiceTest, FilterWithNoCandidateListAnswersEmptyWithoutError) {
  const Json reply = call(
      Verb::kFilter, R"({"Pod":)" + pod_json("p", "1Mi") + R"(,"Nodes":null,"NodeNames":null})");
  EXPECT_EQ(reply["NodeNames"], Json::array());
  EXPECT_EQ(reply["Error"], "");
}

TEST_F(ServiceTest, FilterRejectsAnUndecodableBodyWithBadRequest) {
  const Json missing = call(Verb::kFilter, R"({"NodeNames":["a"]})", 400);
  EXPECT_EQ(missing, Json({{"Error", "missing Pod"}}));
  const Json garbage = call(Verb::kFilter, "not json", 400);
  EXPECT_THAT(garbage["Error"].get<std::string>(), HasSubstr("invalid JSON"));
}

TEST_F(ServiceTest, FilterRemembersThePodSoThatItsBindCanBeServed) {
  call(Verb::kFilter, names_request(pod_json("fresh", "2Mi"), R"(["sgx-a"])"));
  const Json bound =
      call(Verb::kBind,
           R"({"PodName":"fresh","PodNamespace":"default","PodUID":"uid-fresh","Node":"sgx-a"})");
  EXPECT_EQ(bound, Json({{"Error", ""}}));
  EXPECT_EQ(committed("sgx-a"), 2 * kMi);
}

// --- prioritize ------------------------------------------------------------------------------

TEST_F(ServiceTest, PrioritizeFixturesScoreEveryCandidateInRequestOrder) {
  for (const std::string& version : kVersions) {
    SCOPED_TRACE(version);
    const Json by_nodes = call(Verb::kPrioritize, fixture(version, "prioritize.request.json"));
    ASSERT_EQ(by_nodes.size(), 2u);
    // Two empty 128Mi nodes: the same preference. Only the first keeps the best score, so that
    // kube-scheduler's pick is the node that holds the pod's reservation.
    const std::string first = version == "k8s-1.26.7" ? "sgx-b" : "sgx-a";
    const std::string second = version == "k8s-1.26.7" ? "sgx-a" : "sgx-b";
    EXPECT_EQ(by_nodes, Json::parse(R"([{"Host":")" + first + R"(","Score":10},{"Host":")" +
                                    second + R"(","Score":9}])"));
    EXPECT_GT(state_.snapshot()->reserved_bytes(first), 0);
    forget_reservations();  // each recording is another pod, placed on its own
    const Json by_names =
        call(Verb::kPrioritize, fixture(version, "prioritize-nodenames.request.json"));
    EXPECT_EQ(by_names, Json::parse(R"([{"Host":"sgx-a","Score":10},{"Host":"sgx-b","Score":9}])"));
    forget_reservations();
  }
}

TEST_F(ServiceTest, PrioritizeFollowsThePolicyOfEachRequest) {
  // Bind the 1.26 recording's pending pod to sgx-b: sgx-b is now the fuller node.
  call(Verb::kBind, R"({"PodName":"epc-1-v126","PodNamespace":"default","PodUID":")" +
                        std::string(kPendingEpc1_126) + R"(","Node":"sgx-b"})");
  ASSERT_EQ(committed("sgx-b"), kMi);
  const std::string request = fixture("k8s-1.30.12", "prioritize-nodenames.request.json");
  EXPECT_EQ(call(Verb::kPrioritize, request),
            Json::parse(R"([{"Host":"sgx-a","Score":9},{"Host":"sgx-b","Score":10}])"));
  use({.strategy = &kSpread});
  EXPECT_EQ(call(Verb::kPrioritize, request),
            Json::parse(R"([{"Host":"sgx-a","Score":10},{"Host":"sgx-b","Score":9}])"));
}

TEST_F(ServiceTest, PrioritizeGivesUnfitAndUnknownNodesZero) {
  const Json reply = call(
      Verb::kPrioritize, names_request(pod_json("p", "100Mi"), R"(["sgx-small","ghost","sgx-a"])"));
  EXPECT_EQ(reply, Json::parse(R"([{"Host":"sgx-small","Score":0},{"Host":"ghost","Score":0},)"
                               R"({"Host":"sgx-a","Score":10}])"));
}

TEST_F(ServiceTest, PrioritizePrefersGeneralNodesForPodsWithoutEpc) {
  const Json reply =
      call(Verb::kPrioritize, names_request(pod_json("plain", ""), R"(["sgx-a","blocked-small"])"));
  EXPECT_EQ(reply,
            Json::parse(R"([{"Host":"sgx-a","Score":0},{"Host":"blocked-small","Score":10}])"));
}

TEST_F(ServiceTest, PrioritizeScoresAnUnreadableDemandZeroEverywhere) {
  const Json reply = call(Verb::kPrioritize,
                          names_request(pod_json("bad", "12x"), R"(["sgx-a","blocked-small"])"));
  EXPECT_EQ(reply,
            Json::parse(R"([{"Host":"sgx-a","Score":0},{"Host":"blocked-small","Score":0}])"));
}

TEST_F(ServiceTest, PrioritizeRejectsAnUndecodableBody) {
  EXPECT_EQ(call(Verb::kPrioritize, "", 400), Json({{"Error", "empty body"}}));
}

// --- bind ------------------------------------------------------------------------------------

TEST_F(ServiceTest, BindFixturesCommitThePendingPods) {
  EXPECT_EQ(call(Verb::kBind, fixture("k8s-1.30.12", "bind.request.json")), Json({{"Error", ""}}));
  EXPECT_EQ(committed("sgx-a"), kMi);
  // The 1.26 recording binds its own epc-1 (another UID) to the same node.
  EXPECT_EQ(call(Verb::kBind, fixture("k8s-1.26.7", "bind.request.json")), Json({{"Error", ""}}));
  EXPECT_EQ(committed("sgx-a"), 2 * kMi);
}

TEST_F(ServiceTest, BindingTwiceToTheSameNodeChangesNothing) {
  const std::string request = fixture("k8s-1.30.12", "bind.request.json");
  call(Verb::kBind, request);
  EXPECT_EQ(call(Verb::kBind, request), Json({{"Error", ""}}));
  EXPECT_EQ(committed("sgx-a"), kMi);
}

TEST_F(ServiceTest, BindingAgainToAnotherNodeFails) {
  call(Verb::kBind, fixture("k8s-1.30.12", "bind.request.json"));
  const Json reply = call(Verb::kBind, R"({"PodName":"epc-1","PodNamespace":"default","PodUID":")" +
                                           std::string(kPendingEpc1_130) + R"(","Node":"sgx-b"})");
  EXPECT_THAT(reply["Error"].get<std::string>(), HasSubstr("already bound to node \"sgx-a\""));
  EXPECT_EQ(committed("sgx-b"), 0);
}

TEST_F(ServiceTest, BindingAnUnknownPodOrToAnUnknownNodeFails) {
  const Json unknown_pod =
      call(Verb::kBind,
           R"({"PodName":"nobody","PodNamespace":"default","PodUID":"u-0","Node":"sgx-a"})");
  EXPECT_THAT(unknown_pod["Error"].get<std::string>(),
              HasSubstr("pod default/nobody (uid u-0) is not known"));
  const Json unknown_node =
      call(Verb::kBind, R"({"PodName":"epc-1","PodNamespace":"default","PodUID":")" +
                            std::string(kPendingEpc1_130) + R"(","Node":"ghost"})");
  EXPECT_THAT(unknown_node["Error"].get<std::string>(),
              HasSubstr("node \"ghost\" is not in epc-extender's cluster state"));
  EXPECT_EQ(committed("sgx-a"), 0);
}

TEST_F(ServiceTest, BindingAPodThatNoLongerFitsFails) {
  call(Verb::kFilter, names_request(pod_json("big", "61Mi"), R"(["sgx-small"])"));
  const Json reply =
      call(Verb::kBind,
           R"({"PodName":"big","PodNamespace":"default","PodUID":"uid-big","Node":"sgx-small"})");
  EXPECT_THAT(reply["Error"].get<std::string>(),
              HasSubstr("insufficient sgx.intel.com/epc: requested 61Mi, free 60Mi of 64Mi"));
  EXPECT_EQ(committed("sgx-small"), 4 * kMi);
}

TEST_F(ServiceTest, BindRejectsAnIncompleteRequestWithBadRequest) {
  EXPECT_EQ(call(Verb::kBind, R"({"PodName":"epc-1","PodNamespace":"default"})", 400),
            Json({{"Error", "missing Node"}}));
}

// --- preempt ---------------------------------------------------------------------------------

TEST_F(ServiceTest, PreemptFixtureWithFullVictimsKeepsOnlyTheNodeWithEpc) {
  const std::vector<std::string> sgx_victims = {"a2849cac-0bd7-4878-8543-2e7aed3bf478",
                                                "36e75895-1cf2-43bd-b934-f2693bfc8057"};
  for (size_t i = 0; i < kVersions.size(); ++i) {
    SCOPED_TRACE(kVersions[i]);
    const Json reply = call(Verb::kPreempt, fixture(kVersions[i], "preempt.request.json"));
    EXPECT_EQ(reply, Json({{"NodeNameToMetaVictims",
                            {{"sgx-small",
                              {{"Pods", Json::array({{{"UID", sgx_victims[i]}}})},
                               {"NumPDBViolations", 0}}}}}}));
  }
}

TEST_F(ServiceTest, PreemptFixtureWithMetaVictims) {
  const Json reply =
      call(Verb::kPreempt, fixture("k8s-1.30.12", "preempt-metavictims.request.json"));
  EXPECT_EQ(reply, Json({{"NodeNameToMetaVictims",
                          {{"sgx-small",
                            {{"Pods", Json::array({{{"UID", kMetaVictimSgx130}}})},
                             {"NumPDBViolations", 0}}}}}}));
  const Json older =
      call(Verb::kPreempt, fixture("k8s-1.26.7", "preempt-metavictims.request.json"));
  EXPECT_EQ(older["NodeNameToMetaVictims"]["sgx-small"]["Pods"][0]["UID"], kMetaVictimSgx126);
  EXPECT_FALSE(older["NodeNameToMetaVictims"].contains("blocked-small"));
}

std::string meta_preempt(const std::string& pod, const std::string& victims) {
  return R"({"Pod":)" + pod + R"(,"NodeNameToVictims":null,"NodeNameToMetaVictims":)" + victims +
         "}";
}

std::string uid_list(std::initializer_list<std::string_view> uids) {
  std::string list = "[";
  for (std::string_view uid : uids) {
    if (list.size() > 1) list += ',';
    list += R"({"UID":")" + std::string(uid) + R"("})";
  }
  return list + "]";
}

TEST_F(ServiceTest, PreemptKeepsANodeOnlyWhenTheVictimsFreeEnoughEpc) {
  // 62Mi on sgx-small (60Mi free): evicting one 1Mi victim is not enough, two are.
  const std::string pod = pod_json("big", "62Mi");
  const Json one = call(
      Verb::kPreempt, meta_preempt(pod, R"({"sgx-small":{"Pods":)" + uid_list({kMetaVictimSgx130}) +
                                            R"(,"NumPDBViolations":0}})"));
  EXPECT_EQ(one["NodeNameToMetaVictims"], Json::object());
  const Json two =
      call(Verb::kPreempt, meta_preempt(pod, R"({"sgx-small":{"Pods":)" +
                                                 uid_list({kMetaVictimSgx130, kMetaVictimSgx126}) +
                                                 R"(,"NumPDBViolations":3}})"));
  EXPECT_EQ(
      two["NodeNameToMetaVictims"]["sgx-small"],
      Json({{"Pods", Json::array({{{"UID", kMetaVictimSgx130}}, {{"UID", kMetaVictimSgx126}}})},
            {"NumPDBViolations", 3}}));
}

TEST_F(ServiceTest, PreemptCountsAVictimOnlyOnItsOwnNodeAndUnknownUidsAsNothing) {
  call(Verb::kBind, fixture("k8s-1.30.12", "bind.request.json"));  // epc-1 (1Mi) is now on sgx-a
  // One real sgx-small victim (1Mi), epc-1 (on sgx-a: frees nothing here) and an unknown UID:
  // 61Mi free is not enough for 62Mi.
  const Json reply =
      call(Verb::kPreempt,
           meta_preempt(pod_json("big", "62Mi"),
                        R"({"sgx-small":{"Pods":)" +
                            uid_list({kMetaVictimSgx130, kPendingEpc1_130, "u-unknown"}) + "}}"));
  EXPECT_EQ(reply["NodeNameToMetaVictims"], Json::object());
}

// A victim sent as a full pod frees what the ledger says it holds there, not what its spec asks:
// invented or stale victims must not justify evictions that free nothing.
TEST_F(ServiceTest, PreemptWithFullVictimsCountsOnlyWhatTheLedgerHoldsForThem) {
  const auto full_preempt = [](const std::string& victim_pods) {
    return R"({"Pod":)" + pod_json("big", "62Mi") +
           R"(,"NodeNameToVictims":{"sgx-small":{"Pods":)" + victim_pods +
           R"(,"NumPDBViolations":1},"ghost":{"Pods":)" + victim_pods +
           R"(}},"NodeNameToMetaVictims":null})";
  };
  // Two pods the ledger has never seen, each claiming 1Mi: they free nothing.
  const Json invented = call(Verb::kPreempt, full_preempt("[" + pod_json("v1", "1Mi") + "," +
                                                          pod_json("v2", "1Mi") + "]"));
  EXPECT_EQ(invented["NodeNameToMetaVictims"], Json::object());
  // The fixture's two real sgx-small pods (1Mi each), sent in full: 62Mi free, enough.
  const std::string real =
      "[" + pod_json("victim-sgx", "1Mi", "36e75895-1cf2-43bd-b934-f2693bfc8057") + "," +
      pod_json("victim-sgx-cache", "1Mi", std::string(kMetaVictimSgx130)) + "]";
  const Json reply = call(Verb::kPreempt, full_preempt(real));
  EXPECT_EQ(reply,
            Json({{"NodeNameToMetaVictims",
                   {{"sgx-small",
                     {{"Pods", Json::array({{{"UID", "36e75895-1cf2-43bd-b934-f2693bfc8057"}},
                                            {{"UID", kMetaVictimSgx130}}})},
                      {"NumPDBViolations", 1}}}}}}));
}

TEST_F(ServiceTest, PreemptForAPodWithoutEpcKeepsTheNodesFilterAdmitsWithTheirVictims) {
  const Json reply =
      call(Verb::kPreempt, meta_preempt(pod_json("plain", ""),
                                        R"({"sgx-a":{"Pods":[{"UID":"x"}],"NumPDBViolations":2},)"
                                        R"("blocked-small":{"Pods":[{"UID":"y"}]}})"));
  EXPECT_EQ(
      reply["NodeNameToMetaVictims"],
      Json({{"blocked-small", {{"Pods", Json::array({{{"UID", "y"}}})}, {"NumPDBViolations", 0}}},
            {"sgx-a", {{"Pods", Json::array({{{"UID", "x"}}})}, {"NumPDBViolations", 2}}}}));
}

// nonEpcPods require-general: filter keeps the pod off confidential nodes, so preempt must not
// offer them either, or kube-scheduler would evict pods there and nominate a node filter refuses.
TEST_F(ServiceTest, PreemptForAPodWithoutEpcDropsTheNodesFilterKeepsItOff) {
  PlacementPolicy policy;
  policy.non_epc_pods = NonEpcPolicy::kRequireGeneral;
  use(policy);
  const Json reply =
      call(Verb::kPreempt,
           meta_preempt(pod_json("plain", ""), R"({"sgx-a":{"Pods":[{"UID":"x"}]},)"
                                               R"("blocked-small":{"Pods":[{"UID":"y"}]}})"));
  EXPECT_EQ(reply["NodeNameToMetaVictims"],
            Json({{"blocked-small",
                   {{"Pods", Json::array({{{"UID", "y"}}})}, {"NumPDBViolations", 0}}}}));
}

// kube-scheduler's Evaluator.callExtenders fails the whole preemption ("expected at least one
// victim pod on node") when a reply names a node without victims.
TEST_F(ServiceTest, PreemptNeverOffersANodeWithAnEmptyVictimList) {
  const Json epc = call(
      Verb::kPreempt,
      meta_preempt(pod_json("small", "1Mi"), R"({"sgx-a":{"Pods":[]},"sgx-b":{"Pods":null}})"));
  EXPECT_EQ(epc["NodeNameToMetaVictims"], Json::object());
  const Json plain =
      call(Verb::kPreempt, meta_preempt(pod_json("plain", ""), R"({"blocked-small":{"Pods":[]}})"));
  EXPECT_EQ(plain["NodeNameToMetaVictims"], Json::object());
}

TEST_F(ServiceTest, PreemptRejectsAnUndecodableBody) {
  EXPECT_EQ(call(Verb::kPreempt, R"({"NodeNameToMetaVictims":{}})", 400),
            Json({{"Error", "missing Pod"}}));
}

TEST_F(ServiceTest, VerbMethodsAnswerLikeHandle) {
  const Reply direct =
      service_.prioritize(fixture("k8s-1.30.12", "prioritize-nodenames.request.json"));
  EXPECT_EQ(direct.status, 200);
  EXPECT_EQ(Json::parse(direct.body),
            call(Verb::kPrioritize, fixture("k8s-1.30.12", "prioritize-nodenames.request.json")));
  // An unpadded body is padded by the service itself.
  std::string unpadded = R"({"Pod":{},"NodeNames":[]})";
  unpadded.shrink_to_fit();
  EXPECT_EQ(service_.filter(unpadded).status, 200);
}

// --- back-to-back decisions, readiness and the API binder -------------------------------------

TEST_F(ServiceTest, BackToBackPodsDoNotCountTheSameFreeEpcTwice) {
  const std::string both = R"(["sgx-a","sgx-b"])";
  // p1 is ranked first on one of the two empty 128Mi nodes, and that node holds its EPC.
  const Json ranked = call(Verb::kPrioritize, names_request(pod_json("p1", "100Mi"), both));
  const std::string chosen = ranked[0]["Score"] == 10 ? "sgx-a" : "sgx-b";
  const std::string other = chosen == "sgx-a" ? "sgx-b" : "sgx-a";
  EXPECT_EQ(state_.snapshot()->reserved_bytes(chosen), 100 * kMi);

  // p2 comes before p1's binding is seen: only the other node is free for it.
  const Json filtered = call(Verb::kFilter, names_request(pod_json("p2", "100Mi"), both));
  EXPECT_EQ(filtered["NodeNames"], Json::array({other}));
  EXPECT_EQ(filtered["FailedNodes"][chosen],
            "insufficient sgx.intel.com/epc: requested 100Mi, free 28Mi of 128Mi (100Mi reserved "
            "for pods being placed)");

  // p1 asked about again is not turned away by its own reservation (and p2, which had one node
  // left, now holds that one).
  const Json again = call(Verb::kFilter, names_request(pod_json("p1", "100Mi"), both));
  EXPECT_EQ(again["NodeNames"], Json::array({chosen}));
  EXPECT_THAT(again["FailedNodes"][other].get<std::string>(), HasSubstr("100Mi reserved"));

  // p1's bind turns the reservation into a commitment, on whichever node kube-scheduler chose.
  call(Verb::kBind,
       R"({"PodName":"p1","PodNamespace":"default","PodUID":"uid-p1","Node":")" + other + R"("})");
  EXPECT_EQ(state_.snapshot()->reserved_bytes(chosen), 0);
  EXPECT_EQ(committed(other), 100 * kMi);
}

TEST_F(ServiceTest, AFilterWithOneSurvivorReservesItBecausePrioritizeWillNotBeCalled) {
  call(Verb::kFilter, names_request(pod_json("p1", "100Mi"), R"(["sgx-a","sgx-small"])"));
  EXPECT_EQ(state_.snapshot()->reserved_bytes("sgx-a"), 100 * kMi);
  // Two survivors: prioritize decides, so filter reserves nothing.
  call(Verb::kFilter, names_request(pod_json("p2", "10Mi"), R"(["sgx-a","sgx-b"])"));
  EXPECT_EQ(state_.snapshot()->reserved_bytes("sgx-b"), 0);
  EXPECT_EQ(state_.snapshot()->reserved_bytes("sgx-a"), 100 * kMi);
}

TEST_F(ServiceTest, AReservationLapsesWhenThePodsBindingNeverComes) {
  call(Verb::kFilter, names_request(pod_json("p1", "100Mi"), R"(["sgx-a"])"));
  const std::string p2 = names_request(pod_json("p2", "100Mi"), R"(["sgx-a"])");
  EXPECT_EQ(call(Verb::kFilter, p2)["NodeNames"], Json::array());
  now_ += std::chrono::seconds(31);                                         // past the default 30 s
  EXPECT_EQ(call(Verb::kFilter, p2)["NodeNames"], Json::array({"sgx-a"}));  // p1's has lapsed
  EXPECT_EQ(state_.snapshot()->reserved_bytes("sgx-a"), 100 * kMi);
  EXPECT_EQ(state_.snapshot()->node("sgx-a")->reservations,
            (std::vector<NodeReservation>{{"uid-p2", 100 * kMi}}));
}

TEST_F(ServiceTest, WhileNotReadyFilterAnswersWithAnErrorAndNothingElseGuesses) {
  Readiness readiness{false, "waiting for the first list of pods"};
  const ExtenderService service(
      state_, [this] { return policy_; }, options({.readiness = [&] { return readiness; }}));
  const std::string request = fixture("k8s-1.30.12", "filter-nodenames.request.json");
  const Json filtered = Json::parse(service.handle(Verb::kFilter, request).body);
  EXPECT_EQ(filtered["Error"], "epc-extender is not ready: waiting for the first list of pods");
  EXPECT_EQ(filtered["NodeNames"], Json::array());
  const Json scores = Json::parse(
      service.handle(Verb::kPrioritize, fixture("k8s-1.30.12", "prioritize-nodenames.request.json"))
          .body);
  EXPECT_EQ(scores, Json::parse(R"([{"Host":"sgx-a","Score":0},{"Host":"sgx-b","Score":0}])"));
  const Json bound =
      Json::parse(service.handle(Verb::kBind, fixture("k8s-1.30.12", "bind.request.json")).body);
  EXPECT_EQ(bound["Error"], "epc-extender is not ready: waiting for the first list of pods");
  EXPECT_EQ(committed("sgx-a"), 0);
  const Json preempted = Json::parse(
      service.handle(Verb::kPreempt, fixture("k8s-1.30.12", "preempt-metavictims.request.json"))
          .body);
  EXPECT_EQ(preempted["NodeNameToMetaVictims"], Json::object());

  readiness = {true, ""};
  EXPECT_EQ(Json::parse(service.handle(Verb::kFilter, request).body)["NodeNames"],
            Json::array({"sgx-small"}));
}

// The first lists arrive while a verb waits: it is answered from them, not with an Error.
TEST_F(ServiceTest, AVerbThatArrivesWhileStartingWaitsForTheFirstLists) {
  std::atomic<int> asked{0};
  const ExtenderService service(
      state_, [this] { return policy_; },
      options({.readiness =
                   [&] {
                     // Ready from the fourth look on (three polls).
                     return ++asked > 3 ? Readiness{true, {}} : Readiness{false, "listing", true};
                   },
               .startup_wait = std::chrono::seconds(10)}));
  const std::string request = fixture("k8s-1.30.12", "filter-nodenames.request.json");
  const Json filtered = Json::parse(service.handle(Verb::kFilter, request).body);
  EXPECT_EQ(filtered["Error"], "") << filtered.dump();
  EXPECT_EQ(filtered["NodeNames"], Json::array({"sgx-small"}));
  EXPECT_GE(asked, 4);  // three polls, then the verb itself may look again
}

// With a timer, a waiting verb holds no thread: it is parked on the timer and answered from the
// timer's task once the lists are in.
TEST_F(ServiceTest, TheStartupWaitParksTheCallOnTheTimerInsteadOfAThread) {
  bool listed = false;
  std::vector<std::pair<std::chrono::milliseconds, std::function<void()>>> timer;
  const ExtenderService service(
      state_, [this] { return policy_; },
      options({.readiness =
                   [&] {
                     return listed ? Readiness{true, {}} : Readiness{false, "listing", true};
                   },
               .startup_wait = std::chrono::seconds(10),
               .call_after =
                   [&](std::chrono::milliseconds delay, std::function<void()> task) {
                     timer.emplace_back(delay, std::move(task));
                   }}));
  std::optional<Reply> reply;
  service.handle(Verb::kFilter, fixture("k8s-1.30.12", "filter-nodenames.request.json"),
                 [&](Reply r) { reply = std::move(r); });
  ASSERT_FALSE(reply) << "answered before the lists were in";
  ASSERT_EQ(timer.size(), 1u);
  EXPECT_GT(timer[0].first, std::chrono::milliseconds(0));
  // Still listing when the timer fires: parked again.
  std::function<void()> first = std::move(timer[0].second);
  timer.clear();
  first();
  ASSERT_FALSE(reply);
  ASSERT_EQ(timer.size(), 1u);
  listed = true;
  std::function<void()> second = std::move(timer[0].second);
  second();
  ASSERT_TRUE(reply);
  const Json filtered = Json::parse(reply->body);
  EXPECT_EQ(filtered["Error"], "") << filtered.dump();
  EXPECT_EQ(filtered["NodeNames"], Json::array({"sgx-small"}));
}

TEST_F(ServiceTest, TheStartupWaitIsBoundedAndOnlyForAStartingSource) {
  using Clock = std::chrono::steady_clock;
  const std::string request = fixture("k8s-1.30.12", "filter-nodenames.request.json");
  const auto filter_with = [&](Readiness readiness, std::chrono::milliseconds wait) {
    const ExtenderService service(
        state_, [this] { return policy_; },
        options({.readiness = [readiness] { return readiness; }, .startup_wait = wait}));
    const Clock::time_point start = Clock::now();
    const Json reply = Json::parse(service.handle(Verb::kFilter, request).body);
    return std::pair{reply["Error"].get<std::string>(), Clock::now() - start};
  };
  // Still starting when the bound runs out: the Error, after the bound.
  const auto [late, waited] = filter_with({false, "waiting for the first list of pods", true},
                                          std::chrono::milliseconds(200));
  EXPECT_EQ(late, "epc-extender is not ready: waiting for the first list of pods");
  EXPECT_GE(waited, std::chrono::milliseconds(200));
  // A failing watch is not a start: answered at once, however long the bound.
  const auto [failing, at_once] =
      filter_with({false, "pods watch failing since 90s", false}, std::chrono::seconds(30));
  EXPECT_EQ(failing, "epc-extender is not ready: pods watch failing since 90s");
  EXPECT_LT(at_once, std::chrono::seconds(5));
}

// Records Binding calls and answers them with a scripted outcome (std::nullopt: bound).
class ScriptedBinder : public PodBinder {
 public:
  explicit ScriptedBinder(std::optional<BindError> outcome) : outcome_(std::move(outcome)) {}
  void bind(const BindingArgs& binding, Done done) const override {
    calls.push_back(binding.pod_namespace + "/" + binding.pod_name + "->" + binding.node);
    done(outcome_);
  }
  mutable std::vector<std::string> calls;

 private:
  std::optional<BindError> outcome_;
};

TEST_F(ServiceTest, BindCreatesTheBindingAfterCommittingAndKeepsItWhenTheApiAgrees) {
  auto binder = std::make_shared<ScriptedBinder>(std::nullopt);
  const ExtenderService service(
      state_, [this] { return policy_; }, options({.binder = binder}));
  const Json bound =
      Json::parse(service.handle(Verb::kBind, fixture("k8s-1.30.12", "bind.request.json")).body);
  EXPECT_EQ(bound["Error"], "");
  EXPECT_EQ(binder->calls, std::vector<std::string>{"default/epc-1->sgx-a"});
  EXPECT_EQ(committed("sgx-a"), kMi);
}

TEST_F(ServiceTest, ABindingTheApiRefusesIsRolledBackAndReported) {
  auto binder = std::make_shared<ScriptedBinder>(
      BindError{"binding refused: 409 pod epc-1 is already assigned to node \"sgx-b\"",
                BindFailure::kRefused});
  const ExtenderService service(
      state_, [this] { return policy_; }, options({.binder = binder}));
  const Json bound =
      Json::parse(service.handle(Verb::kBind, fixture("k8s-1.30.12", "bind.request.json")).body);
  EXPECT_EQ(bound["Error"], "binding refused: 409 pod epc-1 is already assigned to node \"sgx-b\"");
  EXPECT_EQ(committed("sgx-a"), 0);
  const PodRecord* pod =
      state_.inspect([](const EpcLedger& ledger) { return ledger.pod_by_uid(kPendingEpc1_130); });
  ASSERT_NE(pod, nullptr);
  EXPECT_EQ(pod->node_name, "");
}

// A Binding whose fate is unknown (a timeout, a 5xx) may have bound the pod: its EPC stays held as
// a reservation, so no other pod takes it before the watch says where the pod went (before, it was
// released at once).
TEST_F(ServiceTest, ABindingWhoseFateIsUnknownKeepsItsEpcHeldUntilTheWatchSays) {
  auto binder =
      std::make_shared<ScriptedBinder>(BindError{"binding failed: timeout", BindFailure::kUnknown});
  const ExtenderService service(
      state_, [this] { return policy_; }, options({.binder = binder}));
  const Json bound =
      Json::parse(service.handle(Verb::kBind, fixture("k8s-1.30.12", "bind.request.json")).body);
  EXPECT_EQ(bound["Error"], "binding failed: timeout");
  EXPECT_EQ(committed("sgx-a"), 0);
  EXPECT_EQ(state_.snapshot()->reserved_bytes("sgx-a"), kMi);
  // Another pod sees that EPC as taken: sgx-a has 128Mi, 1Mi of it held.
  const Json other = call(Verb::kFilter, names_request(pod_json("other", "128Mi"), R"(["sgx-a"])"));
  EXPECT_THAT(other["FailedNodes"]["sgx-a"].get<std::string>(), HasSubstr("1Mi reserved"));
  // The watch then shows the pod bound there: committed, no longer reserved.
  Pod epc1;
  epc1.namespace_name = "default";
  epc1.name = "epc-1";
  epc1.uid = std::string(kPendingEpc1_130);
  epc1.node_name = "sgx-a";
  epc1.phase = PodPhase::Running;
  epc1.containers.push_back({{{"sgx.intel.com/epc", "1Mi"}}, {}, "c0"});
  ASSERT_TRUE(state_.modify([&](EpcLedger& ledger) { return ledger.upsert_pod(epc1); }).ok());
  EXPECT_EQ(committed("sgx-a"), kMi);
  EXPECT_EQ(state_.snapshot()->reserved_bytes("sgx-a"), 0);
}

TEST_F(ServiceTest, ARetriedBindThatFailsDoesNotUndoTheFirstOne) {
  // The first bind succeeded; kube-scheduler's retry of it fails at the API (e.g. a timeout after
  // the server had already bound the pod): the pod stays bound in the ledger.
  call(Verb::kBind, fixture("k8s-1.30.12", "bind.request.json"));
  ASSERT_EQ(committed("sgx-a"), kMi);
  auto binder = std::make_shared<ScriptedBinder>(BindError{"timeout", BindFailure::kUnknown});
  const ExtenderService service(
      state_, [this] { return policy_; }, options({.binder = binder}));
  EXPECT_EQ(
      Json::parse(
          service.handle(Verb::kBind, fixture("k8s-1.30.12", "bind.request.json")).body)["Error"],
      "timeout");
  EXPECT_EQ(committed("sgx-a"), kMi);
}

// --- Nodes mode and nodes the source has not delivered ------------------------------------------

// Nodes mode judges a node kube-scheduler's informer saw before the extender's watch with the
// Node it sent; the EPC of pods already bound there counts, and bind accepts the node filter
// offered (before, filter ignored that EPC and bind refused the node).
TEST_F(ServiceTest, NodesModeCountsEpcOnANodeTheSourceHasNotDeliveredAndBindAgrees) {
  Pod running;
  running.namespace_name = "default";
  running.name = "early";
  running.uid = "uid-early";
  running.node_name = "new-node";
  running.phase = PodPhase::Running;
  running.containers.push_back({{{"sgx.intel.com/epc", "6Mi"}}, {}, "c0"});
  ASSERT_TRUE(state_.modify([&](EpcLedger& ledger) { return ledger.upsert_pod(running); }).ok());

  const auto nodes_request = [](const std::string& pod) {
    return R"({"Pod":)" + pod + R"(,"Nodes":{"metadata":{},"items":[)" +
           node_json("new-node", "8Mi") + R"(]},"NodeNames":null})";
  };
  const Json too_big = call(Verb::kFilter, nodes_request(pod_json("p5", "5Mi")));
  EXPECT_EQ(too_big["FailedNodes"],
            Json({{"new-node", "insufficient sgx.intel.com/epc: requested 5Mi, free 2Mi of 8Mi"}}));
  const Json fits = call(Verb::kFilter, nodes_request(pod_json("p2", "2Mi")));
  ASSERT_EQ(fits["Nodes"]["items"].size(), 1u);
  const Json bound =
      call(Verb::kBind,
           R"({"PodName":"p2","PodNamespace":"default","PodUID":"uid-p2","Node":"new-node"})");
  EXPECT_EQ(bound["Error"], "");
  EXPECT_EQ(committed("new-node"), 8 * kMi);
}

// A Node from an older view of a node the source has deleted does not bring it back.
TEST_F(ServiceTest, NodesModeDoesNotReviveANodeTheSourceRemoved) {
  state_.modify([](EpcLedger& ledger) { ledger.remove_node("sgx-b"); });
  const std::string request = R"({"Pod":)" + pod_json("p", "1Mi") +
                              R"(,"Nodes":{"metadata":{},"items":[)" + node_json("sgx-b", "128Mi") +
                              R"(]},"NodeNames":null})";
  call(Verb::kFilter, request);
  EXPECT_EQ(state_.snapshot()->node("sgx-b"), nullptr);
}

// --- packing without the bind verb --------------------------------------------------------------

// kube-scheduler without the bind verb, as far as packing depends on it: filter, then prioritize,
// then the extender's score × weight (1, the chart's default) × 10 plus its own plugins' (here a
// LeastAllocated-like score that loses a point per pod, as for 100m/200Mi pods on 8-core nodes), a
// random pick among equal totals, and a binding the extender hears of only through its watch,
// `lag` pods later.
class KubeSchedulerStandIn {
 public:
  KubeSchedulerStandIn(const ExtenderService& extender, ClusterState& state, uint64_t seed,
                       size_t lag)
      : extender_(extender), state_(state), random_(seed), lag_(lag) {}

  // Where the pod went; "" when no node passed filter.
  std::string schedule(const std::string& name, const std::string& epc, int64_t epc_bytes) {
    const std::string pod = pod_json(name, epc);
    const Json filtered = Json::parse(
        extender_.handle(Verb::kFilter, names_request(pod, R"(["conf-0","conf-1","conf-2"])"))
            .body);
    std::string chosen;
    if (filtered["NodeNames"].size() == 1) {
      chosen = filtered["NodeNames"][0];
    } else if (!filtered["NodeNames"].empty()) {
      const Json scores = Json::parse(
          extender_.handle(Verb::kPrioritize, names_request(pod, filtered["NodeNames"].dump()))
              .body);
      std::vector<std::string> top;
      int64_t best = -1;
      for (const Json& host : scores) {
        const std::string node = host["Host"];
        const int64_t total = host["Score"].get<int64_t>() * 10 + 100 - pods_on(node);
        if (total > best) top.clear();
        if (total >= best) {
          best = total;
          top.push_back(node);
        }
      }
      chosen = top[random_() % top.size()];
    }
    if (!chosen.empty()) {
      ++pods_on_[chosen];
      Pod bound;
      bound.namespace_name = "default";
      bound.name = name;
      bound.uid = "uid-" + name;
      bound.node_name = chosen;
      bound.phase = PodPhase::Running;
      bound.containers.push_back({{{"sgx.intel.com/epc", std::to_string(epc_bytes)}}, {}, "c0"});
      in_flight_.push_back(std::move(bound));
    }
    while (in_flight_.size() > lag_) deliver_one();
    return chosen;
  }
  void deliver_all() {
    while (!in_flight_.empty()) deliver_one();
  }
  size_t nodes_used() const { return pods_on_.size(); }
  int pods_on(const std::string& node) const {
    const auto found = pods_on_.find(node);
    return found == pods_on_.end() ? 0 : found->second;
  }

 private:
  void deliver_one() {
    EXPECT_TRUE(state_.modify([&](EpcLedger& l) { return l.upsert_pod(in_flight_.front()); }).ok());
    in_flight_.pop_front();
  }

  const ExtenderService& extender_;
  ClusterState& state_;
  std::mt19937_64 random_;
  size_t lag_;
  std::map<std::string, int> pods_on_;
  std::deque<Pod> in_flight_;
};

// Measured on a real kube-scheduler v1.30 before the fix: 12 pods of 16Mi spread over all three
// 128Mi nodes in 8 of 19 runs, and twice a 100Mi pod then found no node. The extender's top node
// is now unique, so its reservation is where kube-scheduler puts the pod.
TEST(PackingWithoutBind, TwelveSmallPodsPackOntoTwoNodesAndLeaveOneWholeForALargeOne) {
  for (const size_t lag : {size_t{0}, size_t{1}, size_t{3}}) {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      SCOPED_TRACE("lag " + std::to_string(lag) + ", seed " + std::to_string(seed));
      ClusterState state(EpcResources::defaults());
      state.modify([](EpcLedger& ledger) {
        for (const char* name : {"conf-0", "conf-1", "conf-2"}) {
          Node node;
          node.name = name;
          node.allocatable = {{"cpu", "4"}, {"sgx.intel.com/epc", "128Mi"}};
          node.readiness = NodeReadiness::Ready;
          ledger.upsert_node(node);
        }
      });
      const ExtenderService extender(state,
                                     [] { return std::make_shared<const PlacementPolicy>(); });
      KubeSchedulerStandIn scheduler(extender, state, seed, lag);
      for (int i = 0; i < 12; ++i) {
        ASSERT_NE(scheduler.schedule("small-" + std::to_string(i), "16Mi", 16 * kMi), "");
      }
      scheduler.deliver_all();
      EXPECT_EQ(scheduler.nodes_used(), 2u);
      EXPECT_NE(scheduler.schedule("large", "100Mi", 100 * kMi), "");
    }
  }
}

}  // namespace
}  // namespace epc
