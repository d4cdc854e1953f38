// ConnectionDeadlines over synthetic kernel samples: which connections a scan closes and why.
#include "scheduler/http/connection_deadlines.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace epc {
namespace {

using namespace std::chrono_literals;
using Clock = ConnectionDeadlines::Clock;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

ConnectionLimits limits(size_t max_connections = 0) {
  return ConnectionLimits{
      .read_timeout = 10s, .idle_timeout = 60s, .max_connections = max_connections};
}

// A connection followed through time: `received`/`sent` are when data last moved, in seconds
// from the test's start.
struct Connection {
  uint64_t id;
  double received;
  double sent;

  ConnectionSample at(double now) const {
    const auto since = [now](double then) {
      return std::chrono::milliseconds(static_cast<int64_t>((now - then) * 1000));
    };
    return {id, since(received), since(sent)};
  }
};

class Scans {
 public:
  explicit Scans(ConnectionLimits limits) : deadlines_(limits) {}

  // The ids closed by a scan at `now` seconds.
  std::vector<uint64_t> at(double now, const std::vector<Connection>& open,
                           std::vector<CloseReason>* reasons = nullptr) {
    std::vector<ConnectionSample> samples;
    for (const Connection& connection : open) samples.push_back(connection.at(now));
    std::vector<uint64_t> ids;
    for (const ConnectionToClose& close : deadlines_.judge(samples, start_ + seconds(now))) {
      ids.push_back(close.id);
      if (reasons != nullptr) reasons->push_back(close.reason);
    }
    return ids;
  }

 private:
  static Clock::duration seconds(double value) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(value));
  }
  ConnectionDeadlines deadlines_;
  Clock::time_point start_ = Clock::now();
};

TEST(ConnectionDeadlines, DribblingRequestIsClosedAfterTheReadTimeout) {
  Scans scans(limits());
  // Connected at 0, sends a byte every second and never gets a reply.
  for (int now = 1; now <= 10; ++now) {
    EXPECT_THAT(scans.at(now, {{1, now - 0.5, 0}}), IsEmpty()) << "at " << now << " s";
  }
  std::vector<CloseReason> reasons;
  EXPECT_THAT(scans.at(11.5, {{1, 11, 0}}, &reasons), ElementsAre(1));
  EXPECT_THAT(reasons, ElementsAre(CloseReason::kReadTimeout));
}

TEST(ConnectionDeadlines, ReadTimeoutCountsFromTheRequestNotFromTheLastReply) {
  Scans scans(limits());
  // Idle keep-alive for 50 s after a reply at 0, then a new request starts arriving at 50.
  EXPECT_THAT(scans.at(49, {{1, 0, 0.001}}), IsEmpty());
  EXPECT_THAT(scans.at(51, {{1, 50.5, 0.001}}), IsEmpty());
  EXPECT_THAT(scans.at(60, {{1, 59.5, 0.001}}), IsEmpty());
  EXPECT_THAT(scans.at(61.5, {{1, 61, 0.001}}), ElementsAre(1));
}

TEST(ConnectionDeadlines, EachReplyStartsANewRequest) {
  Scans scans(limits());
  // A busy client: a request arriving at every scan, answered in between, for two minutes.
  for (int now = 1; now <= 120; ++now) {
    EXPECT_THAT(scans.at(now, {{1, now - 0.1, now - 1 + 0.01}}), IsEmpty()) << "at " << now;
  }
}

TEST(ConnectionDeadlines, SilentConnectionIsClosedAfterTheIdleTimeout) {
  Scans scans(limits());
  // Connected at 0 and never a byte: both times are the handshake's.
  EXPECT_THAT(scans.at(59, {{1, 0, 0}}), IsEmpty());
  std::vector<CloseReason> reasons;
  EXPECT_THAT(scans.at(61, {{1, 0, 0}}, &reasons), ElementsAre(1));
  EXPECT_THAT(reasons, ElementsAre(CloseReason::kIdle));
}

TEST(ConnectionDeadlines, IdleCountsFromTheLastTrafficEitherWay) {
  Scans scans(limits());
  // A reply still being written to a slow reader at 50 s is traffic.
  EXPECT_THAT(scans.at(100, {{1, 0, 50}}), IsEmpty());
  EXPECT_THAT(scans.at(111, {{1, 0, 50}}), ElementsAre(1));
}

TEST(ConnectionDeadlines, ForgetsClosedConnections) {
  Scans scans(limits());
  EXPECT_THAT(scans.at(5, {{1, 4.5, 0}}), IsEmpty());
  EXPECT_THAT(scans.at(6, {}), IsEmpty());
  // The same id again (a reused inode) is a new connection, made at 11.
  EXPECT_THAT(scans.at(12, {{1, 11.5, 11}}), IsEmpty());
}

TEST(ConnectionDeadlines, NewConnectionsOverTheLimitAreRankedByWhenTheyConnected) {
  Scans scans(limits(2));
  // Three connections made since the last scan, each sending a request that is still arriving:
  // the one made first goes, whatever the order of the samples.
  EXPECT_THAT(scans.at(1, {{7, 0.95, 0.9}, {8, 0.95, 0.2}, {9, 0.95, 0.5}}), ElementsAre(8));
}

TEST(ConnectionDeadlines, OverTheLimitTheLongestStalledGoFirst) {
  Scans scans(limits(2));
  // 1 and 2: requests in progress since the first scan; 3: idle since 1 s; 4: idle since 0.5 s.
  EXPECT_THAT(scans.at(1, {{1, 0.9, 0}, {2, 0.9, 0}}), IsEmpty());
  std::vector<CloseReason> reasons;
  EXPECT_THAT(scans.at(2, {{1, 1.9, 0}, {2, 1.9, 0}, {3, 1, 1}, {4, 1.5, 1.5}}, &reasons),
              UnorderedElementsAre(1, 2));
  EXPECT_THAT(reasons, ElementsAre(CloseReason::kOverLimit, CloseReason::kOverLimit));
}

TEST(ConnectionDeadlines, TimedOutConnectionsCountTowardsTheLimitFirst) {
  Scans scans(limits(1));
  EXPECT_THAT(scans.at(1, {{1, 0, 0}, {2, 1, 1}}), ElementsAre(1));  // over the limit by one
  // 1 is gone; 2 alone is within the limit.
  EXPECT_THAT(scans.at(2, {{2, 1, 1}}), IsEmpty());
  // Idle for the timeout: closed as idle, and nothing more for the limit.
  std::vector<CloseReason> reasons;
  EXPECT_THAT(scans.at(62, {{2, 1, 1}, {3, 61.9, 61.9}}, &reasons), ElementsAre(2));
  EXPECT_THAT(reasons, ElementsAre(CloseReason::kIdle));
}

}  // namespace
}  // namespace epc
