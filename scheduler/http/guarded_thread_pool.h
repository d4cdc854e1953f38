// GuardedThreadPool: runs cpprestsdk's shared asio service on threads that survive an exception
// escaping one of the library's handlers.
//
// cpprestsdk 2.10.18's listener lets some exceptions out of its asio handlers: a chunked body whose
// chunk size is negative ("-2") makes it ask for a buffer of 2^64-2 bytes, and the std::bad_alloc
// leaves the handler. On the library's own pool threads that ends in std::terminate, so one small
// request from anyone who can reach the port would kill the process. asio allows run() to be
// called again after a handler threw, so the binary creates cpprestsdk's shared pool with no
// threads of its own and runs its service on these instead, logging and counting what escapes. The
// connection whose handler threw is abandoned by the library (its descriptor stays open until the
// listener closes; the ConnectionReaper still ends it for the client); the process lives on.
//
// Every connection, the listener's and the API client's alike, is served asynchronously by these
// threads; nothing the extender runs on them blocks (the startup wait parks on call_after). So
// they are sized to the CPUs the process can use, not to the number of connections: asio wakes an
// idle thread for every handler it queues, and with cpprestsdk's 40 threads those wake-ups and
// context switches were half of the extender's CPU (issue 16).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "model/result.h"
#include "scheduler/log_sink.h"

namespace epc {

class GuardedThreadPool {
 public:
  // Bounds of the default size: two, so that a long decode does not stall every other
  // connection; four at most, since kube-scheduler asks one pod at a time and the binds and watches
  // in between are small.
  static constexpr size_t kMinDefaultThreads = 2;
  static constexpr size_t kMaxDefaultThreads = 4;
  // The CPUs this machine has (std::thread::hardware_concurrency), within the bounds above.
  static size_t default_threads();

  // Takes over cpprestsdk's shared pool. It is created on first use, so this must run before
  // anything uses cpprestsdk; an error says so otherwise.
  static Result<std::unique_ptr<GuardedThreadPool>> start(size_t threads, LogSink log);

  ~GuardedThreadPool();  // stops the shared service and joins the threads
  GuardedThreadPool(const GuardedThreadPool&) = delete;
  GuardedThreadPool& operator=(const GuardedThreadPool&) = delete;

  // Exceptions caught from handlers so far.
  uint64_t escaped() const { return escaped_.load(); }

  // Runs `task` on one of the threads after `delay`, holding none meanwhile. A task still waiting
  // when the pool stops never runs.
  void call_after(std::chrono::milliseconds delay, std::function<void()> task) const;

 private:
  struct Passkey {};

 public:
  GuardedThreadPool(Passkey, size_t threads, LogSink log);

 private:
  void run();

  LogSink log_;
  std::atomic<uint64_t> escaped_ = 0;
  std::vector<std::thread> threads_;  // last: they start once the rest exists
};

}  // namespace epc
