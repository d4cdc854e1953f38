#include "scheduler/http/guarded_thread_pool.h"

#include <exception>
#include <string>

#include <pplx/threadpool.h>
#include <boost/asio/steady_timer.hpp>

namespace epc {

Result<std::unique_ptr<GuardedThreadPool>> GuardedThreadPool::start(size_t threads, LogSink log) {
  if (threads == 0) return make_error("the HTTP thread pool needs at least one thread");
  try {
    crossplat::threadpool::initialize_with_threads(0);
  } catch (const std::exception& e) {
    return make_error(std::string("cannot take over cpprestsdk's thread pool: ") + e.what());
  }
  return std::make_unique<GuardedThreadPool>(Passkey{}, threads, std::move(log));
}

void GuardedThreadPool::call_after(std::chrono::milliseconds delay,
                                   std::function<void()> task) const {
  // The timer keeps itself alive through its own handler.
  auto timer = std::make_shared<boost::asio::steady_timer>(
      crossplat::threadpool::shared_instance().service(), delay);
  timer->async_wait([timer, task = std::move(task)](const boost::system::error_code& error) {
    if (!error) task();
  });
}

GuardedThreadPool::GuardedThreadPool(Passkey, size_t threads, LogSink log) : log_(std::move(log)) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

void GuardedThreadPool::add_thread() {
  threads_.emplace_back([this] { run(); });
}

GuardedThreadPool::~GuardedThreadPool() {
  crossplat::threadpool::shared_instance().service().stop();
  for (std::thread& thread : threads_) thread.join();
}

void GuardedThreadPool::run() {
  boost::asio::io_service& service = crossplat::threadpool::shared_instance().service();
  for (;;) {
    std::string what;
    try {
      service.run();  // returns only once the service is stopped
      return;
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "unknown exception";
    }
    try {
      if (log_) {
        log_("a handler of the HTTP library threw (" + what + "); its connection is abandoned");
      }
    } catch (...) {
      // Logging must not end the thread either.
    }
    ++escaped_;  // after the line, so a count seen implies its line was written
  }
}

}  // namespace epc
