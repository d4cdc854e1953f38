// The HTTP server over real loopback sockets: routing, limits, keep-alive, and that slow clients
// cannot starve the listener's fixed thread pool. Decisions come from a real ExtenderService over
// an empty cluster; these tests check the transport, so replies are compared with what the service
// itself returns for the same body.
#include "scheduler/http/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "http_test_support.h"
#include "model/cluster_state.h"
#include "model/epc_resources.h"
#include "test_http_client.h"

namespace epc {
namespace {

using test::HttpResponse;
using test::TestConnection;
using ::testing::HasSubstr;

class HttpServerTest : public ::testing::Test {
 protected:
  // Starts a server on a free loopback port; the test fails if it cannot.
  HttpServer& start(HttpServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.version = "test-version";
    options.log = log_.sink();
    server_ = std::make_unique<HttpServer>(std::move(options), service_);
    const Result<void> started = server_->start();
    EXPECT_TRUE(started.ok()) << started.error().message;
    return *server_;
  }

  int port() const { return server_->port(); }

  HttpServerOptions on_port(int port) {
    HttpServerOptions options;
    options.port = port;
    options.log = log_.sink();
    return options;
  }

  HttpResponse request(const std::string& text) {
    Result<HttpResponse> response = test::send_request(port(), text);
    EXPECT_TRUE(response.ok()) << response.error().message;
    return response.ok() ? *response : HttpResponse{};
  }

  std::string fixture(const std::string& name) {
    std::string body = test::read_fixture(name);
    EXPECT_FALSE(body.empty()) << "missing fixture " << name;
    return body;
  }

  void TearDown() override {
    if (server_) server_->stop();
  }

