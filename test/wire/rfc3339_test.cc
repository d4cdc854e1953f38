// RFC 3339 times as the API server writes metadata.creationTimestamp, and as Go's time.Parse
// (time.RFC3339) also accepts them: fractions, offsets, a lowercase t; every other text refused
// with the text echoed.
#include "scheduler/wire/rfc3339.h"

#include <gtest/gtest.h>

#include <string>

namespace epc {
namespace {

int64_t parsed(const std::string& text) {
  const Result<int64_t> seconds = parse_rfc3339(text);
  EXPECT_TRUE(seconds.ok()) << text << ": " << seconds.error().message;
  return seconds.ok() ? *seconds : -1;
}

std::string error_of(const std::string& text) {
  const Result<int64_t> seconds = parse_rfc3339(text);
  return seconds.ok() ? "(parsed)" : seconds.error().message;
}

TEST(Rfc3339, ReadsWhatTheApiServerWrites) {
  EXPECT_EQ(parsed("1970-01-01T00:00:00Z"), 0);
  // `date -u -d 2026-12-06T14:13:18Z +%s`
  EXPECT_EQ(parsed("2026-12-06T14:13:18Z"), 1796566398);
  EXPECT_EQ(parsed("2000-02-29T23:59:59Z"), 951868799);  // a leap day
}

TEST(Rfc3339, TakesFractionsOffsetsAndLowercaseAsGoDoes) {
  EXPECT_EQ(parsed("2026-12-06T14:13:18.999999Z"), 1796566398);
  EXPECT_EQ(parsed("2026-12-06T15:13:18+01:00"), 1796566398);
  EXPECT_EQ(parsed("2026-12-06T09:43:18-04:30"), 1796566398);
  EXPECT_EQ(parsed("2026-12-06t14:13:18z"), 1796566398);
  EXPECT_EQ(parsed("1969-12-31T23:59:59Z"), -1);
}

TEST(Rfc3339, RefusesAnythingElseAndSaysWhy) {
  EXPECT_EQ(error_of(""), R"(invalid RFC 3339 time "": expected a date YYYY-MM-DD)");
  EXPECT_EQ(error_of("2026-12-06"),
            R"(invalid RFC 3339 time "2026-12-06": expected a time THH:MM:SS after the date)");
  EXPECT_EQ(
      error_of("2026-12-06T14:13:18"),
      R"(invalid RFC 3339 time "2026-12-06T14:13:18": expected Z or a UTC offset after the time)");
  EXPECT_EQ(error_of("2026-02-30T00:00:00Z"),
            R"(invalid RFC 3339 time "2026-02-30T00:00:00Z": no such date)");
  EXPECT_EQ(error_of("2026-12-06T24:00:00Z"),
            R"(invalid RFC 3339 time "2026-12-06T24:00:00Z": no such time of day)");
  EXPECT_EQ(
      error_of("2026-12-06T14:13:18.Z"),
      R"(invalid RFC 3339 time "2026-12-06T14:13:18.Z": expected digits after the decimal point)");
  EXPECT_EQ(error_of("2026-12-06T14:13:18+0100"),
            R"(invalid RFC 3339 time "2026-12-06T14:13:18+0100": expected a UTC offset +HH:MM)");
  EXPECT_EQ(error_of("2026-12-06T14:13:18Z "),
            R"(invalid RFC 3339 time "2026-12-06T14:13:18Z ": unexpected text after the time)");
  EXPECT_EQ(error_of("yesterday"),
            R"(invalid RFC 3339 time "yesterday": expected a date YYYY-MM-DD)");
}

}  // namespace
}  // namespace epc
