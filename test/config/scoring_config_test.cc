#include "config/scoring_config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "model/scoring/spread.h"

namespace epc {
namespace {

const std::string kHeader = "apiVersion: epc-extender.io/v1alpha1\nkind: ScoringConfig\n";

std::string error_of(const std::string& text) {
  const auto policy = parse_scoring_config(text);
  EXPECT_FALSE(policy.ok()) << text;
  return policy.ok() ? std::string() : policy.error().message;
}

void expect_defaults(const PlacementPolicy& policy) {
  const PlacementPolicy defaults;
  EXPECT_EQ(policy.strategy, defaults.strategy);
  EXPECT_EQ(policy.non_epc_pods, defaults.non_epc_pods);
  EXPECT_EQ(policy.confidential_node_score, defaults.confidential_node_score);
}

TEST(ScoringConfig, TheShippedDefaultFileEqualsThePolicyDefaults) {
  const auto policy = load_scoring_config(EPC_SOURCE_DIR "/config/default.yaml");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  expect_defaults(*policy);
}

TEST(ScoringConfig, OnlyTheHeaderMeansDefaults) {
  const auto policy = parse_scoring_config(kHeader);
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  expect_defaults(*policy);
}

TEST(ScoringConfig, ReadsEveryKey) {
  const auto policy = parse_scoring_config(kHeader +
                                           "strategy: spread\n"
                                           "nonEpcPods:\n"
                                           "  policy: require-general\n"
                                           "  confidentialNodeScore: 7\n");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->strategy, &kSpread);
  EXPECT_EQ(policy->non_epc_pods, NonEpcPolicy::kRequireGeneral);
  EXPECT_EQ(policy->confidential_node_score, 7);
}

TEST(ScoringConfig, AcceptsJson) {
  const auto policy = parse_scoring_config(
      R"({"apiVersion": "epc-extender.io/v1alpha1", "kind": "ScoringConfig",)"
      R"( "strategy": "binpack", "nonEpcPods": {"policy": "allow", "confidentialNodeScore": 10}})");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->strategy, &kBinPack);
  EXPECT_EQ(policy->non_epc_pods, NonEpcPolicy::kAllow);
  EXPECT_EQ(policy->confidential_node_score, 10);
}

TEST(ScoringConfig, HeaderMustBeExact) {
  EXPECT_EQ(error_of("strategy: spread\n"),
            "apiVersion: required, must be \"epc-extender.io/v1alpha1\"\n"
            "kind: required, must be \"ScoringConfig\"");
  EXPECT_EQ(error_of("apiVersion: epc-extender.io/v1\nkind: scoringconfig\n"),
            "apiVersion: must be \"epc-extender.io/v1alpha1\", got \"epc-extender.io/v1\"\n"
            "kind: must be \"ScoringConfig\", got \"scoringconfig\"");
}

TEST(ScoringConfig, InvalidValuesNameKeyPathAndValue) {
  EXPECT_EQ(error_of(kHeader + "strategy: bnpack\n"),
            R"(strategy: must be one of binpack, spread, ratio, bestfit; got "bnpack")");
  EXPECT_EQ(error_of(kHeader + "nonEpcPods:\n  policy: [allow]\n"),
            "nonEpcPods.policy: must be one of allow, prefer-general, require-general; got a "
            "sequence");
  EXPECT_EQ(error_of(kHeader + "nonEpcPods:\n  confidentialNodeScore: 11\n"),
            "nonEpcPods.confidentialNodeScore: must be an integer in 0..10, got 11");
  EXPECT_EQ(error_of(kHeader + "nonEpcPods:\n  confidentialNodeScore: -1\n"),
            "nonEpcPods.confidentialNodeScore: must be an integer in 0..10, got -1");
  EXPECT_EQ(error_of(kHeader + "nonEpcPods:\n  confidentialNodeScore: 2.5\n"),
            R"(nonEpcPods.confidentialNodeScore: must be an integer in 0..10, got "2.5")");
  EXPECT_EQ(error_of(kHeader + "nonEpcPods: prefer-general\n"),
            R"(nonEpcPods: must be a mapping, got "prefer-general")");
  EXPECT_EQ(error_of(kHeader + "strategy:\n"),
            "strategy: must be one of binpack, spread, ratio, bestfit, or a mapping with type; got "
            "null");
}

