// The scoring config in a running service: options seen through ExtenderService's bytes-in,
// bytes-out verbs, and live reload through a ConfigMap-style symlink swap while requests are in
// flight.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config/config_watcher.h"
#include "model/cluster_state.h"
#include "scheduler/extender/extender_service.h"

namespace epc {
namespace {

namespace fs = std::filesystem;

const std::string kHeader = "apiVersion: epc-extender.io/v1alpha1\nkind: ScoringConfig\n";

Node node(const std::string& name, const std::string& epc, Labels labels = {}) {
  Node n;
  n.name = name;
  n.readiness = NodeReadiness::Ready;
  n.allocatable = {{"sgx.intel.com/epc", epc}};
  n.labels = std::move(labels);
  return n;
}

Pod bound_pod(const std::string& name, const std::string& epc, const std::string& node_name) {
  Pod pod;
  pod.namespace_name = "default";
  pod.name = name;
  pod.uid = "uid-" + name;
  pod.containers = {{{{"sgx.intel.com/epc", epc}}, {}, "c"}};
  pod.node_name = node_name;
  pod.phase = PodPhase::Running;
  return pod;
}

// An anonymous pod (no name, no UID): the service neither remembers nor reserves for it, so
// repeated requests see the same state.
std::string anonymous_request(const std::string& epc, const std::string& meta_extra = "",
                              int priority = 0) {
  return R"({"Pod":{"metadata":{"namespace":"default")" + meta_extra + R"(},"spec":{"priority":)" +
         std::to_string(priority) +
         R"(,"containers":[{"name":"c","resources":{"requests":{"sgx.intel.com/epc":")" + epc +
         R"("}}}]}},"Nodes":null,"NodeNames":["n1","n2","n3"]})";
}

