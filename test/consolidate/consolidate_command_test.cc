// `consolidate` end to end on the demo cluster (demo/cluster.json with demo/scoring.yaml): the
// plan in both formats, and inputs that cannot be read.
#include "scheduler/consolidate/consolidate_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>

namespace epc {
namespace {

using ::testing::HasSubstr;

const std::string kDemo = std::string(EPC_SOURCE_DIR) + "/demo/";
// The demo's pods are a day old then, older than the default minPodAge.
constexpr int64_t kNow = 1796558400;  // 2026-12-06T12:00:00Z

struct Outcome {
  int status = 0;
  std::string out;
  std::string err;
};

Outcome run(ConsolidateOptions options) {
  std::ostringstream out, err;
  const int status = run_consolidate_command(options, out, err);
  return {status, out.str(), err.str()};
}

ConsolidateOptions demo(PlanFormat format) {
  ConsolidateOptions options;
  options.cluster_file = kDemo + "cluster.json";
  options.config_file = kDemo + "scoring.yaml";
  options.format = format;
  options.now_unix_seconds = kNow;
  return options;
}

TEST(ConsolidateCommand, PrintsTheDemoClustersPlanAsATable) {
  const Outcome outcome = run(demo(PlanFormat::kTable));
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("Consolidation plan: 2 node(s) to empty, 2 eviction(s)"));
  EXPECT_THAT(outcome.out, HasSubstr("aks-confpool-dc2sv3-0  8Gi    default/attestation-0"));
  EXPECT_THAT(outcome.out,
              HasSubstr("default/ledger-1     PodDisruptionBudget default/ledger allows no more "
                        "disruptions"));
}

TEST(ConsolidateCommand, JsonSaysTheSameForScripts) {
  const Outcome outcome = run(demo(PlanFormat::kJson));
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  const nlohmann::json plan = nlohmann::json::parse(outcome.out);
  EXPECT_EQ(plan["nodesToEmpty"], 2);
  EXPECT_EQ(plan["evictions"], 2);
  ASSERT_EQ(plan["drained"].size(), 2u);
  for (const auto& node : plan["drained"]) {
    for (const auto& move : node["moves"]) {
      EXPECT_EQ(move["from"], node["node"]);
      EXPECT_NE(move["to"], node["node"]);
    }
  }
  bool ledger_kept = false;
  for (const auto& kept : plan["kept"]) ledger_kept |= kept["pod"] == "default/ledger-1";
  EXPECT_TRUE(ledger_kept);
}

TEST(ConsolidateCommand, UnreadableInputsAreErrorsNamingThem) {
  ConsolidateOptions options = demo(PlanFormat::kTable);
  options.cluster_file = "/nonexistent/cluster.json";
  Outcome outcome = run(options);
  EXPECT_EQ(outcome.status, 1);
  EXPECT_THAT(outcome.err, HasSubstr("/nonexistent/cluster.json"));
  EXPECT_TRUE(outcome.out.empty());

  options = demo(PlanFormat::kTable);
  options.config_file = "/nonexistent/scoring.yaml";
  outcome = run(options);
  EXPECT_EQ(outcome.status, 1);
  EXPECT_THAT(outcome.err, HasSubstr("/nonexistent/scoring.yaml"));
}

}  // namespace
}  // namespace epc
