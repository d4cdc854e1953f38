#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <thread>

extern char** environ;

namespace epc::test {
namespace {

// How long the output of an exited child may take to reach its end, and how long a running child
// may keep writing before its output so far is taken as it is.
constexpr std::chrono::milliseconds kDrainTimeout{5000};
// A running child that wrote nothing for this long has finished what it was writing.
constexpr std::chrono::milliseconds kQuiet{300};

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
  int out[2];
  int err[2];
  // Close-on-exec, so that no other child the test starts holds these pipes open; dup2 onto the
  // child's stdout and stderr clears the flag there.
  if (::pipe2(out, O_CLOEXEC) != 0) return;
  if (::pipe2(err, O_CLOEXEC) != 0) {
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
  stdout_.fd = out[0];
  stderr_.fd = err[0];
  reader_ = std::jthread([this](std::stop_token stop) { read_until_end(std::move(stop)); });
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (reader_.joinable()) {
    reader_.request_stop();
    reader_.join();
  }
  if (stdout_.fd >= 0) ::close(stdout_.fd);
  if (stderr_.fd >= 0) ::close(stderr_.fd);
}

void ChildProcess::send_signal(int signal) const {
  if (pid_ > 0 && !reaped_) ::kill(pid_, signal);
}

void ChildProcess::read_until_end(std::stop_token stop) {
  while (!stop.stop_requested()) {
    std::array<pollfd, 2> ready{};
    std::array<Stream*, 2> streams{};
    nfds_t count = 0;
    {
      std::lock_guard lock(mutex_);
      for (Stream* stream : {&stdout_, &stderr_}) {
        if (stream->ended) continue;
        ready[count] = {stream->fd, POLLIN, 0};
        streams[count++] = stream;
      }
    }
    if (count == 0) return;
    // Bounded, so that a stop request is seen even when a grandchild keeps a pipe open.
    if (::poll(ready.data(), count, 50) <= 0) continue;
    for (nfds_t i = 0; i < count; ++i) {
      if (ready[i].revents == 0) continue;
      char chunk[4096];
      const ssize_t got = ::read(ready[i].fd, chunk, sizeof(chunk));
      if (got < 0 && errno == EINTR) continue;
      std::lock_guard lock(mutex_);
      if (got > 0) {
        streams[i]->text.append(chunk, static_cast<size_t>(got));
      } else {
        streams[i]->ended = true;
      }
    }
    changed_.notify_all();
  }
}

std::optional<std::string> ChildProcess::wait_for_line(std::string_view needle,
                                                       std::chrono::milliseconds timeout) {
  return wait_for_line_in(stdout_, needle, timeout);
}

std::optional<std::string> ChildProcess::wait_for_stderr_line(std::string_view needle,
                                                              std::chrono::milliseconds timeout) {
  return wait_for_line_in(stderr_, needle, timeout);
}

std::optional<std::string> ChildProcess::wait_for_line_in(Stream& stream, std::string_view needle,
                                                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  size_t line_start = stream.matched_up_to;
  while (true) {
    for (size_t end = stream.text.find('\n', line_start); end != std::string::npos;
         end = stream.text.find('\n', line_start)) {
      std::string line = stream.text.substr(line_start, end - line_start);
      line_start = end + 1;
      if (line.find(needle) != std::string::npos) {
        stream.matched_up_to = line_start;
        return line;
      }
    }
    if (stream.ended) return std::nullopt;
    const size_t seen = stream.text.size();
    if (!changed_.wait_until(lock, deadline,
                             [&] { return stream.ended || stream.text.size() != seen; })) {
      return std::nullopt;
    }
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

std::string ChildProcess::text_of(Stream& stream) {
  std::unique_lock lock(mutex_);
  if (reaped_ || pid_ <= 0) {
    changed_.wait_for(lock, kDrainTimeout, [&] { return stream.ended; });
    return stream.text;
  }
  const auto deadline = std::chrono::steady_clock::now() + kDrainTimeout;
  while (!stream.ended && std::chrono::steady_clock::now() < deadline) {
    const size_t seen = stream.text.size();
    if (!changed_.wait_for(lock, kQuiet,
                           [&] { return stream.ended || stream.text.size() != seen; })) {
      break;
    }
  }
  return stream.text;
}

std::string ChildProcess::stdout_text() {
  return text_of(stdout_);
}

std::string ChildProcess::stderr_text() {
  return text_of(stderr_);
}

}  // namespace epc::test
