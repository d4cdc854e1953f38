// The test harness for the binary: a child that writes a lot to one stream must not block while a
// test waits on the other, and waits must follow the output in order.
#include "child_process.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace epc::test {
namespace {

using namespace std::chrono_literals;

ChildProcess shell(const std::string& script) {
  return ChildProcess({"/bin/sh", "-c", script});
}

// 1 MiB is sixteen times a Linux pipe's buffer: unread, the child would block on its stderr and
// never print "done".
TEST(ChildProcessTest, DrainsOneStreamWhileTheTestWaitsOnTheOther) {
  ChildProcess child = shell("head -c 1048576 /dev/zero | tr '\\0' x >&2; echo done");
  ASSERT_TRUE(child.started());
  EXPECT_EQ(child.wait_for_line("done", 30s), "done");
  EXPECT_EQ(child.wait_exit(30s), 0);
  EXPECT_EQ(child.stderr_text().size(), 1048576u);
}

TEST(ChildProcessTest, EachWaitStartsAfterTheLineTheLastOneReturned) {
  ChildProcess child = shell(
      "echo 'HTTP 500 in a bind' >&2; echo 'listening on' >&2; "
      "sleep 0.2; echo 'HTTP 500 from a list' >&2");
  ASSERT_TRUE(child.started());
  EXPECT_EQ(child.wait_for_stderr_line("listening on", 30s), "listening on");
  EXPECT_EQ(child.wait_for_stderr_line("HTTP 500", 30s), "HTTP 500 from a list");
  // Nothing after it: the end of the output ends the wait without a line.
  EXPECT_EQ(child.wait_for_stderr_line("HTTP 500", 30s), std::nullopt);
  EXPECT_EQ(child.wait_exit(30s), 0);
}

TEST(ChildProcessTest, AFailedWaitLeavesTheLinesForTheNextOne) {
  ChildProcess child = shell("echo first; sleep 0.5; echo second");
  ASSERT_TRUE(child.started());
  EXPECT_EQ(child.wait_for_line("second", 50ms), std::nullopt);
  EXPECT_EQ(child.wait_for_line("first", 30s), "first");
  EXPECT_EQ(child.wait_for_line("second", 30s), "second");
}

TEST(ChildProcessTest, TextWhileRunningIncludesWhatWasJustWritten) {
  ChildProcess child = shell("echo ready; sleep 0.05; echo 'logged after the reply' >&2; sleep 30");
  ASSERT_TRUE(child.started());
  ASSERT_TRUE(child.wait_for_line("ready", 30s));
  EXPECT_EQ(child.stderr_text(), "logged after the reply\n");
  // The destructor kills the sleeping child.
}

}  // namespace
}  // namespace epc::test
