// The Logger's two line formats, their escaping, level filtering and the LogSink adapters.
#include "scheduler/log/logger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "log_test_support.h"

namespace epc {
namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

// The one line written, parsed; fails the test unless there is exactly one valid JSON line.
Json only_json_line(const test::CapturedLog& log) {
  const std::vector<std::string> lines = log.lines();
  EXPECT_EQ(lines.size(), 1u);
  if (lines.size() != 1) return nullptr;
  EXPECT_THAT(lines[0], EndsWith("\n"));
  EXPECT_EQ(lines[0].find('\n'), lines[0].size() - 1) << "one line: " << lines[0];
  Json parsed = Json::parse(lines[0], nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(parsed.is_discarded()) << lines[0];
  return parsed;
}

TEST(JsonLines, CarryTheCommonKeysThenTheFieldsWithTheirTypes) {
  test::CapturedLog log;
  const std::string pod = "default/p1";
  log.logger(LogLevel::kInfo)
      .log(LogLevel::kWarning, "reflector", "watch restarted",
           {{"pod", pod},
            {"count", 3},
            {"delta", -7},
            {"big", std::numeric_limits<uint64_t>::max()},
            {"ratio", 0.25},
            {"ready", true},
            {"literal", "text"}});
  const Json line = only_json_line(log);
  EXPECT_EQ(line, Json({{"ts", "2026-11-28T22:33:01.123456Z"},
                        {"level", "warning"},
                        {"component", "reflector"},
                        {"msg", "watch restarted"},
                        {"pod", "default/p1"},
                        {"count", 3},
                        {"delta", -7},
                        {"big", std::numeric_limits<uint64_t>::max()},
                        {"ratio", 0.25},
                        {"ready", true},
                        {"literal", "text"}}));
  // Key order as written: the common keys first.
  EXPECT_THAT(log.lines()[0],
              ::testing::StartsWith(R"({"ts":"2026-11-28T22:33:01.123456Z","level":"warning",)"
                                    R"("component":"reflector","msg":"watch restarted","pod":)"));
}

TEST(JsonLines, EscapeQuotesBackslashesAndControlCharacters) {
  test::CapturedLog log;
  const std::string nasty = std::string("say \"hi\"\\ \n\r\t\b\f") + '\x01' + '\x1f' + '\x7f' +
                            std::string(1, '\0') + "end";
  log.logger(LogLevel::kDebug).log(LogLevel::kInfo, "c", nasty, {{"key\"\n", nasty}});
  const Json line = only_json_line(log);
  EXPECT_EQ(line.value("msg", ""), nasty);
  EXPECT_EQ(line.value("key\"\n", ""), nasty);
  EXPECT_THAT(log.lines()[0], HasSubstr(R"(\u0001\u001f\u007f\u0000end)"));
}

TEST(JsonLines, KeepValidUtf8AndReplaceInvalidBytes) {
  test::CapturedLog log;
  const std::string valid = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";  // café € 😀
  const std::string invalid = std::string("a\xFF") + "b\xC0\xAF" + "c\xED\xA0\x80" +  // overlong,
                              "d\xF4\x90\x80\x80" + "e\xE2\x82";  // surrogate, >U+10FFFF, cut off
  log.logger(LogLevel::kInfo).log(LogLevel::kInfo, "c", valid, {{"bad", invalid}});
  const Json line = only_json_line(log);
  EXPECT_EQ(line.value("msg", ""), valid);
  // Each byte that does not start or continue a well-formed sequence becomes one U+FFFD.
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(line.value("bad", ""),
            "a" + r + "b" + r + r + "c" + r + r + r + "d" + r + r + r + r + "e" + r + r);
}

TEST(JsonLines, NonFiniteNumbersAreNull) {
  test::CapturedLog log;
  log.logger(LogLevel::kInfo)
      .log(LogLevel::kInfo, "c", "m",
           {{"nan", std::nan("")}, {"inf", std::numeric_limits<double>::infinity()}});
  const Json line = only_json_line(log);
  EXPECT_TRUE(line["nan"].is_null());
  EXPECT_TRUE(line["inf"].is_null());
}

TEST(Levels, LinesBelowTheLoggersLevelAreDropped) {
  test::CapturedLog log;
  const Logger logger = log.logger(LogLevel::kWarning);
  EXPECT_FALSE(logger.enabled(LogLevel::kDebug));
  EXPECT_FALSE(logger.enabled(LogLevel::kInfo));
  EXPECT_TRUE(logger.enabled(LogLevel::kWarning));
  EXPECT_TRUE(logger.enabled(LogLevel::kError));
  for (const LogLevel level :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError}) {
    logger.log(level, "c", std::string(to_string(level)));
  }
  std::vector<std::string> levels;
  for (const std::string& line : log.lines()) levels.push_back(Json::parse(line)["level"]);
  EXPECT_THAT(levels, ElementsAre("warning", "error"));
}

TEST(Levels, ADefaultLoggerIsInfo) {
  EXPECT_EQ(Logger().level(), LogLevel::kInfo);
  EXPECT_FALSE(Logger().enabled(LogLevel::kDebug));
}

TEST(TextLines, HaveKlogsHeaderThenTheQuotedMessageAndFields) {
  test::CapturedLog log;
  log.logger(LogLevel::kInfo, LogFormat::kText)
      .log(LogLevel::kInfo, "reflector", "listed 3 nodes",
           {{"resource", "nodes"}, {"count", 3}, {"ready", false}, {"seconds", 1.5}});
  ASSERT_EQ(log.lines().size(), 1u);
  char pid[16];
  std::snprintf(pid, sizeof(pid), "%7d", static_cast<int>(::getpid()));
  EXPECT_EQ(log.lines()[0], "I1128 22:33:01.123456 " + std::string(pid) +
                                " reflector] \"listed 3 nodes\" resource=\"nodes\" count=3 "
                                "ready=false seconds=1.5\n");
}

TEST(TextLines, UseOneLetterPerLevel) {
  test::CapturedLog log;
  const Logger logger = log.logger(LogLevel::kDebug, LogFormat::kText);
  for (const LogLevel level :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError}) {
    logger.log(level, "c", "m");
  }
  std::string letters;
  for (const std::string& line : log.lines()) letters += line.front();
  EXPECT_EQ(letters, "DIWE");
}

