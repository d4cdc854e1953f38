// A Lease's resourceVersion and leader-election record as read, errors that name the path, the
// exact JSON written for a create and an update, and metav1.MicroTime's text.
#include "scheduler/wire/lease_object.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "scheduler/wire/extender_codec.h"

namespace epc {
namespace {

Result<LeaseObject> read(std::string json) {
  pad_body(json);
  return read_lease(json);
}

std::string error_of(std::string json) {
  const Result<LeaseObject> lease = read(std::move(json));
  return lease ? "(read)" : lease.error().message;
}

TEST(LeaseObject, ReadsTheRecordAsTheApiServerWritesIt) {
  const Result<LeaseObject> lease = read(R"({"kind":"Lease","apiVersion":"coordination.k8s.io/v1",
      "metadata":{"name":"l","namespace":"ns","resourceVersion":"815","uid":"u"},
      "spec":{"holderIdentity":"a","leaseDurationSeconds":60,
      "acquireTime":"2026-12-06T14:13:18.000000Z","renewTime":"2026-12-06T14:14:18.123456Z",
      "leaseTransitions":2}})");
  ASSERT_TRUE(lease) << lease.error().message;
  EXPECT_EQ(lease->resource_version, "815");
  EXPECT_EQ(lease->record, (LeaseRecord{"a", 60, "2026-12-06T14:13:18.000000Z",
                                        "2026-12-06T14:14:18.123456Z", 2}));
}

TEST(LeaseObject, AnEmptySpecIsAFreeRecord) {
  const Result<LeaseObject> lease = read(R"({"metadata":{"resourceVersion":"1"},"spec":{}})");
  ASSERT_TRUE(lease) << lease.error().message;
  EXPECT_EQ(lease->record, LeaseRecord{});
}

TEST(LeaseObject, BadInputNamesThePath) {
  EXPECT_EQ(
      error_of(R"({"metadata":{"resourceVersion":"1"},"spec":{"leaseDurationSeconds":"60"}})"),
      R"(spec.leaseDurationSeconds: expected an int32, got string "60")");
  EXPECT_EQ(error_of(R"({"metadata":{"resourceVersion":"1"},"spec":{"renewTime":"yesterday"}})")
                .rfind("spec.renewTime: invalid RFC 3339 time \"yesterday\"", 0),
            0u);
  EXPECT_EQ(error_of(R"({"spec":{}})"), "metadata.resourceVersion: missing");
}

TEST(LeaseObject, EncodesACreateWithoutResourceVersion) {
  EXPECT_EQ(encode_lease("ns", "l", "", {"a", 60, "T1", "T2", 0}),
            R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease",)"
            R"("metadata":{"name":"l","namespace":"ns"},)"
            R"("spec":{"holderIdentity":"a","leaseDurationSeconds":60,"acquireTime":"T1",)"
            R"("renewTime":"T2","leaseTransitions":0}})");
}

TEST(LeaseObject, EncodesAnUpdateWithItsResourceVersionAndLeavesEmptyTimesOut) {
  EXPECT_EQ(encode_lease("ns", "l", "99", {"", 1, "", "", 4}),
            R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease",)"
            R"("metadata":{"name":"l","namespace":"ns","resourceVersion":"99"},)"
            R"("spec":{"holderIdentity":"","leaseDurationSeconds":1,"leaseTransitions":4}})");
}

TEST(LeaseObject, MicroTimeIsUtcWithSixDigits) {
  using std::chrono::microseconds;
  using std::chrono::seconds;
  using std::chrono::system_clock;
  // `date -u -d @1796566398`: 2026-12-06T14:13:18Z
  EXPECT_EQ(format_micro_time(system_clock::time_point(seconds(1796566398) + microseconds(42))),
            "2026-12-06T14:13:18.000042Z");
  EXPECT_EQ(format_micro_time(system_clock::time_point(microseconds(-1))),
            "1969-12-31T23:59:59.999999Z");
}

}  // namespace
}  // namespace epc
