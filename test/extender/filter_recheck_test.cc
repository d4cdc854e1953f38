// Filter's recheck (docs/live-state.md, "Stale views"): before it turns a pod away on every node,
// the service reads the facts that decided it afresh through its FreshReader, takes the answers
// into the ledger and decides again. The reader here answers as a script says, so each outcome is
// reached on purpose: reversed, confirmed, failed, and no recheck at all.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scheduler/extender/extender_service.h"

namespace epc {
namespace {

using Json = nlohmann::json;
constexpr int64_t kMi = int64_t{1} << 20;

Node node(const std::string& name, const std::string& epc) {
  Node node;
  node.name = name;
  node.readiness = NodeReadiness::Ready;
  node.allocatable = {{"cpu", "4"}};
  if (!epc.empty()) node.allocatable.emplace_back("sgx.intel.com/epc", epc);
  return node;
}

Pod bound_pod(const std::string& name, const std::string& epc, const std::string& node_name) {
  Pod pod;
  pod.namespace_name = "default";
  pod.name = name;
  pod.uid = "uid-" + name;
  ContainerResources container;
  container.requests = {{"sgx.intel.com/epc", epc}};
  pod.containers = {container};
  pod.node_name = node_name;
  pod.phase = node_name.empty() ? PodPhase::Pending : PodPhase::Running;
  return pod;
}

std::string pod_json(const std::string& name, const std::string& epc) {
  return R"({"metadata":{"name":")" + name + R"(","namespace":"default","uid":"uid-)" + name +
         R"("},"spec":{"containers":[{"name":"c","resources":{"requests":{"sgx.intel.com/epc":")" +
         epc + R"("}}}]},"status":{"phase":"Pending"}})";
}

std::string names_request(const std::string& pod, const std::vector<std::string>& names) {
  return R"({"Pod":)" + pod + R"(,"Nodes":null,"NodeNames":)" + Json(names).dump() + "}";
}

std::string nodes_request(const std::string& pod, const std::vector<std::string>& nodes_json) {
  std::string items;
  for (const std::string& node : nodes_json) items += (items.empty() ? "" : ",") + node;
  return R"({"Pod":)" + pod + R"(,"Nodes":{"items":[)" + items + R"(]},"NodeNames":null})";
}

// Answers every read from `truth` (what the API server holds now), or fails the ones listed; may
// hold its answer until release() to show that filter answers only then.
class ScriptedReader : public FreshReader {
 public:
  void read(RecheckPlan plan, Done done) const override {
    plans.push_back(plan);
    FreshReads reads;
    for (const std::string& name : plan.nodes) {
      if (failing) {
        reads.failures.push_back(make_error("node " + name + ": HTTP 503"));
        continue;
      }
      auto it = nodes.find(name);
      reads.nodes.push_back({name, it == nodes.end() ? std::nullopt : std::optional(it->second)});
    }
    for (const HeldPod& held : plan.pods) {
      if (failing) {
        reads.failures.push_back(make_error("pod " + held.name + ": timeout"));
        continue;
      }
      auto it = pods.find(held.name);
      reads.pods.push_back({held, it == pods.end() ? std::nullopt : std::optional(it->second)});
    }
    if (hold) {
      held_done = [done, reads]() mutable { done(std::move(reads)); };
      return;
    }
    done(std::move(reads));
  }
  void release() const { held_done(); }

  std::map<std::string, Node> nodes;
  std::map<std::string, Pod> pods;
  bool failing = false;
  bool hold = false;
  mutable std::vector<RecheckPlan> plans;
  mutable std::function<void()> held_done;
};

class FilterRecheckTest : public ::testing::Test {
 protected:
  FilterRecheckTest() {
    state_.modify([](EpcLedger& ledger) {
      ledger.upsert_node(node("n1", "64Mi"));
      ASSERT_TRUE(ledger.upsert_pod(bound_pod("holder", "48Mi", "n1")).ok());
    });
  }

  ExtenderService service(size_t reads = 16) {
    return ExtenderService(state_, [] { return std::make_shared<const PlacementPolicy>(); },
                           {.fresh_reader = reader_,
                            .recheck_reads = reads,
                            .observe = [this](const Decision& d) { decisions_.push_back(d); }});
  }

  Json filter(const ExtenderService& service, std::string body) {
    const Reply reply = service.handle(Verb::kFilter, std::move(body));
    EXPECT_EQ(reply.status, 200) << reply.body;
    return Json::parse(reply.body);
  }

  ClusterState state_{EpcResources::defaults()};
  std::shared_ptr<ScriptedReader> reader_ = std::make_shared<ScriptedReader>();
  std::vector<Decision> decisions_;
};

