// ConnectionDeadlines: decides which of the listener's open connections have overstayed.
//
// cpprestsdk's listener keeps a connection until its client closes it: it has no read timeout and
// no connection limit, so a client that dribbles its headers or body, or opens connections and
// says nothing, keeps a descriptor and a little memory forever. The listener offers no hook into
// its connections, but the kernel knows enough about each one: how long ago data last arrived and
// how long ago data was last sent. From a series of such samples this class tells a request in
// progress (data arrived after the last reply) from an idle connection, and names the ones to
// close: a request still arriving after the read timeout, a connection with no traffic either way
// for the idle timeout, and the longest-stalled ones beyond the connection limit. Pure: the caller
// samples the sockets and closes what it is told.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace epc {

struct ConnectionLimits {
  // A request (headers and body) must arrive within this. kube-scheduler gives up on an extender
  // call after its httpTimeout (5 s by default), so a request older than this has no waiting
  // caller.
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
  // Longer than Go's idle keep-alive (90 s), so kube-scheduler's client closes first and never
  // sends a request into a connection being closed.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(120)};
  size_t max_connections = 1000;  // 0: no limit
  // How often the connections are looked at: every deadline is met to within this.
  std::chrono::milliseconds check_interval{std::chrono::seconds(1)};
};

// What the kernel says of one connection (TCP_INFO's tcpi_last_data_recv / tcpi_last_data_sent).
struct ConnectionSample {
  uint64_t id = 0;  // stable for the connection's life (the socket's inode)
  std::chrono::milliseconds since_received{0};
  std::chrono::milliseconds since_sent{0};
  // Whether any data has moved each way yet (TCP_INFO's byte counts). The times above tick in
  // jiffies and both start at the handshake, so a request sent right after connecting can carry
  // the same time as the handshake: these tell it from a silent connection.
  bool received_any = false;
  bool sent_any = false;
};

enum class CloseReason { kReadTimeout, kIdle, kOverLimit };

// The metrics' label values.
constexpr std::string_view to_string(CloseReason reason) {
  switch (reason) {
    case CloseReason::kReadTimeout:
      return "read_timeout";
    case CloseReason::kIdle:
      return "idle";
    case CloseReason::kOverLimit:
      return "over_limit";
  }
  return "unknown";
}

// What a ConnectionReaper has seen and done, for the metrics.
struct ConnectionCounts {
  uint64_t open = 0;                 // at the last check
  std::array<uint64_t, 3> closed{};  // by CloseReason

  uint64_t closed_for(CloseReason reason) const { return closed[static_cast<size_t>(reason)]; }
};

struct ConnectionToClose {
  uint64_t id = 0;
  CloseReason reason = CloseReason::kIdle;
};

class ConnectionDeadlines {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ConnectionDeadlines(ConnectionLimits limits) : limits_(limits) {}

  // One scan: every open connection at `now`. Connections missing from `open` are forgotten.
  std::vector<ConnectionToClose> judge(const std::vector<ConnectionSample>& open,
                                       Clock::time_point now);

 private:
  struct Tracked {
    Clock::time_point replied_at;    // when data was last sent, as of the last sample
    Clock::time_point request_seen;  // first sample of the request in progress
    Clock::time_point quiet_since;   // last traffic either way
    bool in_request = false;
  };

  Tracked track(const ConnectionSample& sample, Clock::time_point now) const;
  void close_over_limit(std::vector<ConnectionToClose>& closing) const;

  ConnectionLimits limits_;
  std::unordered_map<uint64_t, Tracked> tracked_;
};

}  // namespace epc