// A ConfigMap volume: FILE → ..data/FILE, ..data → ..<version>; an update writes a new version
// directory and renames a new ..data symlink over the old one.
class ConfigMapDir {
 public:
  ConfigMapDir() {
    dir_ = fs::temp_directory_path() /
           ("config_reload_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~ConfigMapDir() { fs::remove_all(dir_); }

  std::string path() const { return (dir_ / "config.yaml").string(); }

  void publish(const std::string& text) {
    const std::string version = "..v" + std::to_string(++version_);
    fs::create_directories(dir_ / version);
    std::ofstream(dir_ / version / "config.yaml") << text;
    const fs::path temporary = dir_ / "..data_tmp";
    fs::remove(temporary);
    fs::create_directory_symlink(version, temporary);
    fs::rename(temporary, dir_ / "..data");  // atomic: readers see the old or the new version
    if (!fs::is_symlink(dir_ / "config.yaml")) {
      fs::create_symlink("..data/config.yaml", dir_ / "config.yaml");
    }
  }

 private:
  fs::path dir_;
  int version_ = 0;
};

class ConfiguredService : public ::testing::Test {
 protected:
  ConfiguredService() {
    state_.modify([](EpcLedger& ledger) {
      ledger.upsert_node(node("n1", "8Gi", {{"agentpool", "confpool"}}));
      ledger.upsert_node(node("n2", "8Gi", {{"agentpool", "confpool"}}));
      ledger.upsert_node(node("n3", "16Gi", {{"agentpool", "other"}}));
      (void)ledger.upsert_pod(bound_pod("a", "4Gi", "n2"));
      (void)ledger.upsert_pod(bound_pod("b", "2Gi", "n3"));
    });
  }

  // Starts the watcher on `text`; the service reads its policy.
  void configure(const std::string& text) {
    files_.publish(text);
    auto opened = ConfigWatcher::open(files_.path(), {.interval = std::chrono::milliseconds(1)});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    watcher_ = std::move(*opened);
    service_ = std::make_unique<ExtenderService>(state_, [this] { return watcher_->policy(); });
  }

  std::string call(Verb verb, const std::string& body) {
    const Reply reply = service_->handle(verb, body);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.body;
  }

  ClusterState state_{EpcResources::defaults()};
  ConfigMapDir files_;
  std::unique_ptr<ConfigWatcher> watcher_;
  std::unique_ptr<ExtenderService> service_;
};

// The four combinations of strategy and normalization give four different answers for a 1Gi
// pod on n1 (1/8 after placement), n2 (5/8) and n3 (3/16).
const std::string kBinpackRank =
    R"([{"Host":"n1","Score":8},{"Host":"n2","Score":10},{"Host":"n3","Score":9}])";
// n1 and n3 tie at 8; only the first keeps it (one top node: see decide_prioritize).
const std::string kSpreadProportional =
    R"([{"Host":"n1","Score":8},{"Host":"n2","Score":3},{"Host":"n3","Score":7}])";
const std::string kBinpackConfig = kHeader + "strategy: {type: binpack, normalization: rank}\n";
const std::string kSpreadConfig =
    kHeader + "strategy: {type: spread, normalization: proportional}\n";

TEST_F(ConfiguredService, ReloadSwapsTheConfigAndAnInvalidFileKeepsTheOldOne) {
  configure(kBinpackConfig);
  EXPECT_EQ(call(Verb::kPrioritize, anonymous_request("1Gi")), kBinpackRank);

  files_.publish(kSpreadConfig);
  ASSERT_TRUE(watcher_->reload().ok());
  EXPECT_EQ(call(Verb::kPrioritize, anonymous_request("1Gi")), kSpreadProportional);
  EXPECT_EQ(watcher_->generation(), 1u);

  files_.publish(kHeader + "strategy: {type: sideways}\n");
  const Result<void> refused = watcher_->reload();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(
      refused.error().message,
      files_.path() +
          ": strategy.type: must be one of binpack, spread, ratio, bestfit; got \"sideways\"");
  EXPECT_EQ(watcher_->last_reload_error(), refused.error().message);
  EXPECT_EQ(call(Verb::kPrioritize, anonymous_request("1Gi")), kSpreadProportional);
  EXPECT_EQ(watcher_->generation(), 1u);

  files_.publish(kBinpackConfig);
  ASSERT_TRUE(watcher_->reload().ok());
  EXPECT_EQ(watcher_->last_reload_error(), std::nullopt);
  EXPECT_EQ(call(Verb::kPrioritize, anonymous_request("1Gi")), kBinpackRank);
}

TEST_F(ConfiguredService, ChangingEpcResourcesNeedsARestart) {
  configure(kBinpackConfig);
  files_.publish(kSpreadConfig + "epcResources: [{name: example.com/epc}]\n");
  const Result<void> refused = watcher_->reload();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("epcResources: EPC resource names and units take effect "
                                         "only when epc-extender restarts"),
            std::string::npos)
      << refused.error().message;
  EXPECT_EQ(call(Verb::kPrioritize, anonymous_request("1Gi")), kBinpackRank);
}

TEST_F(ConfiguredService, ThePollingThreadPicksUpASymlinkSwap) {
  configure(kBinpackConfig);
  watcher_->start();
  files_.publish(kSpreadConfig);
  // Waits for the poll (1 ms interval) without asserting how long it takes.
  for (int i = 0; i < 10000 && watcher_->generation() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(watcher_->generation(), 1u);
  EXPECT_EQ(call(Verb::kPrioritize, anonymous_request("1Gi")), kSpreadProportional);
}

TEST_F(ConfiguredService, RequestsInFlightDuringReloadsSeeOneWholeConfigOrTheOther) {
  configure(kBinpackConfig);
  watcher_->start();  // the poll thread races with the explicit reloads too
  std::atomic<bool> writing{true};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      while (writing.load()) {
        const Reply reply = service_->handle(Verb::kPrioritize, anonymous_request("1Gi"));
        if (reply.status != 200 ||
            (reply.body != kBinpackRank && reply.body != kSpreadProportional)) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (int i = 0; i < 40; ++i) {
    files_.publish(i % 2 == 0 ? kSpreadConfig : kBinpackConfig);
    (void)watcher_->reload();  // the poll thread may have applied it first: both are fine
  }
  writing = false;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(watcher_->last_reload_error(), std::nullopt);
  EXPECT_EQ(call(Verb::kPrioritize, anonymous_request("1Gi")), kBinpackRank);  // the last one
}

TEST_F(ConfiguredService, HeadroomTurnsLowerPriorityPodsAwayWithTheReason) {
  configure(kHeader + "headroom: {amount: 2Gi, forPriorityAtLeast: 1000}\n");
  // 5Gi: fits n1 (8Gi free) and n3 (14Gi free); n2 has 4Gi free, and 4 - 2 < 5.
  const std::string low = call(Verb::kFilter, anonymous_request("5Gi", "", 10));
  EXPECT_NE(low.find(R"("NodeNames":["n1","n3"])"), std::string::npos) << low;
  EXPECT_NE(low.find(R"("FailedNodes":{"n2":"insufficient sgx.intel.com/epc: requested 5Gi, )"
                     R"(free 4Gi of 8Gi but 2Gi is kept for pods of priority >= 1000"})"),
            std::string::npos)
      << low;
  // 3Gi fits n2 only for a pod the headroom is kept for.
  const std::string low3 = call(Verb::kFilter, anonymous_request("3Gi", "", 10));
  EXPECT_NE(low3.find(R"("FailedNodes":{"n2":)"), std::string::npos) << low3;
  const std::string high3 = call(Verb::kFilter, anonymous_request("3Gi", "", 1000));
  EXPECT_NE(high3.find(R"("NodeNames":["n1","n2","n3"])"), std::string::npos) << high3;
}

TEST_F(ConfiguredService, AnnotationOverridesApplyWhenAllowedAndInvalidOnesFailEveryNode) {
  configure(kBinpackConfig + "overrides: {allowed: [strategy, normalization]}\n");
  const std::string spread = R"(,"annotations":{"epc-extender.io/strategy":"spread",)"
                             R"("epc-extender.io/normalization":"proportional","other":"x"})";
  EXPECT_EQ(call(Verb::kPrioritize, anonymous_request("1Gi", spread)), kSpreadProportional);
  EXPECT_EQ(call(Verb::kPrioritize, anonymous_request("1Gi")), kBinpackRank);

  const std::string bad = R"(,"annotations":{"epc-extender.io/strategy":"sideways"})";
  const std::string reason =
      R"(invalid annotation epc-extender.io/strategy \"sideways\": must be one of binpack, )"
      R"(spread, ratio, bestfit; got \"sideways\")";
  const std::string filtered = call(Verb::kFilter, anonymous_request("1Gi", bad));
  EXPECT_NE(filtered.find(R"("FailedAndUnresolvableNodes":{"n1":")" + reason + R"(","n2":")" +
                          reason + R"(","n3":")" + reason + R"("})"),
            std::string::npos)
      << filtered;
  EXPECT_EQ(call(Verb::kPrioritize, anonymous_request("1Gi", bad)),
            R"([{"Host":"n1","Score":0},{"Host":"n2","Score":0},{"Host":"n3","Score":0}])");
}

TEST_F(ConfiguredService, TheSelectorKeepsEpcPodsInTheSelectedPool) {
  configure(kHeader +
            "confidentialNodes: {selector: \"agentpool in (confpool)\", rule: epc-and-selector}\n");
  const std::string filtered = call(Verb::kFilter, anonymous_request("1Gi"));
  EXPECT_NE(filtered.find(R"("NodeNames":["n1","n2"])"), std::string::npos) << filtered;
  EXPECT_NE(filtered.find(R"("n3":"node does not match confidentialNodes.selector)"),
            std::string::npos)
      << filtered;
}

}  // namespace
}  // namespace epc
