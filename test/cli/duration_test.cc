#include "scheduler/cli/duration.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace epc {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

milliseconds parsed(std::string_view text) {
  const Result<milliseconds> duration = parse_duration(text);
  EXPECT_TRUE(duration.ok()) << text << ": " << duration.error().message;
  return duration.ok() ? *duration : milliseconds(-1);
}

std::string error_of(std::string_view text) {
  const Result<milliseconds> duration = parse_duration(text);
  EXPECT_FALSE(duration.ok()) << text << " parsed as " << duration->count() << " ms";
  return duration.ok() ? "" : duration.error().message;
}

TEST(ParseDuration, ReadsGoSpellings) {
  EXPECT_EQ(parsed("0"), milliseconds(0));
  EXPECT_EQ(parsed("30s"), milliseconds(30'000));
  EXPECT_EQ(parsed("2m"), milliseconds(120'000));
  EXPECT_EQ(parsed("1h"), milliseconds(3'600'000));
  EXPECT_EQ(parsed("1m30s"), milliseconds(90'000));
  EXPECT_EQ(parsed("1h2m3s4ms"), milliseconds(3'723'004));
  EXPECT_EQ(parsed("250ms"), milliseconds(250));
  EXPECT_EQ(parsed("1.5s"), milliseconds(1'500));
  EXPECT_EQ(parsed(".5m"), milliseconds(30'000));
  EXPECT_EQ(parsed("0.0015s"), milliseconds(1));  // below a millisecond is dropped
  EXPECT_EQ(parsed("1.0000000000000000001s"), milliseconds(1'000));
}

TEST(ParseDuration, RejectsWithTheOffendingText) {
  EXPECT_THAT(error_of(""), HasSubstr("empty"));
  EXPECT_THAT(error_of("30"), HasSubstr("invalid duration \"30\": expected a unit"));
  EXPECT_THAT(error_of("s"), HasSubstr("expected a number"));
  EXPECT_THAT(error_of("-5s"), HasSubstr("expected a number"));
  EXPECT_THAT(error_of("5 s"), HasSubstr("expected a unit"));
  EXPECT_THAT(error_of("5d"), HasSubstr("expected a unit"));
  EXPECT_THAT(error_of("."), HasSubstr("expected a number"));
  EXPECT_THAT(error_of("9999999999999999h"), HasSubstr("too large"));
  EXPECT_THAT(error_of("999999999999999h"), HasSubstr("too large"));
}

TEST(FormatDuration, WritesWhatParseReadsBack) {
  for (const int64_t ms :
       {0L, 1L, 250L, 1'000L, 1'500L, 30'000L, 90'000L, 3'723'004L, 7'200'000L}) {
    const std::string text = format_duration(milliseconds(ms));
    EXPECT_EQ(parsed(text), milliseconds(ms)) << text;
  }
  EXPECT_EQ(format_duration(milliseconds(30'000)), "30s");
  EXPECT_EQ(format_duration(milliseconds(120'000)), "2m0s");
  EXPECT_EQ(format_duration(milliseconds(1'500)), "1.5s");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
}

}  // namespace
}  // namespace epc