TEST_F(FilterRecheckTest, APodGoneSinceTheViewLetsTheNodeThrough) {
  // The API server no longer has "holder": kube-scheduler saw it deleted, the watch has not.
  const Json reply = filter(service(), names_request(pod_json("p", "32Mi"), {"n1"}));
  EXPECT_EQ(reply["NodeNames"], Json::array({"n1"}));
  EXPECT_TRUE(reply["FailedNodes"].empty());
  ASSERT_EQ(reader_->plans.size(), 1u);
  EXPECT_EQ(reader_->plans[0].pods.size(), 1u);
  EXPECT_EQ(reader_->plans[0].pods[0].name, "holder");
  // The ledger took the read in: holder's EPC is released, and the pod is reserved there.
  EXPECT_EQ(state_.snapshot()->committed_bytes("n1"), 0);
  EXPECT_EQ(state_.snapshot()->reserved_bytes("n1"), 32 * kMi);
  ASSERT_EQ(decisions_.size(), 1u);
  EXPECT_EQ(decisions_[0].recheck.outcome, RecheckOutcome::kReversed);
  EXPECT_EQ(decisions_[0].recheck.reads, 1u);
  EXPECT_EQ(decisions_[0].outcome, Outcome::kSuccess);
}

TEST_F(FilterRecheckTest, APodStillThereConfirmsTheRejection) {
  reader_->pods.emplace("holder", bound_pod("holder", "48Mi", "n1"));
  const Json reply = filter(service(), names_request(pod_json("p", "32Mi"), {"n1"}));
  EXPECT_TRUE(reply["NodeNames"].empty());
  EXPECT_EQ(reply["FailedNodes"]["n1"],
            "insufficient sgx.intel.com/epc: requested 32Mi, free 16Mi of 64Mi");
  EXPECT_EQ(state_.snapshot()->committed_bytes("n1"), 48 * kMi);
  ASSERT_EQ(decisions_.size(), 1u);
  EXPECT_EQ(decisions_[0].recheck.outcome, RecheckOutcome::kConfirmed);
  EXPECT_EQ(decisions_[0].outcome, Outcome::kUnschedulable);
}

TEST_F(FilterRecheckTest, ReadsWithoutAnswerLeaveTheViewAsItWas) {
  reader_->failing = true;
  const Json reply = filter(service(), names_request(pod_json("p", "32Mi"), {"n1"}));
  EXPECT_TRUE(reply["NodeNames"].empty());
  EXPECT_EQ(state_.snapshot()->committed_bytes("n1"), 48 * kMi);
  ASSERT_EQ(decisions_.size(), 1u);
  EXPECT_EQ(decisions_[0].recheck.outcome, RecheckOutcome::kFailed);
  EXPECT_EQ(decisions_[0].recheck.failures, 1u);
}

TEST_F(FilterRecheckTest, ANodeTheWatchHasNotDeliveredIsReadAndLearnt) {
  reader_->pods.emplace("holder", bound_pod("holder", "48Mi", "n1"));
  reader_->nodes.emplace("n2", node("n2", "64Mi"));
  const Json reply = filter(service(), names_request(pod_json("p", "32Mi"), {"n1", "n2"}));
  EXPECT_EQ(reply["NodeNames"], Json::array({"n2"}));
  ASSERT_EQ(reader_->plans.size(), 1u);
  EXPECT_EQ(reader_->plans[0].nodes, std::vector<std::string>{"n2"});
  // Learnt, so the bind that follows finds the node.
  EXPECT_NE(state_.snapshot()->node("n2"), nullptr);
}

TEST_F(FilterRecheckTest, NothingIsReadWhenANodePassesOrRechecksAreOff) {
  state_.modify([](EpcLedger& ledger) { ledger.upsert_node(node("n2", "64Mi")); });
  filter(service(), names_request(pod_json("p", "32Mi"), {"n1", "n2"}));
  EXPECT_TRUE(reader_->plans.empty());
  const Json reply = filter(service(0), names_request(pod_json("q", "64Mi"), {"n1"}));
  EXPECT_TRUE(reply["NodeNames"].empty());
  EXPECT_TRUE(reader_->plans.empty());
  EXPECT_EQ(decisions_.back().recheck.outcome, RecheckOutcome::kNone);
}

TEST_F(FilterRecheckTest, InNodesModeOnlyThePodsAreRead) {
  // The Node came with the request, as kube-scheduler sees it now: only pods can be stale.
  const std::string n1 = R"({"metadata":{"name":"n1"},"status":{"allocatable":)"
                         R"({"sgx.intel.com/epc":"64Mi"}}})";
  const std::string general = R"({"metadata":{"name":"g1"},"status":{"allocatable":{"cpu":"4"}}})";
  const Json reply = filter(service(), nodes_request(pod_json("p", "32Mi"), {n1, general}));
  ASSERT_EQ(reply["Nodes"]["items"].size(), 1u);
  EXPECT_EQ(reply["Nodes"]["items"][0]["metadata"]["name"], "n1");
  ASSERT_EQ(reader_->plans.size(), 1u);
  EXPECT_TRUE(reader_->plans[0].nodes.empty());
  EXPECT_EQ(reader_->plans[0].pods.size(), 1u);
}

TEST_F(FilterRecheckTest, TheReplyWaitsForTheReads) {
  reader_->hold = true;
  const ExtenderService extender = service();
  std::optional<Reply> answered;
  extender.handle(Verb::kFilter, names_request(pod_json("p", "32Mi"), {"n1"}),
                  [&](Reply reply) { answered = std::move(reply); });
  EXPECT_FALSE(answered.has_value());
  reader_->release();
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ(Json::parse(answered->body)["NodeNames"], Json::array({"n1"}));
}

}  // namespace
}  // namespace epc