  ClusterState state_{EpcResources::defaults()};
  ExtenderService service_{state_, [] { return std::make_shared<const PlacementPolicy>(); }};
  test::CapturedLog log_;
  std::unique_ptr<HttpServer> server_;  // after service_: destroyed first
};

HttpServerOptions with_body_limit(size_t max_body_bytes) {
  HttpServerOptions options;
  options.max_body_bytes = max_body_bytes;
  return options;
}

HttpServerOptions with_prefix(std::string prefix) {
  HttpServerOptions options;
  options.prefix = std::move(prefix);
  return options;
}

nlohmann::json parse(const std::string& body) {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

TEST_F(HttpServerTest, PortZeroBindsAFreePortAndServes) {
  HttpServer& server = start();
  EXPECT_GT(server.port(), 0);
  EXPECT_EQ(server.url(), "http://127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(request(test::get_request("/healthz")).status, 200);
}

TEST_F(HttpServerTest, StartReportsAnAddressInUse) {
  const int blocker = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(blocker, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(blocker, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(blocker, 1), 0);
  socklen_t length = sizeof(address);
  ::getsockname(blocker, reinterpret_cast<sockaddr*>(&address), &length);
  const int taken = ntohs(address.sin_port);

  HttpServer server(on_port(taken), service_);
  const Result<void> started = server.start();
  ::close(blocker);

  ASSERT_FALSE(started.ok());
  EXPECT_THAT(started.error().message,
              HasSubstr("cannot listen on http://127.0.0.1:" + std::to_string(taken)));
  EXPECT_THAT(started.error().message, HasSubstr("in use"));
}

TEST_F(HttpServerTest, StartRejectsAPortOutOfRange) {
  HttpServer server(on_port(70000), service_);
  const Result<void> started = server.start();
  ASSERT_FALSE(started.ok());
  EXPECT_THAT(started.error().message, HasSubstr("invalid port 70000"));
}

TEST_F(HttpServerTest, StartExplainsThatIpv6IsUnsupported) {
  HttpServerOptions options = on_port(0);
  options.host = "::1";
  HttpServer server(options, service_);
  const Result<void> started = server.start();
  ASSERT_FALSE(started.ok());
  EXPECT_THAT(started.error().message, HasSubstr("cannot listen on http://[::1]:0"));
  EXPECT_THAT(started.error().message, HasSubstr("does not support IPv6"));
}

struct VerbCase {
  std::string fixture;
  std::string path;
  Verb verb;
};

void PrintTo(const VerbCase& param, std::ostream* out) {
  *out << param.fixture;
}

class VerbTest : public HttpServerTest, public ::testing::WithParamInterface<VerbCase> {};

// The server is a transparent pipe: status and body are what the service gives for the body.
TEST_P(VerbTest, AnswersExactlyWhatTheServiceDecides) {
  start();
  const VerbCase& param = GetParam();
  const std::string body = fixture(param.fixture);
  const Reply direct = service_.handle(param.verb, body);

  const HttpResponse response = request(test::post_request(param.path, body));

  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.status, direct.status);
  EXPECT_EQ(response.body, direct.body);
  EXPECT_THAT(response.header("content-type"), HasSubstr("application/json"));
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, VerbTest,
    ::testing::Values(VerbCase{"filter.request.json", "/filter", Verb::kFilter},
                      VerbCase{"filter-nodenames.request.json", "/filter", Verb::kFilter},
                      VerbCase{"prioritize.request.json", "/prioritize", Verb::kPrioritize},
                      VerbCase{"prioritize-nodenames.request.json", "/prioritize",
                               Verb::kPrioritize},
                      VerbCase{"preempt.request.json", "/preempt", Verb::kPreempt},
                      VerbCase{"preempt-metavictims.request.json", "/preempt", Verb::kPreempt}),
    [](const auto& info) {
      std::string name = info.param.fixture.substr(0, info.param.fixture.find('.'));
      std::erase(name, '-');
      return name;
    });

TEST_F(HttpServerTest, VerbRepliesHaveTheProtocolShape) {
  start();
  const nlohmann::json filter =
      parse(request(test::post_request("/filter", fixture("filter.request.json"))).body);
  ASSERT_TRUE(filter.is_object()) << filter;
  EXPECT_TRUE(filter.contains("Error"));
  EXPECT_TRUE(filter.contains("Nodes") || filter.contains("NodeNames"));

  const nlohmann::json priorities =
      parse(request(test::post_request("/prioritize", fixture("prioritize.request.json"))).body);
  ASSERT_TRUE(priorities.is_array()) << priorities;
  for (const nlohmann::json& entry : priorities) {
    EXPECT_TRUE(entry.contains("Host") && entry.contains("Score")) << entry;
  }

  const HttpResponse bind = request(test::post_request("/bind", fixture("bind.request.json")));
  EXPECT_EQ(bind.status, 200);
  EXPECT_TRUE(parse(bind.body).contains("Error")) << bind.body;

  const nlohmann::json preempt =
      parse(request(test::post_request("/preempt", fixture("preempt.request.json"))).body);
  EXPECT_TRUE(preempt.contains("NodeNameToMetaVictims")) << preempt;
}

TEST_F(HttpServerTest, HealthReadyAndVersion) {
  start();
  const HttpResponse health = request(test::get_request("/healthz"));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok");
  const HttpResponse ready = request(test::get_request("/readyz"));
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ok");
  const HttpResponse version = request(test::get_request("/version"));
  EXPECT_EQ(version.status, 200);
  EXPECT_EQ(parse(version.body), nlohmann::json({{"version", "test-version"}}));
}

TEST_F(HttpServerTest, ReadyzFollowsTheStateSourceWhileHealthzStaysUp) {
  std::atomic<bool> ready = false;
  HttpServerOptions options;
  options.readiness = [&] {
    return ready ? Readiness{true, ""} : Readiness{false, "waiting for the first list of pods"};
  };
  start(std::move(options));
  const HttpResponse waiting = request(test::get_request("/readyz"));
  EXPECT_EQ(waiting.status, 503);
  EXPECT_EQ(waiting.body, "not ready: waiting for the first list of pods");
  EXPECT_EQ(request(test::get_request("/healthz")).status, 200);
  ready = true;
  EXPECT_EQ(request(test::get_request("/readyz")).status, 200);
}

TEST_F(HttpServerTest, UnknownPathIs404AndLogged) {
  start();
  const HttpResponse response = request(test::get_request("/nope"));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(parse(response.body), nlohmann::json({{"Error", "no route for /nope"}}));
  EXPECT_THAT(log_.lines(), ::testing::ElementsAre("GET /nope: 404 no route for /nope"));
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  start();
  const HttpResponse get_filter = request(test::get_request("/filter"));
  EXPECT_EQ(get_filter.status, 405);
  EXPECT_EQ(get_filter.header("allow"), "POST");
  EXPECT_THAT(parse(get_filter.body).value("Error", ""), HasSubstr("method GET not allowed"));

  const HttpResponse post_health = request(test::post_request("/healthz", "{}"));
  EXPECT_EQ(post_health.status, 405);
  EXPECT_EQ(post_health.header("allow"), "GET");
}

// The listener replies only after the whole body has passed (see http_server.h), so the client
// sends all it announced; the server discards it instead of reading it.
TEST_F(HttpServerTest, ContentLengthOverTheLimitIs413AndClosesTheConnection) {
  start(with_body_limit(1000));
  TestConnection connection(port());
  ASSERT_TRUE(connection.connected());
  const std::string body(200 * 1024, ' ');
  ASSERT_TRUE(connection.send(test::post_request("/filter", body)));

  const Result<HttpResponse> response = connection.read_response();
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_EQ(parse(response->body).value("Error", ""),
            "request body of 204800 bytes exceeds the limit of 1000 bytes (1000)");
  EXPECT_TRUE(connection.closed_by_peer());
  EXPECT_THAT(log_.lines(), ::testing::ElementsAre(HasSubstr("POST /filter: 413 request body")));
}

std::string chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  return size + data + "\r\n";
}

std::string chunked_post_headers(const std::string& path) {
  return "POST " + path +
         " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
         "Transfer-Encoding: chunked\r\n\r\n";
}

// The running size check stops at the first 64 KiB slice past the limit, not at the end.
TEST_F(HttpServerTest, ChunkedBodyOverTheLimitIs413FromTheFirstSlicePastIt) {
  start(with_body_limit(1000));
  TestConnection connection(port());
  ASSERT_TRUE(connection.connected());
  std::string text = chunked_post_headers("/filter");
  for (int i = 0; i < 200; ++i) text += chunk(std::string(1024, ' '));
  ASSERT_TRUE(connection.send(text + "0\r\n\r\n"));

  const Result<HttpResponse> response = connection.read_response();
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_EQ(parse(response->body).value("Error", ""),
            "chunked request body exceeds the limit of 1000 bytes (1000) after 65536 bytes");
}

TEST_F(HttpServerTest, ChunkedBodyWithinTheLimitIsServed) {
  start();
  const std::string body = fixture("filter.request.json");
  const std::string chunked = chunked_post_headers("/filter") + chunk(body.substr(0, 100)) +
                              chunk(body.substr(100)) + "0\r\n\r\n";
  const HttpResponse response = request(chunked);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, service_.handle(Verb::kFilter, body).body);
}

TEST_F(HttpServerTest, BodyLargerThanTheListenerReadsIsReadWhole) {
  start();
  // 200 KiB of trailing whitespace: valid JSON that arrives in many of the listener's 4 KiB reads.
  const std::string body = fixture("prioritize.request.json") + std::string(200 * 1024, ' ');
  TestConnection connection(port());
  ASSERT_TRUE(connection.connected());
  const std::string text = test::post_request("/prioritize", body);
  const size_t half = text.size() / 2;
  ASSERT_TRUE(connection.send(text.substr(0, half)));
  ASSERT_TRUE(connection.send(text.substr(half)));

  const Result<HttpResponse> response = connection.read_response();
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, service_.handle(Verb::kPrioritize, body).body);
}

TEST_F(HttpServerTest, InvalidJsonIs400) {
  start();
  const HttpResponse response = request(test::post_request("/filter", "{not json"));
  EXPECT_EQ(response.status, 400);
  EXPECT_TRUE(parse(response.body).contains("Error")) << response.body;
}

TEST_F(HttpServerTest, EmptyBodyIs400) {
  start();
  const HttpResponse with_length = request(test::post_request("/filter", ""));
  EXPECT_EQ(with_length.status, 400);
  EXPECT_EQ(parse(with_length.body),
            nlohmann::json({{"Error", "empty request body: expected a JSON filter request"}}));

  const HttpResponse without_length = request("POST /bind HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(without_length.status, 400);
}

TEST_F(HttpServerTest, MalformedContentLengthIs400) {
  start();
  const HttpResponse response =
      request("POST /filter HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(parse(response.body), nlohmann::json({{"Error", "invalid Content-Length \"12abc\""}}));
  EXPECT_EQ(response.header("connection"), "close");
}

