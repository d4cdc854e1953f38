// LeaderLease against the fake API server with injected clocks, and the decision (lease_step) on
// its own: one replica creates and holds the Lease, another stands by naming it, takes over only
// after the holder's term passes without a renewal on the standby's own clock, at once after a
// release, and never when it loses a race.
// gtest first: cpprestsdk defines a macro U that breaks gtest's templates when included before.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/kube/leader_lease.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "fake_api_client.h"
#include "kube_test_support.h"

namespace epc {
namespace {

using std::chrono::seconds;
using std::chrono::steady_clock;
using test::FakeApiServer;
using ::testing::HasSubstr;

const steady_clock::time_point kT0 = steady_clock::time_point() + std::chrono::hours(1);

TEST(LeaseStep, CreatesWhenThereIsNoLease) {
  EXPECT_EQ(lease_step(std::nullopt, "a", kT0, kT0, seconds(60)), LeaseStep::kCreate);
}

TEST(LeaseStep, RenewsItsOwnEvenWhenLate) {
  const LeaseRecord mine{"a", 60, "", "", 3};
  EXPECT_EQ(lease_step(mine, "a", kT0, kT0 + seconds(600), seconds(60)), LeaseStep::kRenew);
}

TEST(LeaseStep, TakesAFreeLeaseAtOnce) {
  const LeaseRecord released{"", 1, "", "", 3};
  EXPECT_EQ(lease_step(released, "b", kT0, kT0, seconds(60)), LeaseStep::kTakeOver);
}

TEST(LeaseStep, StandsByUntilTheRecordsTermPassesOnItsOwnClock) {
  const LeaseRecord theirs{"a", 30, "", "", 0};
  EXPECT_EQ(lease_step(theirs, "b", kT0, kT0 + seconds(29), seconds(60)), LeaseStep::kStandby);
  // The record's 30 s, not our 60 s, as client-go's isLeaseValid.
  EXPECT_EQ(lease_step(theirs, "b", kT0, kT0 + seconds(30), seconds(60)), LeaseStep::kTakeOver);
}

TEST(LeaseStep, ARecordWithoutATermGetsOurs) {
  const LeaseRecord odd{"a", 0, "", "", 0};
  EXPECT_EQ(lease_step(odd, "b", kT0, kT0 + seconds(59), seconds(60)), LeaseStep::kStandby);
  EXPECT_EQ(lease_step(odd, "b", kT0, kT0 + seconds(60), seconds(60)), LeaseStep::kTakeOver);
}

class LeaderLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    client_ = test::fake_api_client(server_);
    ASSERT_NE(client_, nullptr);
    a_ = std::make_unique<LeaderLease>(*client_, options("a"));
    b_ = std::make_unique<LeaderLease>(*client_, options("b"));
  }

  LeaseOptions options(const std::string& identity) {
    LeaseOptions options;
    options.lease_namespace = "kube-system";
    options.identity = identity;
    options.clock = [this] { return now_; };
    return options;
  }

  // acquire_or_renew that must not fail.
  LeaseHold acquire(LeaderLease& lease) {
    Result<LeaseHold> hold = lease.acquire_or_renew();
    EXPECT_TRUE(hold) << hold.error().message;
    return hold ? *hold : LeaseHold{false, "(error)"};
  }

  nlohmann::json lease_spec() const {
    const nlohmann::json state = server_.control_get("state");
    for (const auto& item : state["objects"]) {
      if (item["kind"] == "Lease") return item["spec"];
    }
    return nullptr;
  }

  FakeApiServer server_;
  std::unique_ptr<ApiClient> client_;
  steady_clock::time_point now_ = kT0;
  std::unique_ptr<LeaderLease> a_;
  std::unique_ptr<LeaderLease> b_;
};

TEST_F(LeaderLeaseTest, TheFirstCreatesAndHoldsTheSecondStandsBy) {
  const LeaseHold a = acquire(*a_);
  EXPECT_TRUE(a.held);
  EXPECT_EQ(a.holder, "a");
  EXPECT_TRUE(a_->holds_now());
  const nlohmann::json spec = lease_spec();
  EXPECT_EQ(spec["holderIdentity"], "a");
  EXPECT_EQ(spec["leaseDurationSeconds"], 60);
  EXPECT_EQ(spec["leaseTransitions"], 0);
  EXPECT_EQ(spec["acquireTime"], spec["renewTime"]);
  EXPECT_EQ(spec["renewTime"].get<std::string>().size(), 27u);  // 2026-12-06T14:13:18.123456Z

  const LeaseHold b = acquire(*b_);
  EXPECT_FALSE(b.held);
  EXPECT_EQ(b.holder, "a");
  EXPECT_FALSE(b_->holds_now());
}