TEST(ScoringConfig, UnknownKeysAreErrors) {
  EXPECT_EQ(error_of(kHeader + "nonEpcPods:\n  polcy: allow\n"), "nonEpcPods.polcy: unknown key");
  EXPECT_EQ(error_of(kHeader + "stratgy: spread\n"), "stratgy: unknown key");
}

TEST(ScoringConfig, CollectsEveryError) {
  EXPECT_EQ(error_of("apiVersion: epc-extender.io/v1alpha1\n"
                     "strategy: bnpack\n"
                     "extra: 1\n"
                     "nonEpcPods:\n"
                     "  polcy: allow\n"
                     "  confidentialNodeScore: 11\n"),
            "extra: unknown key\n"
            "kind: required, must be \"ScoringConfig\"\n"
            "strategy: must be one of binpack, spread, ratio, bestfit; got \"bnpack\"\n"
            "nonEpcPods.polcy: unknown key\n"
            "nonEpcPods.confidentialNodeScore: must be an integer in 0..10, got 11");
}

TEST(ScoringConfig, SyntaxErrorsCarryLineAndColumn) {
  const std::string message = error_of(kHeader + "strategy: [binpack\n");
  EXPECT_EQ(message.rfind("YAML syntax error at line ", 0), 0u) << message;
  EXPECT_NE(message.find("line 4, column"), std::string::npos) << message;
}

TEST(ScoringConfig, ATopLevelThatIsNotAMappingIsAnError) {
  EXPECT_EQ(error_of(""),
            "scoring config must be a mapping with apiVersion \"epc-extender.io/v1alpha1\" and "
            "kind \"ScoringConfig\", got null");
  EXPECT_EQ(error_of("- a\n"),
            "scoring config must be a mapping with apiVersion \"epc-extender.io/v1alpha1\" and "
            "kind \"ScoringConfig\", got a sequence");
}

class ScoringConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("scoring_config_test_" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(ScoringConfigFile, LoadsAFile) {
  const auto policy = load_scoring_config(write("c.yaml", kHeader + "strategy: spread\n"));
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->strategy, &kSpread);
}

TEST_F(ScoringConfigFile, ErrorsArePrefixedWithThePath) {
  const std::string path = write("bad.yaml", kHeader + "strategy: x\nfoo: 1\n");
  const auto policy = load_scoring_config(path);
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().message,
            path + ": foo: unknown key\n" + path +
                ": strategy: must be one of binpack, spread, ratio, bestfit; got \"x\"");
}

TEST_F(ScoringConfigFile, UnreadableFilesNameThePathAndTheReason) {
  const std::string missing = (dir_ / "missing.yaml").string();
  auto policy = load_scoring_config(missing);
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().message,
            "cannot read scoring config \"" + missing + "\": No such file or directory");
  policy = load_scoring_config(dir_.string());
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().message,
            "cannot read scoring config \"" + dir_.string() + "\": Is a directory");
}

}  // namespace
}  // namespace epc

namespace epc {
namespace {

// Found by test/fuzz/config_fuzzer: a name with bytes Kubernetes never allows in a resource name
// (here invalid UTF-8) was accepted, and `config print` then wrote a different name.
TEST(ScoringConfig, ResourceNamesAreRefusedOutsideKubernetesNameCharacters) {
  const std::string text = kHeader +
                           "epcResources:\n  - {name: \"ex\xff"
                           "ample.com/epc\"}\n";
  const auto config = parse_config(text);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("epcResources[0].name: must be a domain-qualified"),
            std::string::npos)
      << config.error().message;
}

}  // namespace
}  // namespace epc
