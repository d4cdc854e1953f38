// ChildProcess: runs a program with its stdout and stderr piped back, for tests of the binary.
//
// A reader thread drains both pipes for the child's whole life, whatever the test is doing: a
// child whose pipe filled up would block in write(2) inside a log call, and so stop answering
// requests while the test waits on it (`serve --log-level=debug` writes a line per request). Every
// wait is bounded, and the destructor kills and reaps a child that is still running, so a hung
// binary fails its test instead of hanging the suite or leaking a process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace epc::test {

class ChildProcess {
 public:
  // `argv[0]` is the program's path. Check started().
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  void send_signal(int signal) const;

  // Waits until stdout has a line containing `needle`; returns that line, or nullopt on timeout
  // or end of output. Only lines after the one the last successful wait returned count, so a
  // sequence of waits follows the output in order and an earlier line cannot satisfy a later
  // wait.
  std::optional<std::string> wait_for_line(std::string_view needle,
                                           std::chrono::milliseconds timeout);
  // The same for stderr, where `serve` logs (its "listening on" line among them).
  std::optional<std::string> wait_for_stderr_line(std::string_view needle,
                                                  std::chrono::milliseconds timeout);
  // The exit code, or nullopt when the child did not exit normally within `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // Everything the child wrote so far: after its exit, all of it; while it runs, up to a
  // moment of quiet (a line logged just after a reply is then included).
  std::string stdout_text();
  std::string stderr_text();

 private:
  struct Stream {
    int fd = -1;
    std::string text;
    bool ended = false;
    size_t matched_up_to = 0;  // where the line after the last one a wait returned begins
  };

  void read_until_end(std::stop_token stop);
  std::optional<std::string> wait_for_line_in(Stream& stream, std::string_view needle,
                                              std::chrono::milliseconds timeout);
  std::string text_of(Stream& stream);

  pid_t pid_ = -1;
  bool reaped_ = false;
  std::mutex mutex_;
  std::condition_variable_any changed_;
  Stream stdout_;
  Stream stderr_;
  std::jthread reader_;  // last: it stops and joins before the streams go
};

}  // namespace epc::test