TEST_F(LeaderLeaseTest, TheStandbyTakesOverOnlyAfterAFullTermWithoutRenewal) {
  ASSERT_TRUE(acquire(*a_).held);
  ASSERT_FALSE(acquire(*b_).held);  // b first sees a's record now
  now_ += seconds(59);
  EXPECT_FALSE(acquire(*b_).held);
  EXPECT_TRUE(a_->holds_now());
  now_ += seconds(2);
  EXPECT_FALSE(a_->holds_now());  // a may no longer act, by its own clock
  const LeaseHold b = acquire(*b_);
  EXPECT_TRUE(b.held);
  EXPECT_EQ(b.holder, "b");
  EXPECT_EQ(lease_spec()["holderIdentity"], "b");
  EXPECT_EQ(lease_spec()["leaseTransitions"], 1);
  const LeaseHold a = acquire(*a_);
  EXPECT_FALSE(a.held);
  EXPECT_EQ(a.holder, "b");
}

TEST_F(LeaderLeaseTest, RenewingKeepsTheStandbyOut) {
  ASSERT_TRUE(acquire(*a_).held);
  ASSERT_FALSE(acquire(*b_).held);
  const std::string acquired = lease_spec()["acquireTime"];
  now_ += seconds(40);
  ASSERT_TRUE(acquire(*a_).held);
  EXPECT_EQ(lease_spec()["acquireTime"], acquired);  // a renewal keeps acquireTime
  EXPECT_NE(lease_spec()["renewTime"], acquired);
  now_ += seconds(40);  // 80 s after b first looked, 40 s after the renewal
  const LeaseHold b = acquire(*b_);
  EXPECT_FALSE(b.held);
  EXPECT_EQ(b.holder, "a");
  EXPECT_EQ(lease_spec()["leaseTransitions"], 0);
  EXPECT_TRUE(a_->holds_now());
}

TEST_F(LeaderLeaseTest, ReleaseLetsTheStandbyInAtOnce) {
  ASSERT_TRUE(acquire(*a_).held);
  ASSERT_FALSE(acquire(*b_).held);
  a_->release();
  EXPECT_FALSE(a_->holds_now());
  EXPECT_EQ(lease_spec()["holderIdentity"], "");
  const LeaseHold b = acquire(*b_);  // no time has passed
  EXPECT_TRUE(b.held);
  EXPECT_EQ(lease_spec()["holderIdentity"], "b");
  EXPECT_EQ(lease_spec()["leaseTransitions"], 1);
}

TEST_F(LeaderLeaseTest, ReleasingALeaseNotHeldSendsNothing) {
  ASSERT_TRUE(acquire(*a_).held);
  server_.control_post("requests/clear", nlohmann::json::object());
  b_->release();
  EXPECT_TRUE(server_.requests().empty());
  EXPECT_EQ(lease_spec()["holderIdentity"], "a");
}

TEST_F(LeaderLeaseTest, LosingTheRaceForAnExpiredLeaseIsNotHeld) {
  ASSERT_TRUE(acquire(*a_).held);
  ASSERT_FALSE(acquire(*b_).held);
  now_ += seconds(61);
  // Another writer (a's late renewal, a third replica) stores the Lease between b's read and
  // b's update: the update's resourceVersion is stale, 409.
  server_.set_faults({{"touch_before_write", {{"count", 1}, {"resource", "leases"}}}});
  server_.control_post("requests/clear", nlohmann::json::object());
  const LeaseHold b = acquire(*b_);
  EXPECT_FALSE(b.held);
  EXPECT_FALSE(b_->holds_now());
  const nlohmann::json requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1]["method"], "PUT");
  EXPECT_EQ(requests[1]["status"], 409);
  EXPECT_EQ(lease_spec()["holderIdentity"], "a");
}

TEST_F(LeaderLeaseTest, AnApiErrorIsAnErrorNotAHold) {
  server_.set_faults({{"down", "503"}});
  Result<LeaseHold> hold = a_->acquire_or_renew();
  ASSERT_FALSE(hold);
  EXPECT_THAT(hold.error().message,
              HasSubstr("reading lease kube-system/epc-extender-consolidation: HTTP 503"));
  EXPECT_FALSE(a_->holds_now());
}

TEST_F(LeaderLeaseTest, OptionsWithoutAnIdentityAreAnError) {
  LeaseOptions nameless = options("");
  LeaderLease lease(*client_, nameless);
  Result<LeaseHold> hold = lease.acquire_or_renew();
  ASSERT_FALSE(hold);
  EXPECT_THAT(hold.error().message, HasSubstr("identity"));
  EXPECT_TRUE(server_.requests().empty());
}

}  // namespace
}  // namespace epc