TEST(TextLines, EscapeLikeGoAndStayOnOneLine) {
  test::CapturedLog log;
  log.logger(LogLevel::kInfo, LogFormat::kText)
      .log(LogLevel::kError, "odd component", std::string("a\"b\\c\nd") + '\x01' + "\xFF",
           {{"bad key", "x\ty"}});
  ASSERT_EQ(log.lines().size(), 1u);
  const std::string line = log.lines()[0];
  EXPECT_THAT(line, HasSubstr(" odd_component] \"a\\\"b\\\\c\\nd\\x01\xEF\xBF\xBD\" "
                              "bad_key=\"x\\ty\"\n"));
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(Secrets, AreScrubbedFromMessagesAndFields) {
  test::CapturedLog log;
  log.logger(LogLevel::kInfo)
      .log(LogLevel::kWarning, "kube", "echo: Authorization: Bearer opaque-token-123",
           {{"body", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----"}});
  ASSERT_EQ(log.lines().size(), 1u);
  EXPECT_THAT(log.lines()[0], Not(HasSubstr("opaque-token-123")));
  EXPECT_THAT(log.lines()[0], Not(HasSubstr("MHcCAQEE")));
  EXPECT_THAT(log.lines()[0], HasSubstr("Bearer [REDACTED]"));
}

TEST(Sinks, AdaptALogSinkWithAFixedLevel) {
  test::CapturedLog log;
  const LogSink sink = log.logger(LogLevel::kInfo).sink(LogLevel::kWarning, "reflector");
  sink("pods: watch failed; retrying in 200ms");
  const Json line = only_json_line(log);
  EXPECT_EQ(line["level"], "warning");
  EXPECT_EQ(line["component"], "reflector");
  EXPECT_EQ(line["msg"], "pods: watch failed; retrying in 200ms");

  test::CapturedLog quiet;
  quiet.logger(LogLevel::kError).sink(LogLevel::kWarning, "reflector")("dropped");
  EXPECT_TRUE(quiet.lines().empty());
}

TEST(Sinks, AdaptALogSinkWhoseLinesHaveDifferentLevels) {
  test::CapturedLog log;
  const LogSink sink = log.logger(LogLevel::kInfo).sink("http", [](std::string_view line) {
    return line.starts_with("bad") ? LogLevel::kError : LogLevel::kDebug;
  });
  sink("fine");
  sink("bad news");
  const Json line = only_json_line(log);
  EXPECT_EQ(line["level"], "error");
  EXPECT_EQ(line["msg"], "bad news");
}

TEST(Writer, GetsEachLineWholeFromConcurrentThreads) {
  test::CapturedLog log;
  const Logger logger = log.logger(LogLevel::kInfo);
  constexpr int kThreads = 8;
  constexpr int kLines = 200;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([logger, t] {
        for (int i = 0; i < kLines; ++i) {
          logger.log(LogLevel::kInfo, "c", "line\nwith a newline", {{"t", t}, {"i", i}});
        }
      });
    }
  }
  const std::vector<std::string> lines = log.lines();
  ASSERT_EQ(lines.size(), size_t{kThreads * kLines});
  for (const std::string& line : lines) {
    ASSERT_EQ(line.find('\n'), line.size() - 1) << line;
    ASSERT_FALSE(Json::parse(line, nullptr, false).is_discarded()) << line;
  }
}

TEST(Writer, AFailingWriterDoesNotReachTheCaller) {
  const Logger logger({.writer = [](std::string_view) { throw std::runtime_error("disk full"); }});
  EXPECT_NO_THROW(logger.log(LogLevel::kError, "c", "m"));
  EXPECT_NO_THROW(logger.sink(LogLevel::kError, "c")("m"));
}

TEST(Writer, StderrWriterWritesTheLineAsGiven) {
  // Redirect stderr into a pipe for the duration of one write.
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const int saved = ::dup(STDERR_FILENO);
  ASSERT_GE(saved, 0);
  ::dup2(pipe_fds[1], STDERR_FILENO);
  const Logger logger({.level = LogLevel::kInfo, .format = LogFormat::kJson});
  logger.log(LogLevel::kInfo, "c", "to stderr");
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(pipe_fds[1]);
  std::string written;
  char buffer[512];
  for (ssize_t got; (got = ::read(pipe_fds[0], buffer, sizeof(buffer))) > 0;) {
    written.append(buffer, static_cast<size_t>(got));
  }
  ::close(pipe_fds[0]);
  const Json line = Json::parse(written, nullptr, false);
  ASSERT_FALSE(line.is_discarded()) << written;
  EXPECT_EQ(line["msg"], "to stderr");
  EXPECT_THAT(written, EndsWith("}\n"));
}

}  // namespace
}  // namespace epc
