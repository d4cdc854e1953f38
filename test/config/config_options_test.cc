// The full scoring config: every option is read, every class of invalid value gives a
// path-precise error, the shipped files are valid, and printing round-trips.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "config/config_printer.h"
#include "config/scoring_config.h"
#include "model/quantity.h"
#include "model/scoring/bestfit.h"
#include "model/scoring/ratio.h"
#include "model/scoring/spread.h"
#include "test/config/config_text.h"

namespace epc {
namespace {

using test::kConfigHeader;

std::string error_of(const std::string& body) {
  return test::config_error(body);
}

ScoringConfig parsed(const std::string& body) {
  return test::parsed_config(body);
}

TEST(ScoringConfigOptions, ReadsEveryKey) {
  const ScoringConfig config = parsed(R"yaml(
epcResources:
  - {name: sgx.intel.com/epc, unit: "1"}
  - {name: example.com/epc_MiB, unit: 1Mi}
confidentialNodes:
  selector: "agentpool in (confpool)"
  rule: epc-and-selector
pools:
  labelKey: agentpool
strategy:
  type: ratio
  normalization: proportional
  ratio:
    shape:
      - {utilization: 0, score: 10}
      - {utilization: 100, score: 0}
  bestfit:
    historySize: 16
headroom:
  amount: 4Gi
  forPriorityAtLeast: 1000
  forNamespaces: [kube-system]
nonEpcPods:
  policy: require-general
overrides:
  allowed: [strategy, normalization]
extender:
  weight: 5
  verbs: [filter, prioritize, bind]
)yaml");
  ASSERT_EQ(config.resources.all().size(), 2u);
  EXPECT_EQ(config.resources.all()[1].name, "example.com/epc_MiB");
  EXPECT_EQ(config.resources.all()[1].bytes_per_unit, 1 << 20);
  const PlacementPolicy& policy = config.policy;
  EXPECT_EQ(policy.confidential_selector.text(), "agentpool in (confpool)");
  EXPECT_EQ(policy.confidential_rule, ConfidentialRule::kEpcAndSelector);
  EXPECT_EQ(policy.pool_label_key, "agentpool");
  EXPECT_EQ(policy.strategy, &kRatio);
  EXPECT_EQ(policy.normalization, Normalization::kProportional);
  EXPECT_EQ(policy.shape, (std::vector<ShapePoint>{{0, 10}, {100, 0}}));
  EXPECT_EQ(policy.bestfit_history, 16);
  EXPECT_EQ(policy.headroom.bytes, int64_t{4} << 30);
  EXPECT_EQ(policy.headroom.min_priority, 1000);
  EXPECT_EQ(policy.headroom.namespaces, std::vector<std::string>{"kube-system"});
  EXPECT_EQ(policy.non_epc_pods, NonEpcPolicy::kRequireGeneral);
  EXPECT_EQ(policy.allowed_overrides,
            (std::vector<OverrideKey>{OverrideKey::kStrategy, OverrideKey::kNormalization}));
  EXPECT_EQ(config.extender.weight, 5);
  EXPECT_EQ(config.extender.verbs, (std::vector<std::string>{"filter", "prioritize", "bind"}));
}

TEST(ScoringConfigOptions, TheShortStrategyFormStillWorks) {
  EXPECT_EQ(parsed("strategy: bestfit\n").policy.strategy, &kBestFit);
  EXPECT_EQ(parsed("strategy: {type: spread}\n").policy.strategy, &kSpread);
}

TEST(ScoringConfigOptions, ShapeErrorsAreUpstreamsChecksWithPaths) {
  EXPECT_EQ(error_of("strategy:\n  ratio:\n    shape:\n"
                     "      - {utilization: 0, score: 0}\n"
                     "      - {utilization: 60, score: 5}\n"
                     "      - {utilization: 40, score: 11}\n"
                     "      - {utilization: 101}\n"),
            "strategy.ratio.shape[2].utilization: must increase, got 40 after 60\n"
            "strategy.ratio.shape[2].score: must be an integer in 0..10, got 11\n"
            "strategy.ratio.shape[3].utilization: must be an integer in 0..100, got 101\n"
            "strategy.ratio.shape[3].score: required");
  EXPECT_EQ(error_of("strategy:\n  ratio:\n    shape: []\n"),
            "strategy.ratio.shape: must have at least one point");
  EXPECT_EQ(error_of("strategy:\n  ratio:\n    shape:\n      - {utilization: 0, scor: 1}\n"),
            "strategy.ratio.shape[0].scor: unknown key\n"
            "strategy.ratio.shape[0].score: required");
  EXPECT_EQ(error_of("strategy:\n  type: ratio\n  normalization: exact\n"),
            R"(strategy.normalization: must be one of rank, proportional; got "exact")");
  EXPECT_EQ(error_of("strategy:\n  bestfit:\n    historySize: 0\n"),
            "strategy.bestfit.historySize: must be an integer in 1..1024, got 0");
}

TEST(ScoringConfigOptions, ResourceErrorsNameTheEntry) {
  EXPECT_EQ(error_of("epcResources:\n"
                     "  - {name: epc, unit: 1}\n"
                     "  - {name: a.io/epc, unit: 1.5}\n"
                     "  - {name: b.io/epc, unit: \"0\"}\n"
                     "  - {unit: 1}\n"
                     "  - {name: c.io/epc}\n"
                     "  - {name: c.io/epc}\n"),
            "epcResources[0].name: must be a domain-qualified resource name such as "
            "example.com/epc, got \"epc\"\n"
            "epcResources[1].unit: invalid quantity \"1.5\": not a whole number\n"
            "epcResources[2].unit: must be a positive number of bytes, got \"0\"\n"
            "epcResources[3].name: required\n"
            "epcResources[5].name: \"c.io/epc\" is listed twice");
  EXPECT_EQ(error_of("epcResources: []\n"), "epcResources: must list at least one EPC resource");
}

TEST(ScoringConfigOptions, SelectorAndRuleErrors) {
  EXPECT_EQ(error_of("confidentialNodes:\n  selector: \"a in (x\"\n"),
            "confidentialNodes.selector: invalid label selector \"a in (x\": missing \")\" at "
            "position 8");
  EXPECT_EQ(error_of("confidentialNodes:\n  rule: selector\n"),
            "confidentialNodes.selector: must be set when rule is \"selector\"");
  EXPECT_EQ(error_of("confidentialNodes:\n  rule: any\n"),
            "confidentialNodes.rule: must be one of epc, selector, epc-or-selector, "
            "epc-and-selector; got \"any\"");
  EXPECT_EQ(error_of("pools:\n  labelKey: \"a b\"\n"),
            "pools.labelKey: must be a label key, got \"a b\"");
}

TEST(ScoringConfigOptions, HeadroomErrors) {
  EXPECT_EQ(error_of("headroom:\n  amount: 4Gi\n  percent: 10\n  forPriorityAtLeast: 1\n"),
            "headroom: set amount or percent, not both");
  EXPECT_EQ(error_of("headroom:\n  percent: 10\n"),
            "headroom: set forPriorityAtLeast or forNamespaces: otherwise no pod may use the EPC "
            "kept free");
  EXPECT_EQ(error_of("headroom:\n  amount: 4Gb\n  percent: 101\n  forPriorityAtLeast: high\n"
                     "  forNamespaces: [a, a]\n"),
            "headroom.amount: invalid quantity \"4Gb\": unknown suffix \"Gb\"\n"
            "headroom.percent: must be an integer in 0..100, got 101\n"
            "headroom.forPriorityAtLeast: must be an integer in -2147483648..2147483647, got "
            "\"high\"\n"
            "headroom.forNamespaces[1]: \"a\" is listed twice");
}

TEST(ScoringConfigOptions, RepeatedKeysAreErrors) {
  EXPECT_EQ(error_of("strategy: spread\nnonEpcPods: {policy: allow}\nstrategy: bogus\n"),
            "strategy: given more than once");
}

TEST(ScoringConfigOptions, OverrideAndExtenderErrors) {
  EXPECT_EQ(error_of("overrides:\n  allowed: [strategy, headroom, strategy]\n"),
            "overrides.allowed[1]: must be one of strategy, normalization; got \"headroom\"\n"
            "overrides.allowed[2]: \"strategy\" is listed twice");
  EXPECT_EQ(error_of("extender:\n  weight: 0\n"),
            "extender.weight: must be > 0 while verbs include prioritize, got 0");
  EXPECT_TRUE(parse_config(kConfigHeader + "extender:\n  weight: 0\n  verbs: [filter]\n").ok());
  EXPECT_EQ(error_of("extender:\n  verbs: [filter, score]\n"),
            "extender.verbs[1]: must be one of filter, prioritize, bind, preempt; got \"score\"");
}

// Strategy names come from the strategy table: the config reads and prints every entry, and its
// errors list exactly the table's names (strategy_table_test checks strategy_names() against it).
TEST(ScoringConfigOptions, ReadsAndPrintsEveryStrategyOfTheTable) {
  for (const ScoringStrategy* strategy : scoring_strategies()) {
    const std::string name(strategy->name);
    EXPECT_EQ(parsed("strategy: " + name + "\n").policy.strategy, strategy);
    const ScoringConfig config = parsed("strategy: {type: " + name + "}\n");
    EXPECT_EQ(config.policy.strategy, strategy);
    const std::string printed = format_config(config);
    EXPECT_NE(printed.find("type: " + name + "\n"), std::string::npos) << printed;
    const auto reparsed = parse_config(printed);
    ASSERT_TRUE(reparsed.ok()) << reparsed.error().message;
    EXPECT_EQ(reparsed->policy.strategy, strategy);
  }
  const std::string names = strategy_names();
  EXPECT_EQ(error_of("strategy: sideways\n"),
            "strategy: must be one of " + names + "; got \"sideways\"");
  EXPECT_EQ(error_of("strategy: {type: [binpack]}\n"),
            "strategy.type: must be one of " + names + "; got a sequence");
  EXPECT_EQ(error_of("strategy: [binpack]\n"),
            "strategy: must be one of " + names + ", or a mapping with type; got a sequence");
}

TEST(ScoringConfigOptions, PrintingFillsInDefaultsAndParsesBackToTheSameConfig) {
  const std::string printed = format_config(ScoringConfig{});
  EXPECT_NE(printed.find("type: binpack"), std::string::npos) << printed;
  EXPECT_NE(printed.find("policy: prefer-general"), std::string::npos) << printed;
  const auto reparsed = parse_config(printed);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().message << "\n" << printed;
  EXPECT_EQ(format_config(*reparsed), printed);

  const ScoringConfig custom = parsed(
      "strategy: {type: ratio, ratio: {shape: [{utilization: 10, score: 3}]}}\n"
      "headroom: {percent: 5, forNamespaces: [prod]}\n"
      "confidentialNodes: {selector: \"sgx=true\"}\n");
  const std::string custom_printed = format_config(custom);
  const auto custom_reparsed = parse_config(custom_printed);
  ASSERT_TRUE(custom_reparsed.ok()) << custom_reparsed.error().message << "\n" << custom_printed;
  EXPECT_EQ(format_config(*custom_reparsed), custom_printed);
  EXPECT_EQ(custom_reparsed->policy.shape, (std::vector<ShapePoint>{{10, 3}}));
  EXPECT_EQ(custom_reparsed->policy.headroom.percent, 5);
}

TEST(ScoringConfigOptions, EveryShippedExampleIsValid) {
  const std::filesystem::path dir = EPC_SOURCE_DIR "/config/examples";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto config = load_config(entry.path().string());
    EXPECT_TRUE(config.ok()) << config.error().message;
    ++count;
  }
  EXPECT_GE(count, 5);
}

}  // namespace
}  // namespace epc
