// GuardedThreadPool in a process of its own: it must take over cpprestsdk's shared pool before
// anything else uses it, which no other test binary does.
#include "scheduler/http/guarded_thread_pool.h"

#include <chrono>
#include <future>
#include <new>
#include <stdexcept>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pplx/threadpool.h>

#include "http_test_support.h"

namespace epc {
namespace {

using ::testing::HasSubstr;

TEST(GuardedThreadPool, HandlersThatThrowNeitherEndTheProcessNorTheThreads) {
  test::CapturedLog log;
  Result<std::unique_ptr<GuardedThreadPool>> pool = GuardedThreadPool::start(2, log.sink());
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  boost::asio::io_service& service = crossplat::threadpool::shared_instance().service();

  // More throwing handlers than threads: each thread must survive several.
  for (int i = 0; i < 5; ++i) service.post([] { throw std::bad_alloc(); });
  service.post([] { throw std::runtime_error("not an allocation"); });
  std::promise<void> ran;
  service.post([&ran] { ran.set_value(); });
  ASSERT_EQ(ran.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  // The other thread may still be catching its last one.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((*pool)->escaped() < 6 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  EXPECT_EQ((*pool)->escaped(), 6u);
  // Two threads: the lines come in either order.
  EXPECT_THAT(log.lines(), ::testing::SizeIs(6));
  EXPECT_THAT(log.lines(), ::testing::Contains(HasSubstr("threw (not an allocation)")));
  EXPECT_THAT(log.lines(), ::testing::Contains(HasSubstr("threw (std::bad_alloc)")).Times(5));

  // The shared pool is taken; a second takeover says so.
  const Result<std::unique_ptr<GuardedThreadPool>> again = GuardedThreadPool::start(1, {});
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.error().message, HasSubstr("already been initialized"));
}

}  // namespace
}  // namespace epc