TEST_F(HttpServerTest, PrefixIsNormalisedAndRoutesTheVerbs) {
  start(with_prefix("sgx/"));
  const std::string body = fixture("filter.request.json");
  EXPECT_EQ(request(test::post_request("/sgx/filter", body)).status, 200);
  EXPECT_EQ(
      request(test::post_request("/sgx/prioritize", fixture("prioritize.request.json"))).status,
      200);
  EXPECT_EQ(request(test::post_request("/filter", body)).status, 404);
  EXPECT_EQ(request(test::get_request("/healthz")).status, 200);
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  start();
  TestConnection connection(port());
  ASSERT_TRUE(connection.connected());
  const std::string filter = fixture("filter.request.json");
  const std::string prioritize = fixture("prioritize.request.json");

  ASSERT_TRUE(connection.send(test::post_request("/filter", filter)));
  const Result<HttpResponse> first = connection.read_response();
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(connection.send(test::post_request("/prioritize", prioritize)));
  const Result<HttpResponse> second = connection.read_response();
  ASSERT_TRUE(second.ok()) << second.error().message;

  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, service_.handle(Verb::kFilter, filter).body);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, service_.handle(Verb::kPrioritize, prioritize).body);
}

// cpprestsdk's default pool has 40 threads (the binary's, one by default); a handler that waited
// for bodies would be starved by 60 clients that stall mid-body, and the 61st request would never
// be answered.
TEST_F(HttpServerTest, StalledClientsDoNotBlockOtherRequests) {
  start();
  const std::string stalled_request =
      "POST /filter HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 1000\r\n\r\n{\"Pod\": {";
  std::vector<TestConnection> stalled;
  for (int i = 0; i < 60; ++i) {
    TestConnection& connection = stalled.emplace_back(port());
    ASSERT_TRUE(connection.connected()) << "connection " << i;
    ASSERT_TRUE(connection.send(stalled_request)) << "connection " << i;
  }

  const std::string body = fixture("filter.request.json");
  const Result<HttpResponse> response =
      test::send_request(port(), test::post_request("/filter", body), std::chrono::seconds(5));
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, service_.handle(Verb::kFilter, body).body);

  stalled.clear();
  EXPECT_EQ(request(test::get_request("/healthz")).status, 200);
}

