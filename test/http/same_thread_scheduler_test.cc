// SameThreadScheduler on cpprestsdk's shared pool (its default 40 threads here): where the
// continuations given on_ready_thread() run.
#include "scheduler/http/same_thread_scheduler.h"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <utility>

#include <gtest/gtest.h>
#include <pplx/pplxtasks.h>
#include <pplx/threadpool.h>

namespace epc {
namespace {

// A continuation made ready on a pool thread runs on that thread once its handler returns, rather
// than waking the other one (issue 16: those hand-offs were half the extender's CPU).
TEST(SameThreadScheduler, AContinuationRunsOnThePoolThreadThatMadeItReadyAfterItsHandler) {
  for (int round = 0; round < 20; ++round) {
    std::promise<std::thread::id> handler_thread;
    std::promise<std::pair<std::thread::id, bool>> continuation;
    crossplat::threadpool::shared_instance().service().post([&] {
      pplx::task_completion_event<void> ready;
      auto handler_done = std::make_shared<std::atomic<bool>>(false);
      pplx::create_task(ready).then(
          [&continuation, handler_done] {
            continuation.set_value({std::this_thread::get_id(), handler_done->load()});
          },
          on_ready_thread());
      ready.set();
      handler_thread.set_value(std::this_thread::get_id());
      handler_done->store(true);
    });
    auto ran = continuation.get_future();
    ASSERT_EQ(ran.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    const auto [thread, after_handler] = ran.get();
    EXPECT_EQ(thread, handler_thread.get_future().get()) << "round " << round;
    EXPECT_TRUE(after_handler) << "ran inside the handler's stack, round " << round;
  }
}

// Made ready elsewhere (the main thread, a watch's thread), a continuation still runs on the pool.
TEST(SameThreadScheduler, AContinuationMadeReadyOffThePoolRunsOnThePool) {
  pplx::task_completion_event<void> ready;
  std::promise<std::thread::id> ran_on;
  pplx::create_task(ready).then([&ran_on] { ran_on.set_value(std::this_thread::get_id()); },
                                on_ready_thread());
  ready.set();
  auto thread = ran_on.get_future();
  ASSERT_EQ(thread.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_NE(thread.get(), std::this_thread::get_id());
}

}  // namespace
}  // namespace epc
