// ConnectionReaper: enforces ConnectionLimits on the listener's connections from outside it.
//
// cpprestsdk's listener neither times out nor counts its connections, and exposes none of them. A
// thread owned by the server therefore looks, once a second, at this process's open TCP sockets
// whose local port is the listener's (the accepted connections), asks the kernel how long ago each
// last received and sent data (TCP_INFO), lets ConnectionDeadlines judge them, and shuts down the
// ones to close. It never closes a descriptor the listener owns: it shuts the connection down
// through a duplicate it has checked is the same socket, so the listener's pending read or write
// fails as if the client had gone, and the listener closes the connection itself. Linux only.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "scheduler/http/connection_deadlines.h"
#include "scheduler/log_sink.h"

namespace epc {

class ConnectionReaper {
 public:
  // Starts looking at the connections accepted on `port`.
  ConnectionReaper(int port, ConnectionLimits limits, LogSink log);
  ~ConnectionReaper();  // stops the thread
  ConnectionReaper(const ConnectionReaper&) = delete;
  ConnectionReaper& operator=(const ConnectionReaper&) = delete;

  ConnectionCounts counts() const;

 private:
  void run();
  void scan();

  const int port_;
  const std::chrono::milliseconds interval_;
  LogSink log_;
  ConnectionDeadlines deadlines_;  // the scanning thread's alone
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  ConnectionCounts counts_;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace epc