// A Content-Length costs a client nothing to inflate; the server must neither wait for bytes that
// will never come nor set memory aside for them (the abuse tests measure the memory).
TEST_F(HttpServerTest, BodyShorterThanItsContentLengthIsRejected) {
  start();
  TestConnection connection(port());
  ASSERT_TRUE(connection.connected());
  ASSERT_TRUE(connection.send(
      "POST /filter HTTP/1.1\r\nHost: x\r\nContent-Length: 60000000\r\n\r\n{\"Pod\": {}}"));
  connection.finish_sending();

  const Result<HttpResponse> response = connection.read_response();
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 400);
  EXPECT_THAT(response->body, HasSubstr("reading the request body"));
  EXPECT_EQ(request(test::get_request("/healthz")).status, 200);
}

TEST_F(HttpServerTest, SixtyConcurrentRequestsAreAllAnswered) {
  start();
  const std::string body = fixture("filter.request.json");
  const std::string expected = service_.handle(Verb::kFilter, body).body;
  std::vector<TestConnection> connections;
  for (int i = 0; i < 60; ++i) {
    TestConnection& connection = connections.emplace_back(port());
    ASSERT_TRUE(connection.connected()) << "connection " << i;
    ASSERT_TRUE(connection.send(test::post_request("/filter", body))) << "connection " << i;
  }
  for (size_t i = 0; i < connections.size(); ++i) {
    const Result<HttpResponse> response = connections[i].read_response();
    ASSERT_TRUE(response.ok()) << "connection " << i << ": " << response.error().message;
    EXPECT_EQ(response->status, 200) << "connection " << i;
    EXPECT_EQ(response->body, expected) << "connection " << i;
  }
}

