#include "scheduler/log/decision_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "log_test_support.h"

namespace epc {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;

Decision unschedulable_filter() {
  Decision decision;
  decision.verb = Verb::kFilter;
  decision.outcome = Outcome::kUnschedulable;
  decision.pod_namespace = "default";
  decision.pod_name = "enclave-1";
  decision.epc_bytes = 64 << 20;
  decision.nodes_considered = 3;
  decision.nodes_passing = 0;
  decision.rejected = {
      {"confpool", FitCause::kInsufficientEpc, 2, "conf-1: insufficient sgx.intel.com/epc"},
      {"", FitCause::kNoEpc, 1, ""}};
  decision.duration = std::chrono::microseconds(1500);
  return decision;
}

TEST(LogDecision, OneDebugLineWithTheFields) {
  test::CapturedLog log;
  const Decision decision = unschedulable_filter();
  log_decision(log.logger(LogLevel::kDebug), decision);
  ASSERT_EQ(log.lines().size(), 1u);
  const Json line = Json::parse(log.lines()[0]);
  EXPECT_EQ(line["level"], "debug");
  EXPECT_EQ(line["component"], "decision");
  EXPECT_EQ(line["msg"], "filter default/enclave-1: unschedulable");
  EXPECT_EQ(line["pod"], "default/enclave-1");
  EXPECT_EQ(line["verb"], "filter");
  EXPECT_EQ(line["outcome"], "unschedulable");
  EXPECT_DOUBLE_EQ(line["duration_seconds"].get<double>(), 0.0015);
  EXPECT_EQ(line["node"], "");
  EXPECT_EQ(line["epc_bytes"], 64 << 20);
  EXPECT_EQ(line["nodes_considered"], 3);
  EXPECT_EQ(line["nodes_passing"], 0);
  EXPECT_EQ(line["bind"], "none");
  EXPECT_EQ(line["reasons"], describe_rejections(decision));
  EXPECT_THAT(line["reasons"].get<std::string>(), HasSubstr("2 insufficient_epc in pool confpool"));
}

TEST(LogDecision, ReasonsCarryTheErrorMessage) {
  test::CapturedLog log;
  Decision decision;
  decision.verb = Verb::kBind;
  decision.outcome = Outcome::kError;
  decision.pod_namespace = "ns";
  decision.pod_name = "p";
  decision.node = "n1";
  decision.bind = BindEffect::kRolledBack;
  decision.message = "binding ns/p to n1: HTTP 500: injected fault";
  log_decision(log.logger(LogLevel::kDebug, LogFormat::kText), decision);
  ASSERT_EQ(log.lines().size(), 1u);
  const std::string line = log.lines()[0];
  EXPECT_EQ(line.front(), 'D');
  EXPECT_THAT(line, HasSubstr(" decision] \"bind ns/p: error\" pod=\"ns/p\" verb=\"bind\" "
                              "outcome=\"error\" duration_seconds=0 node=\"n1\""));
  EXPECT_THAT(line, HasSubstr("bind=\"rolled_back\" "
                              "reasons=\"binding ns/p to n1: HTTP 500: injected fault\"\n"));
}

TEST(LogDecision, NothingAboveDebug) {
  test::CapturedLog log;
  for (const LogLevel level : {LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError}) {
    log_decision(log.logger(level), unschedulable_filter());
  }
  EXPECT_TRUE(log.lines().empty());
}

}  // namespace
}  // namespace epc
