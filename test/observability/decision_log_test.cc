// DecisionLog: bounded, newest first, prioritize left out, safe under concurrent recording.
#include "scheduler/observability/decision_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace epc {
namespace {

Decision decision(Verb verb, const std::string& pod, Outcome outcome = Outcome::kSuccess) {
  Decision d;
  d.verb = verb;
  d.outcome = outcome;
  d.pod_namespace = "default";
  d.pod_name = pod;
  d.epc_bytes = 6LL << 30;
  d.duration = std::chrono::microseconds(250);
  d.at = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  return d;
}

TEST(DecisionLog, KeepsTheNewestEntriesUpToItsCapacityNewestFirst) {
  DecisionLog log(3);
  for (int i = 0; i < 5; ++i) log.record(decision(Verb::kFilter, "pod-" + std::to_string(i)));
  const std::vector<DecisionEntry> entries = log.recent();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].pod, "default/pod-4");
  EXPECT_EQ(entries[1].pod, "default/pod-3");
  EXPECT_EQ(entries[2].pod, "default/pod-2");
}

TEST(DecisionLog, NewestFirstBeforeItFillsUp) {
  DecisionLog log(10);
  log.record(decision(Verb::kFilter, "a"));
  log.record(decision(Verb::kBind, "b"));
  const std::vector<DecisionEntry> entries = log.recent();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].pod, "default/b");
  EXPECT_EQ(entries[0].verb, Verb::kBind);
  EXPECT_EQ(entries[1].pod, "default/a");
}

TEST(DecisionLog, LeavesOutPrioritizeCallsAndKeepsFilterBindAndPreempt) {
  DecisionLog log;
  log.record(decision(Verb::kFilter, "p"));
  log.record(decision(Verb::kPrioritize, "p"));
  log.record(decision(Verb::kBind, "p"));
  log.record(decision(Verb::kPreempt, "q"));
  const std::vector<DecisionEntry> entries = log.recent();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].verb, Verb::kPreempt);
  EXPECT_EQ(entries[1].verb, Verb::kBind);
  EXPECT_EQ(entries[2].verb, Verb::kFilter);
}

TEST(DecisionLog, CopiesTheDecisionAndExplainsItByMessageElseByRejections) {
  DecisionLog log;
  Decision refused = decision(Verb::kBind, "p", Outcome::kError);
  refused.node = "conf-1";
  refused.message = "EPC no longer free";
  log.record(refused);
  Decision unschedulable = decision(Verb::kFilter, "q", Outcome::kUnschedulable);
  unschedulable.nodes_considered = 2;
  unschedulable.rejected = {{"confpool", FitCause::kEpcTooSmall, 2, "conf-1: too small"}};
  log.record(unschedulable);

  const std::vector<DecisionEntry> entries = log.recent();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].outcome, Outcome::kUnschedulable);
  EXPECT_EQ(entries[0].reason, describe_rejections(unschedulable));
  EXPECT_NE(entries[0].reason, "");
  EXPECT_EQ(entries[1].reason, "EPC no longer free");
  EXPECT_EQ(entries[1].node, "conf-1");
  EXPECT_EQ(entries[1].epc_bytes, 6LL << 30);
  EXPECT_EQ(entries[1].duration, std::chrono::microseconds(250));
  EXPECT_EQ(entries[1].at, refused.at);
}

TEST(DecisionLog, StampsDecisionsWithoutATime) {
  DecisionLog log;
  Decision untimed = decision(Verb::kFilter, "p");
  untimed.at = {};
  const auto before = std::chrono::system_clock::now();
  log.record(untimed);
  EXPECT_GE(log.recent().at(0).at, before);
}

TEST(DecisionLog, ZeroCapacityKeepsNothing) {
  DecisionLog log(0);
  log.record(decision(Verb::kFilter, "p"));
  EXPECT_TRUE(log.recent().empty());
}

TEST(DecisionLog, ConcurrentRecordsAreAllKeptWhileReadersCopy) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  DecisionLog log(kThreads * kPerThread);
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      for (const DecisionEntry& entry : log.recent())
        ASSERT_EQ(entry.pod.rfind("default/t", 0), 0u);
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&log, t] {
      for (int i = 0; i < kPerThread; ++i) {
        log.record(decision(Verb::kFilter, "t" + std::to_string(t) + "-" + std::to_string(i)));
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  done = true;
  reader.join();

  std::set<std::string> pods;
  for (const DecisionEntry& entry : log.recent()) pods.insert(entry.pod);
  EXPECT_EQ(pods.size(), static_cast<size_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace epc
