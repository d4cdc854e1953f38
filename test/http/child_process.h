// ChildProcess: runs a program with its stdout and stderr piped back, for tests of the binary.
//
// Every wait is bounded, and the destructor kills and reaps a child that is still running, so a
// hung binary fails its test instead of hanging the suite or leaking a process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
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

  // Reads stdout until a line containing `needle` arrives; returns that line, or nullopt on
  // timeout or end of output. Everything read is also kept in stdout_text().
  std::optional<std::string> wait_for_line(std::string_view needle,
                                           std::chrono::milliseconds timeout);
  // The same for stderr, where `serve` logs (its "listening on" line among them); what is read is
  // kept in stderr_text(). Reading also keeps a chatty child from filling the pipe and blocking.
  std::optional<std::string> wait_for_stderr_line(std::string_view needle,
                                                  std::chrono::milliseconds timeout);
  // The exit code, or nullopt when the child did not exit normally within `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // After exit: the rest of the output.
  std::string stdout_text();
  std::string stderr_text();

 private:
  bool read_some(int fd, std::string& into, std::chrono::milliseconds timeout);
  std::optional<std::string> wait_for_line_in(int fd, std::string& text, std::string_view needle,
                                              std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  bool reaped_ = false;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::string stdout_;
  std::string stderr_;
};

}  // namespace epc::test