// Stopping with connections stuck mid-body, one of them with its 413 already decided: the
// listener crashes if a reply races its close, so this also guards the drain order.
TEST_F(HttpServerTest, StopEndsConnectionsThatAreMidBody) {
  HttpServer& server = start(with_body_limit(1000));
  const int bound = port();
  TestConnection waiting(bound);
  TestConnection rejected(bound);
  ASSERT_TRUE(waiting.connected() && rejected.connected());
  ASSERT_TRUE(
      waiting.send("POST /filter HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n{\"Pod\""));
  ASSERT_TRUE(
      rejected.send("POST /filter HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{\"Pod\""));
  ASSERT_EQ(request(test::get_request("/healthz")).status, 200);

  server.stop(std::chrono::milliseconds(100));  // `waiting` never finishes its body

  EXPECT_EQ(server.port(), 0);
  for (TestConnection* connection : {&waiting, &rejected}) {
    // The listener answers what is left as it closes, if the socket is still open; either way the
    // connection ends instead of hanging.
    const Result<HttpResponse> last = connection->read_response();
    if (last.ok()) {
      EXPECT_GE(last->status, 400);
      EXPECT_TRUE(connection->closed_by_peer());
    } else {
      EXPECT_THAT(last.error().message, ::testing::Not(HasSubstr("timed out")));
    }
  }
  EXPECT_FALSE(TestConnection(bound).connected());
}

// Graceful stop: a request that had arrived is still answered, one that arrives later is turned
// away with 503 and its connection closed, and stop() returns as soon as the first is answered.
// The admitted request is a page that renders only when the test lets it, so it is certainly in
// flight when the stop begins.
TEST_F(HttpServerTest, StopAnswersAdmittedRequestsAndTurnsNewOnesAway) {
  std::promise<void> rendering;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  HttpServerOptions options;
  options.pages.push_back({"/slow", "text/plain", [&rendering, released] {
                             rendering.set_value();
                             released.wait();
                             return std::string("rendered");
                           }});
  HttpServer& server = start(std::move(options));
  const int bound = port();
  TestConnection admitted(bound);
  ASSERT_TRUE(admitted.connected());
  ASSERT_TRUE(admitted.send(test::get_request("/slow")));
  rendering.get_future().wait();

  const auto stop_started = std::chrono::steady_clock::now();
  std::thread stopping([&server] { server.stop(std::chrono::seconds(20)); });
  HttpResponse turned_away;
  for (int attempt = 0; attempt < 100 && turned_away.status != 503; ++attempt) {
    turned_away = request(test::get_request("/healthz"));
  }
  EXPECT_EQ(turned_away.status, 503);
  EXPECT_EQ(parse(turned_away.body), nlohmann::json({{"Error", "epc-extender is shutting down"}}));
  EXPECT_EQ(turned_away.header("connection"), "close");

  release.set_value();
  const Result<HttpResponse> answer = admitted.read_response();
  stopping.join();
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, "rendered");
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, std::chrono::seconds(10));
  EXPECT_FALSE(TestConnection(bound).connected());
}

HttpServerOptions with_connection_limits(ConnectionLimits limits) {
  HttpServerOptions options;
  limits.check_interval = std::chrono::milliseconds(100);
  options.connection_limits = limits;
  return options;
}

using Seconds = std::chrono::duration<double>;

