// SameThreadScheduler: runs a pplx continuation on the pool thread that made it ready, once that
// thread's current handler returns, instead of waking another thread for it.
//
// cpprestsdk's default pplx scheduler posts every continuation to its asio pool, and asio wakes an
// idle thread for every post, so a chain of continuations hops from thread to thread: a futex wake
// and a context switch at every step. asio's `defer` is `post` with a hint that the work continues
// the current handler: called on a pool thread it queues the work on that thread, which runs it as
// soon as its handler returns; called elsewhere it posts as before. The continuation stays
// asynchronous (never run inside the caller's stack, so no lock is re-entered and no stack grows).
//
// Only for continuations whose thread never then blocks on work it has deferred: that work waits
// until the handler returns. The request path's continuations qualify (nothing there blocks), so
// they take it through on_ready_thread(). It is not cpprestsdk's ambient scheduler: the listener's
// close() blocks a pool thread until every connection has finished, and their last continuations,
// deferred to that thread, would never run.
#pragma once

#include <pplx/pplxtasks.h>
#include <boost/asio/io_service.hpp>

namespace epc {

class SameThreadScheduler final : public pplx::scheduler_interface {
 public:
  explicit SameThreadScheduler(boost::asio::io_service& service) : service_(service) {}

  void schedule(pplx::TaskProc_t proc, void* parameter) override;

 private:
  boost::asio::io_service& service_;
};

// Task options that run a continuation through a SameThreadScheduler on cpprestsdk's shared pool
// (which GuardedThreadPool runs in the binary).
pplx::task_options on_ready_thread();

}  // namespace epc
