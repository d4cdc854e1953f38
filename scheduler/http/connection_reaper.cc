#include "scheduler/http/connection_reaper.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/tcp.h>  // struct tcp_info with the byte counts (glibc's lacks them)
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace epc {
namespace {

struct OpenConnection {
  int fd = -1;
  ConnectionSample sample;
};

// The socket's inode, from the /proc/self/fd link "socket:[12345]"; none for other files.
std::optional<uint64_t> socket_inode(int fd) {
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  std::array<char, 64> target{};
  const ssize_t length = ::readlink(link.c_str(), target.data(), target.size() - 1);
  const std::string_view text(target.data(), length > 0 ? static_cast<size_t>(length) : 0);
  constexpr std::string_view kPrefix = "socket:[";
  if (!text.starts_with(kPrefix) || !text.ends_with("]")) return std::nullopt;
  uint64_t inode = 0;
  const std::string_view digits = text.substr(kPrefix.size(), text.size() - kPrefix.size() - 1);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), inode);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return inode;
}

int local_port(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return -1;
}

// An accepted connection: a connected TCP socket whose local port is the listener's (outgoing
// connections, to the API server say, have ephemeral local ports; the listener has no peer).
bool accepted_on(int fd, int port) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) return false;
  if (local_port(address) != port) return false;
  sockaddr_storage peer{};
  size = sizeof peer;
  return ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &size) == 0;
}

// Linux's TCP states (include/net/tcp_states.h), which no user-space header names.
constexpr uint8_t kTcpEstablished = 1;
constexpr uint8_t kTcpCloseWait = 8;

std::optional<ConnectionSample> sample_of(int fd, uint64_t inode) {
  tcp_info info{};
  socklen_t size = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return std::nullopt;
  if (info.tcpi_state != kTcpEstablished && info.tcpi_state != kTcpCloseWait) return std::nullopt;
  ConnectionSample sample{inode, std::chrono::milliseconds(info.tcpi_last_data_recv),
                          std::chrono::milliseconds(info.tcpi_last_data_sent)};
  // Kernels before 4.1 return a shorter struct without the byte counts.
  if (size >= offsetof(tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received) {
    sample.received_any = info.tcpi_bytes_received > 0;
    sample.sent_any = info.tcpi_bytes_acked > 0;
  }
  return sample;
}

std::vector<OpenConnection> open_connections(int port) {
  std::vector<OpenConnection> open;
  std::unique_ptr<DIR, int (*)(DIR*)> directory(::opendir("/proc/self/fd"), ::closedir);
  if (!directory) return open;
  const int own = ::dirfd(directory.get());
  while (const dirent* entry = ::readdir(directory.get())) {
    int fd = -1;
    const std::string_view name(entry->d_name);
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc()) continue;
    if (fd == own) continue;
    const std::optional<uint64_t> inode = socket_inode(fd);
    if (!inode || !accepted_on(fd, port)) continue;
    if (std::optional<ConnectionSample> sample = sample_of(fd, *inode)) {
      open.push_back({fd, *sample});
    }
  }
  return open;
}

// The descriptor number may have been closed and reused since the scan: act on a duplicate, and
// only when it is still the same socket. shutdown() leaves the listener's descriptor open and its
// pending operations fail as if the peer had reset.
bool shut_down(const OpenConnection& connection) {
  const int copy = ::fcntl(connection.fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return false;
  struct stat status {};
  const bool same = ::fstat(copy, &status) == 0 && S_ISSOCK(status.st_mode) &&
                    static_cast<uint64_t>(status.st_ino) == connection.sample.id;
  const bool done = same && ::shutdown(copy, SHUT_RDWR) == 0;
  ::close(copy);
  return done;
}

}  // namespace

ConnectionReaper::ConnectionReaper(int port, ConnectionLimits limits, LogSink log)
    : port_(port),
      interval_(limits.check_interval),
      log_(std::move(log)),
      deadlines_(limits),
      thread_([this] { run(); }) {}

ConnectionReaper::~ConnectionReaper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

ConnectionCounts ConnectionReaper::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

void ConnectionReaper::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    scan();
    lock.lock();
  }
}

void ConnectionReaper::scan() {
  const std::vector<OpenConnection> open = open_connections(port_);
  std::vector<ConnectionSample> samples;
  std::unordered_map<uint64_t, const OpenConnection*> by_id;
  samples.reserve(open.size());
  for (const OpenConnection& connection : open) {
    samples.push_back(connection.sample);
    by_id.emplace(connection.sample.id, &connection);
  }
  ConnectionCounts closed;
  for (const ConnectionToClose& close :
       deadlines_.judge(samples, ConnectionDeadlines::Clock::now())) {
    if (shut_down(*by_id.at(close.id))) ++closed.closed[static_cast<size_t>(close.reason)];
  }
  std::lock_guard lock(mutex_);
  counts_.open = open.size();
  std::string reasons;
  for (const CloseReason reason :
       {CloseReason::kReadTimeout, CloseReason::kIdle, CloseReason::kOverLimit}) {
    const uint64_t count = closed.closed_for(reason);
    counts_.closed[static_cast<size_t>(reason)] += count;
    if (count == 0) continue;
    reasons += (reasons.empty() ? "" : ", ") + std::to_string(count) + " " +
               std::string(to_string(reason));
  }
  if (log_ && !reasons.empty()) {
    log_("closed connections (" + reasons + "); " + std::to_string(open.size()) + " were open");
  }
}

}  // namespace epc
