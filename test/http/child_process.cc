#include "child_process.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

extern char** environ;

namespace epc::test {
namespace {

constexpr std::chrono::milliseconds kDrainTimeout{2000};

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
  int out[2];
  int err[2];
  if (::pipe(out) != 0) return;
  if (::pipe(err) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, err[0]);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) == 0) pid_ = pid;
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(err[1]);
  stdout_fd_ = out[0];
  stderr_fd_ = err[0];
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  if (stderr_fd_ >= 0) ::close(stderr_fd_);
}

void ChildProcess::send_signal(int signal) const {
  if (pid_ > 0 && !reaped_) ::kill(pid_, signal);
}

bool ChildProcess::read_some(int fd, std::string& into, std::chrono::milliseconds timeout) {
  pollfd ready{fd, POLLIN, 0};
  if (fd < 0 || ::poll(&ready, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char chunk[4096];
  const ssize_t got = ::read(fd, chunk, sizeof(chunk));
  if (got <= 0) return false;
  into.append(chunk, static_cast<size_t>(got));
  return true;
}

std::optional<std::string> ChildProcess::wait_for_line(std::string_view needle,
                                                       std::chrono::milliseconds timeout) {
  return wait_for_line_in(stdout_fd_, stdout_, needle, timeout);
}

std::optional<std::string> ChildProcess::wait_for_stderr_line(std::string_view needle,
                                                              std::chrono::milliseconds timeout) {
  return wait_for_line_in(stderr_fd_, stderr_, needle, timeout);
}

std::optional<std::string> ChildProcess::wait_for_line_in(int fd, std::string& text,
                                                          std::string_view needle,
                                                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t line_start = 0;
  while (true) {
    for (size_t end = text.find('\n', line_start); end != std::string::npos;
         end = text.find('\n', line_start)) {
      std::string line = text.substr(line_start, end - line_start);
      line_start = end + 1;
      if (line.find(needle) != std::string::npos) return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !read_some(fd, text, left)) return std::nullopt;
  }
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pid_ > 0 && !reaped_) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      if (!WIFEXITED(status)) return std::nullopt;
      return WEXITSTATUS(status);
    }
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

std::string ChildProcess::stdout_text() {
  while (read_some(stdout_fd_, stdout_, kDrainTimeout)) {
  }
  return stdout_;
}

std::string ChildProcess::stderr_text() {
  while (read_some(stderr_fd_, stderr_, kDrainTimeout)) {
  }
  return stderr_;
}

}  // namespace epc::test
