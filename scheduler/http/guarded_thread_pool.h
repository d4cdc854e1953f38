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
// they are sized to the work, not to the number of connections: asio wakes an idle thread for
// every handler it queues, and with cpprestsdk's 40 threads those wake-ups and context switches
// were half of the extender's CPU (issue 16). The default is one (see kDefaultThreads).
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
  // One thread by default. kube-scheduler asks one pod at a time, and every handler on the pool is
  // asynchronous and short, so a second thread rarely finds work of its own: it mostly takes over
  // the event loop while the first runs a handler, and each such hand-over is a futex wake and a
  // context switch. Measured end to end (bench/e2e.py, docs/benchmarks.md) one thread spends 22–31%
  // less CPU per scheduled pod than two. More threads (`--threads`) help only where one
  // long handler would hold up the others: full Node objects in requests (Nodes mode) at thousands
  // of nodes, where a decode takes tens of milliseconds.
  static constexpr size_t kDefaultThreads = 1;
  static size_t default_threads() { return kDefaultThreads; }

  // Takes over cpprestsdk's shared pool. It is created on first use, so this must run before
  // anything uses cpprestsdk; an error says so otherwise.
  static Result<std::unique_ptr<GuardedThreadPool>> start(size_t threads, LogSink log);

  ~GuardedThreadPool();  // stops the shared service and joins the threads
  GuardedThreadPool(const GuardedThreadPool&) = delete;
  GuardedThreadPool& operator=(const GuardedThreadPool&) = delete;

  // Exceptions caught from handlers so far.
  uint64_t escaped() const { return escaped_.load(); }

  // Starts one more thread, for shutdown. cpprestsdk's listener close() blocks the pool thread it
  // runs on until every connection has ended, and ending them takes handlers that only another pool
  // thread can run: with the default single thread, close() would wait forever. Call it from the
  // thread that owns the pool.
  void add_thread();

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
