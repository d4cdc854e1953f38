// ExtenderService end to end, bytes in and bytes out: every recorded kube-scheduler request of both
// versions answered against the fixture cluster, plus the decisions the recordings do not reach
// (FailedNodes versus FailedAndUnresolvableNodes, binds that fail, preemptions that help or not).
#include "scheduler/extender/extender_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <utility>

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
    // Two empty 128Mi nodes: the same preference, the best score.
    const std::string first = version == "k8s-1.26.7" ? "sgx-b" : "sgx-a";
    const std::string second = version == "k8s-1.26.7" ? "sgx-a" : "sgx-b";
    EXPECT_EQ(by_nodes, Json::parse(R"([{"Host":")" + first + R"(","Score":10},{"Host":")" +
                                    second + R"(","Score":10}])"));
    forget_reservations();  // each recording is another pod, placed on its own
    const Json by_names =
        call(Verb::kPrioritize, fixture(version, "prioritize-nodenames.request.json"));
    EXPECT_EQ(by_names,
              Json::parse(R"([{"Host":"sgx-a","Score":10},{"Host":"sgx-b","Score":10}])"));
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
  use({.strategy = Strategy::kSpread});
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

TEST_F(ServiceTest, PreemptWithFullVictimsUsesTheirOwnDemand) {
  const std::string victim_pods = "[" + pod_json("v1", "1Mi") + "," + pod_json("v2", "1Mi") + "]";
  const std::string request = R"({"Pod":)" + pod_json("big", "62Mi") +
                              R"(,"NodeNameToVictims":{"sgx-small":{"Pods":)" + victim_pods +
                              R"(,"NumPDBViolations":1},"ghost":{"Pods":)" + victim_pods +
                              R"(}},"NodeNameToMetaVictims":null})";
  const Json reply = call(Verb::kPreempt, request);
  EXPECT_EQ(reply, Json({{"NodeNameToMetaVictims",
                          {{"sgx-small",
                            {{"Pods", Json::array({{{"UID", "uid-v1"}}, {{"UID", "uid-v2"}}})},
                             {"NumPDBViolations", 1}}}}}}));
}

TEST_F(ServiceTest, PreemptForAPodWithoutEpcKeepsEveryNodeUnchanged) {
  const Json reply =
      call(Verb::kPreempt, meta_preempt(pod_json("plain", ""),
                                        R"({"ghost":{"Pods":[{"UID":"x"}],"NumPDBViolations":2},)"
                                        R"("blocked-small":{"Pods":[]}})"));
  EXPECT_EQ(reply["NodeNameToMetaVictims"],
            Json({{"blocked-small", {{"Pods", Json::array()}, {"NumPDBViolations", 0}}},
                  {"ghost", {{"Pods", Json::array({{{"UID", "x"}}})}, {"NumPDBViolations", 2}}}}));
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
  EXPECT_EQ(state_.snapshot()->reservations().count("uid-p2"), 1u);
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
  EXPECT_EQ(asked, 4);
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

// Records Binding calls and answers them with a scripted outcome.
class ScriptedBinder : public PodBinder {
 public:
  explicit ScriptedBinder(Result<void> outcome) : outcome_(std::move(outcome)) {}
  void bind(const BindingArgs& binding, Done done) const override {
    calls.push_back(binding.pod_namespace + "/" + binding.pod_name + "->" + binding.node);
    done(outcome_);
  }
  mutable std::vector<std::string> calls;

 private:
  Result<void> outcome_;
};

TEST_F(ServiceTest, BindCreatesTheBindingAfterCommittingAndKeepsItWhenTheApiAgrees) {
  auto binder = std::make_shared<ScriptedBinder>(Result<void>{});
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
      make_error("binding refused: 409 pod epc-1 is already assigned to node \"sgx-b\""));
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

TEST_F(ServiceTest, ARetriedBindThatFailsDoesNotUndoTheFirstOne) {
  // The first bind succeeded; kube-scheduler's retry of it fails at the API (e.g. a timeout after
  // the server had already bound the pod): the pod stays bound in the ledger.
  call(Verb::kBind, fixture("k8s-1.30.12", "bind.request.json"));
  ASSERT_EQ(committed("sgx-a"), kMi);
  auto binder = std::make_shared<ScriptedBinder>(make_error("timeout"));
  const ExtenderService service(
      state_, [this] { return policy_; }, options({.binder = binder}));
  EXPECT_EQ(
      Json::parse(
          service.handle(Verb::kBind, fixture("k8s-1.30.12", "bind.request.json")).body)["Error"],
      "timeout");
  EXPECT_EQ(committed("sgx-a"), kMi);
}

}  // namespace
}  // namespace epc