// The reaper counts a connection once its whole scan is done, just after the client sees it close.
uint64_t closed_for(const HttpServer& server, CloseReason reason, uint64_t expected) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  uint64_t closed = server.connections().closed_for(reason);
  while (closed != expected && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    closed = server.connections().closed_for(reason);
  }
  return closed;
}

// Sends `bytes` one at a time, `pause` apart, until the server closes the connection; how long
// that took, or nothing if it never did.
std::optional<Seconds> dribble_until_closed(int port, std::string_view bytes,
                                            std::chrono::milliseconds pause) {
  TestConnection connection(port, pause);
  const auto started = std::chrono::steady_clock::now();
  for (const char byte : bytes) {
    if (!connection.send(std::string_view(&byte, 1)) || connection.closed_by_peer()) {
      return std::chrono::steady_clock::now() - started;
    }
  }
  return std::nullopt;
}

TEST_F(HttpServerTest, RequestsMustArriveWithinTheReadTimeout) {
  HttpServer& server = start(with_connection_limits({.read_timeout = std::chrono::seconds(1)}));
  const std::string headers =
      "POST /filter HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(100, 'a') + "\r\n\r\n";
  const std::string body_part =
      "POST /filter HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + std::string(100, ' ');

  for (const std::string& slow : {headers, body_part}) {
    const std::optional<Seconds> closed_after =
        dribble_until_closed(port(), slow, std::chrono::milliseconds(100));
    ASSERT_TRUE(closed_after.has_value()) << "never closed: " << slow.substr(0, 40);
    EXPECT_GE(closed_after->count(), 0.9);
    EXPECT_LE(closed_after->count(), 5.0);
  }
  EXPECT_EQ(closed_for(server, CloseReason::kReadTimeout, 2), 2u);
  EXPECT_EQ(request(test::get_request("/healthz")).status, 200);
}

TEST_F(HttpServerTest, SilentConnectionsAreClosedAfterTheIdleTimeout) {
  HttpServer& server = start(with_connection_limits({.idle_timeout = std::chrono::seconds(1)}));
  TestConnection silent(port(), std::chrono::seconds(5));
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(silent.closed_by_peer());
  const Seconds after = std::chrono::steady_clock::now() - started;
  EXPECT_GE(after.count(), 0.9);
  EXPECT_EQ(closed_for(server, CloseReason::kIdle, 1), 1u);
}

TEST_F(HttpServerTest, BusyKeepAliveConnectionsAreNeverClosed) {
  HttpServer& server = start(with_connection_limits(
      {.read_timeout = std::chrono::milliseconds(500), .idle_timeout = std::chrono::seconds(1)}));
  TestConnection busy(port());
  ASSERT_TRUE(busy.connected());
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  int answered = 0;
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_TRUE(busy.send(test::get_request("/healthz")));
    const Result<HttpResponse> response = busy.read_response();
    ASSERT_TRUE(response.ok()) << "after " << answered << ": " << response.error().message;
    ++answered;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  EXPECT_GE(answered, 5);
  EXPECT_EQ(server.connections().closed_for(CloseReason::kIdle), 0u);
  EXPECT_EQ(server.connections().closed_for(CloseReason::kReadTimeout), 0u);
}

TEST_F(HttpServerTest, ConnectionsOverTheLimitAreClosedOldestFirst) {
  HttpServer& server = start(with_connection_limits({.max_connections = 3}));
  std::vector<TestConnection> silent;
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(silent.emplace_back(port(), std::chrono::seconds(3)).connected());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(silent[i].closed_by_peer()) << "connection " << i;
  EXPECT_EQ(closed_for(server, CloseReason::kOverLimit, 3), 3u);
  // The newest three stay, and still serve.
  ASSERT_TRUE(silent[5].send(test::get_request("/healthz")));
  const Result<HttpResponse> response = silent[5].read_response();
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpServerTest, RestartsAfterStop) {
  HttpServer& server = start();
  server.stop();
  ASSERT_TRUE(server.start().ok());
  EXPECT_EQ(request(test::get_request("/healthz")).status, 200);
}

}  // namespace
}  // namespace epc
