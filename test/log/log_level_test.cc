#include "scheduler/log/log_level.h"

#include <gtest/gtest.h>

namespace epc {
namespace {

TEST(LogLevel, ParsesEveryName) {
  for (const LogLevel level :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError}) {
    const Result<LogLevel> parsed = parse_log_level(to_string(level));
    ASSERT_TRUE(parsed.ok()) << to_string(level);
    EXPECT_EQ(*parsed, level);
  }
  EXPECT_LT(LogLevel::kDebug, LogLevel::kInfo);
  EXPECT_LT(LogLevel::kWarning, LogLevel::kError);
}

TEST(LogLevel, ErrorsListTheChoicesAndEchoTheValue) {
  EXPECT_EQ(parse_log_level("x").error().message,
            "must be one of debug, info, warning, error; got \"x\"");
  // Names are exact, as every other value of the command line.
  EXPECT_FALSE(parse_log_level("INFO").ok());
  EXPECT_FALSE(parse_log_level("warn").ok());
  EXPECT_EQ(parse_log_level("").error().message,
            "must be one of debug, info, warning, error; got \"\"");
}

TEST(LogFormat, ParsesBothNamesAndRejectsOthers) {
  EXPECT_EQ(*parse_log_format("json"), LogFormat::kJson);
  EXPECT_EQ(*parse_log_format("text"), LogFormat::kText);
  EXPECT_EQ(parse_log_format("klog").error().message, "must be one of json, text; got \"klog\"");
}

}  // namespace
}  // namespace epc
