// GuardedThreadPool in a process of its own: it must take over cpprestsdk's shared pool before
// anything else uses it, which no other test binary does.
#include "scheduler/http/guarded_thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <new>
#include <stdexcept>
#include <thread>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pplx/threadpool.h>

#include "http_test_support.h"

namespace epc {
namespace {

using ::testing::HasSubstr;

// The pool is the process's one cpprestsdk pool: every test here shares it.
class GuardedThreadPoolTest : public ::testing::Test {
 protected:
  struct Shared {
    test::CapturedLog log;  // outlives the pool's threads, which write to it
    std::unique_ptr<GuardedThreadPool> pool;
  };

  static void SetUpTestSuite() {
    shared_ = std::make_unique<Shared>();
    Result<std::unique_ptr<GuardedThreadPool>> started =
        GuardedThreadPool::start(2, shared_->log.sink());
    ASSERT_TRUE(started.ok()) << started.error().message;
    shared_->pool = std::move(*started);
  }
  static void TearDownTestSuite() { shared_.reset(); }

  static boost::asio::io_service& service() {
    return crossplat::threadpool::shared_instance().service();
  }

  static inline std::unique_ptr<Shared> shared_;
  GuardedThreadPool* const pool_ = shared_->pool.get();
};

TEST_F(GuardedThreadPoolTest, HandlersThatThrowNeitherEndTheProcessNorTheThreads) {
  test::CapturedLog& log = shared_->log;

  // More throwing handlers than threads: each thread must survive several.
  for (int i = 0; i < 5; ++i) service().post([] { throw std::bad_alloc(); });
  service().post([] { throw std::runtime_error("not an allocation"); });
  std::promise<void> ran;
  service().post([&ran] { ran.set_value(); });
  ASSERT_EQ(ran.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  // The other thread may still be catching its last one.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (pool_->escaped() < 6 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  EXPECT_EQ(pool_->escaped(), 6u);
  // Two threads: the lines come in either order.
  EXPECT_THAT(log.lines(), ::testing::SizeIs(6));
  EXPECT_THAT(log.lines(), ::testing::Contains(HasSubstr("threw (not an allocation)")));
  EXPECT_THAT(log.lines(), ::testing::Contains(HasSubstr("threw (std::bad_alloc)")).Times(5));

  // The shared pool is taken; a second takeover says so.
  const Result<std::unique_ptr<GuardedThreadPool>> again = GuardedThreadPool::start(1, {});
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.error().message, HasSubstr("already been initialized"));
}

// One event loop whatever the machine: kube-scheduler asks one pod at a time (see kDefaultThreads).
TEST_F(GuardedThreadPoolTest, TheDefaultIsOneThread) {
  EXPECT_EQ(GuardedThreadPool::default_threads(), 1u);
}

// Tasks waiting on call_after hold no thread: more of them than threads, and other work still runs.
TEST_F(GuardedThreadPoolTest, CallAfterWaitsWithoutHoldingAThread) {
  using Clock = std::chrono::steady_clock;
  constexpr int kWaiting = 8;  // four times the pool
  const Clock::time_point start = Clock::now();
  std::atomic<int> fired = 0;
  std::promise<void> all_fired;
  for (int i = 0; i < kWaiting; ++i) {
    pool_->call_after(std::chrono::milliseconds(300), [&] {
      if (++fired == kWaiting) all_fired.set_value();
    });
  }
  std::promise<Clock::time_point> other;
  service().post([&other] { other.set_value(Clock::now()); });
  auto other_ran = other.get_future();
  ASSERT_EQ(other_ran.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_LT(other_ran.get() - start, std::chrono::milliseconds(250));
  EXPECT_EQ(fired, 0);
  ASSERT_EQ(all_fired.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(300));
}

}  // namespace
}  // namespace epc
