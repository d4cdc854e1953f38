// PodEvent: which decisions deserve an Event, its reason and message, and a name the API server
// accepts. The Events' delivery and limits are in event_recorder_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/kube/pod_event.h"

#include <nlohmann/json.hpp>
#include <regex>

namespace epc {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Decision filter_decision(Outcome outcome) {
  Decision decision;
  decision.verb = Verb::kFilter;
  decision.outcome = outcome;
  decision.pod_namespace = "ns";
  decision.pod_name = "p";
  decision.pod_uid = "uid-p";
  return decision;
}

Decision unschedulable() {
  Decision decision = filter_decision(Outcome::kUnschedulable);
  decision.nodes_considered = 12;
  decision.rejected = {
      {"confpool", FitCause::kInsufficientEpc, 4, "conf-1: insufficient sgx.intel.com/epc"},
      {"general", FitCause::kNoEpc, 8, "gen-1: no EPC"}};
  return decision;
}

// k8s.io/apimachinery IsDNS1123Subdomain.
bool is_dns_subdomain(const std::string& name) {
  static const std::regex kSubdomain(
      R"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)");
  return name.size() <= 253 && std::regex_match(name, kSubdomain);
}

TEST(PodEventFor, AnUnschedulablePodGetsTheSummaryByPool) {
  const Decision decision = unschedulable();
  const std::optional<PodEvent> event = event_for(decision);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->reason, "EPCUnschedulable");
  EXPECT_EQ(event->message, describe_rejections(decision));
  EXPECT_THAT(event->message, StartsWith("0/12 nodes fit: 4 insufficient_epc in pool confpool"));
  EXPECT_EQ(event->pod_namespace, "ns");
  EXPECT_EQ(event->pod_name, "p");
  EXPECT_EQ(event->pod_uid, "uid-p");
}

TEST(PodEventFor, TheRequestIsAtFaultWhenItsDemandIsUnreadableOrOnlyItsOverrideWasRefused) {
  Decision unreadable = filter_decision(Outcome::kError);
  unreadable.message = "pod ns/p: invalid quantity \"12x\"";
  const std::optional<PodEvent> error = event_for(unreadable);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->reason, "InvalidEPCRequest");
  EXPECT_EQ(error->message, unreadable.message);

  Decision refused = filter_decision(Outcome::kUnschedulable);
  refused.nodes_considered = 3;
  refused.rejected = {{"", FitCause::kInvalidOverride, 3, "n1: override not allowed"}};
  const std::optional<PodEvent> override_event = event_for(refused);
  ASSERT_TRUE(override_event);
  EXPECT_EQ(override_event->reason, "InvalidEPCRequest");
  EXPECT_THAT(override_event->message, HasSubstr("invalid_override"));

  refused.rejected.push_back({"", FitCause::kInsufficientEpc, 1, "n4: insufficient"});
  EXPECT_EQ(event_for(refused)->reason, "EPCUnschedulable");
}

TEST(PodEventFor, NothingForNotReadySuccessOtherVerbsOrAnUnnamedPod) {
  Decision not_ready = filter_decision(Outcome::kError);
  not_ready.message = "epc-extender is not ready: nodes not listed yet";
  EXPECT_FALSE(event_for(not_ready));
  Decision silent_error = filter_decision(Outcome::kError);
  EXPECT_FALSE(event_for(silent_error));
  EXPECT_FALSE(event_for(filter_decision(Outcome::kSuccess)));
  EXPECT_FALSE(event_for(filter_decision(Outcome::kInvalid)));
  for (Verb verb : {Verb::kPrioritize, Verb::kBind, Verb::kPreempt}) {
    Decision other = unschedulable();
    other.verb = verb;
    EXPECT_FALSE(event_for(other)) << to_string(verb);
  }
  Decision unnamed = unschedulable();
  unnamed.pod_name.clear();
  EXPECT_FALSE(event_for(unnamed));
}

TEST(PodEventFor, LongMessagesAreCutToTheApiLimit) {
  Decision decision = filter_decision(Outcome::kError);
  decision.message = std::string(2000, 'x');
  const std::optional<PodEvent> event = event_for(decision);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->message.size(), kMaxEventMessageBytes);
  EXPECT_THAT(event->message, ::testing::EndsWith("xx..."));
}

