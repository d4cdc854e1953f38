// The binary's shutdown: SIGTERM drains (a request already received is answered, a new one gets
// 503) and exits 0; a second signal during the drain exits at once.
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "child_process.h"
#include "http_test_support.h"
#include "test_http_client.h"

namespace epc {
namespace {

using test::ChildProcess;
using test::TestConnection;
using ::testing::HasSubstr;

constexpr std::chrono::seconds kTimeout{10};

// A demo-cluster server on a free port, with `grace` to drain.
class ServerUnderShutdown {
 public:
  explicit ServerUnderShutdown(const std::string& grace)
      : process_({EPC_EXTENDER_BINARY, "serve", "--listen", "127.0.0.1:0", "--cluster-file",
                  std::string(EPC_SOURCE_DIR) + "/demo/cluster.json", "--shutdown-grace-period",
                  grace}) {
    const std::optional<std::string> listening =
        process_.wait_for_stderr_line("listening on", kTimeout);
    if (listening) port_ = test::listening_port(*listening);
  }

  ChildProcess& process() { return process_; }
  int port() const { return port_; }

 private:
  ChildProcess process_;
  int port_ = 0;
};

// A filter request sent but for its last bytes: dispatched (its headers are in) and waiting.
struct HalfSentFilter {
  explicit HalfSentFilter(int port)
      : connection(port),
        whole(test::post_request("/filter", test::read_file(std::string(EPC_SOURCE_DIR) +
                                                            "/demo/filter-request.json"))) {
    connection.send(whole.substr(0, whole.size() - 5));
    // The listener dispatches a request some time after its headers arrive, out of sight;
    // a request it had not dispatched when the drain began would be turned away instead.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  Result<test::HttpResponse> finish() {
    connection.send(whole.substr(whole.size() - 5));
    return connection.read_response();
  }

  TestConnection connection;
  std::string whole;
};

TEST(BinaryShutdown, SigtermAnswersRequestsInFlightTurnsNewOnesAwayAndExits0) {
  ServerUnderShutdown server("20s");
  ASSERT_GT(server.port(), 0) << server.process().stderr_text();
  HalfSentFilter in_flight(server.port());

  server.process().send_signal(SIGTERM);
  ASSERT_TRUE(server.process().wait_for_stderr_line("stopping", kTimeout).has_value());
  const Result<test::HttpResponse> late =
      test::send_request(server.port(), test::get_request("/readyz"));
  ASSERT_TRUE(late.ok()) << late.error().message;
  EXPECT_EQ(late->status, 503);
  EXPECT_THAT(late->body, HasSubstr("shutting down"));

  const Result<test::HttpResponse> answer = in_flight.finish();
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  EXPECT_THAT(answer->body, HasSubstr("\"NodeNames\""));
  // Answered: no need to wait out the 20 s.
  EXPECT_EQ(server.process().wait_exit(std::chrono::seconds(5)), 0)
      << server.process().stderr_text();
  EXPECT_FALSE(TestConnection(server.port()).connected());
}

TEST(BinaryShutdown, GracePeriodEndsADrainThatWouldNotFinish) {
  ServerUnderShutdown server("1s");
  ASSERT_GT(server.port(), 0) << server.process().stderr_text();
  HalfSentFilter never_finished(server.port());

  const auto signalled = std::chrono::steady_clock::now();
  server.process().send_signal(SIGTERM);
  EXPECT_EQ(server.process().wait_exit(kTimeout), 0) << server.process().stderr_text();
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::seconds(5));
  EXPECT_THAT(server.process().stderr_text(), HasSubstr("still unanswered after the grace period"));
}

TEST(BinaryShutdown, SecondSignalExitsAtOnce) {
  ServerUnderShutdown server("60s");
  ASSERT_GT(server.port(), 0) << server.process().stderr_text();
  HalfSentFilter never_finished(server.port());

  server.process().send_signal(SIGTERM);
  ASSERT_TRUE(server.process().wait_for_stderr_line("stopping", kTimeout).has_value());
  const auto second = std::chrono::steady_clock::now();
  server.process().send_signal(SIGINT);
  EXPECT_EQ(server.process().wait_exit(kTimeout), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - second, std::chrono::seconds(2));
  EXPECT_THAT(server.process().stderr_text(), HasSubstr("again: exiting without waiting"));
}

}  // namespace
}  // namespace epc