TEST(TruncateMessage, NeverSplitsAUtf8Sequence) {
  EXPECT_EQ(truncate_message("short", 10), "short");
  EXPECT_EQ(truncate_message("abcdefghij", 10), "abcdefghij");
  EXPECT_EQ(truncate_message("abcdefghijk", 10), "abcdefg...");
  // "é" is two bytes: cutting at 7 would leave its first byte alone.
  EXPECT_EQ(truncate_message("abcdeféghij", 10), "abcdef...");
  EXPECT_EQ(truncate_message("€€€€", 8), "€...");  // three-byte sequences
  EXPECT_EQ(truncate_message("abcdef", 2), "ab");
}

TEST(EventName, IsAValidDnsSubdomainOfAtMost253Characters) {
  EXPECT_EQ(event_name("web-0", 0x1a2b), "web-0.0000000000001a2b");
  EXPECT_EQ(event_name("web-0", UINT64_MAX), "web-0.ffffffffffffffff");
  const std::string label(63, 'a');
  const std::string longest = label + "." + label + "." + label + "." + std::string(61, 'b');
  ASSERT_EQ(longest.size(), 253u);
  for (const std::string& pod : {std::string("p"), longest, std::string(234, 'c') + "-.-d",
                                 std::string(235, 'c') + ".d", std::string(236, 'c') + "-dd"}) {
    const std::string name = event_name(pod, 0xdeadbeef);
    EXPECT_TRUE(is_dns_subdomain(name)) << name;
    EXPECT_LE(name.size(), 253u);
    EXPECT_THAT(name, ::testing::EndsWith(".00000000deadbeef"));
  }
  EXPECT_NE(event_name("p", 1), event_name("p", 2));
}

TEST(Rfc3339, WholeSecondsInUtc) {
  const auto at =
      std::chrono::system_clock::from_time_t(1714564800) + std::chrono::milliseconds(750);
  EXPECT_EQ(rfc3339(at), "2024-05-01T12:00:00Z");
}

TEST(EventJson, IsAWarningOnThePodFromTheExtender) {
  const PodEvent event{"ns", "p", "uid-p", "EPCUnschedulable", "0/1 nodes fit: 1 no_epc"};
  const auto at = std::chrono::system_clock::from_time_t(1714564800);
  const nlohmann::json object =
      nlohmann::json::parse(event_json(event, "p.0000000000000001", at, std::string(200, 'h')));
  EXPECT_EQ(object["apiVersion"], "v1");
  EXPECT_EQ(object["kind"], "Event");
  EXPECT_EQ(object["metadata"],
            nlohmann::json({{"name", "p.0000000000000001"}, {"namespace", "ns"}}));
  EXPECT_EQ(object["involvedObject"], nlohmann::json({{"apiVersion", "v1"},
                                                      {"kind", "Pod"},
                                                      {"namespace", "ns"},
                                                      {"name", "p"},
                                                      {"uid", "uid-p"}}));
  EXPECT_EQ(object["type"], "Warning");
  EXPECT_EQ(object["reason"], "EPCUnschedulable");
  EXPECT_EQ(object["message"], "0/1 nodes fit: 1 no_epc");
  EXPECT_EQ(object["source"]["component"], "epc-extender");
  EXPECT_EQ(object["reportingComponent"], "epc-extender");
  EXPECT_EQ(object["reportingInstance"], std::string(kMaxReportingInstanceBytes, 'h'));
  EXPECT_EQ(object["firstTimestamp"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(object["lastTimestamp"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(object["count"], 1);

  const PodEvent without_uid{"ns", "p", "", "InvalidEPCRequest", "m"};
  EXPECT_FALSE(
      nlohmann::json::parse(event_json(without_uid, "p.1", at, "h"))["involvedObject"].contains(
          "uid"));
}

TEST(EventJson, ANodeEventNamesTheNodeWithoutANamespace) {
  PodEvent event{"default", "sgx-1", "", "ConsolidationDrain", "draining sgx-1"};
  event.object_kind = "Node";
  event.type = "Normal";
  event.action = "Consolidation";
  const auto at = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  const nlohmann::json object = nlohmann::json::parse(event_json(event, "sgx-1.1", at, "h"));
  EXPECT_EQ(object["metadata"]["namespace"], "default");
  EXPECT_EQ(object["involvedObject"],
            nlohmann::json({{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "sgx-1"}}));
  EXPECT_EQ(object["type"], "Normal");
  EXPECT_EQ(object["action"], "Consolidation");
}

}  // namespace
}  // namespace epc
