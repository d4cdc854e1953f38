// The built epc-extender binary: command-line errors, startup failures, serving a fixture from a
// cluster file until SIGTERM, and its log lines on stderr in both formats.
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child_process.h"
#include "http_test_support.h"
#include "scheduler/http/free_port.h"
#include "test_http_client.h"

namespace epc {
namespace {

using test::ChildProcess;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::chrono::seconds kTimeout{10};

std::vector<std::string> command(std::vector<std::string> args) {
  args.insert(args.begin(), EPC_EXTENDER_BINARY);
  return args;
}

nlohmann::json post(int port, const std::string& path, const std::string& fixture) {
  const Result<test::HttpResponse> response =
      test::send_request(port, test::post_request(path, test::read_fixture(fixture)));
  EXPECT_TRUE(response.ok()) << response.error().message;
  if (!response.ok()) return nullptr;
  EXPECT_EQ(response->status, 200) << response->body;
  return nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
}

// NodeNames-mode filter and bind only succeed with the cluster file's nodes and pending pods.
TEST(Binary, ServesFixturesFromAClusterFileUntilSigterm) {
  const std::string cluster = std::string(EPC_TEST_DATA_DIR) + "/fixtures/fixture-cluster.json";
  ChildProcess server(command(
      {"serve", "--listen", "127.0.0.1:0", "--prefix", "/sgx/", "--cluster-file", cluster}));
  ASSERT_TRUE(server.started());
  const std::optional<std::string> listening =
      server.wait_for_stderr_line("listening on", kTimeout);
  ASSERT_TRUE(listening.has_value()) << server.stdout_text() << server.stderr_text();
  // JSON lines by default.
  const nlohmann::json line = nlohmann::json::parse(*listening, nullptr, false);
  ASSERT_TRUE(line.is_object()) << *listening;
  EXPECT_EQ(line.value("level", ""), "info");
  EXPECT_EQ(line.value("component", ""), "main");
  EXPECT_THAT(line.value("msg", ""),
              StartsWith("epc-extender " EPC_EXPECTED_VERSION " listening on http://127.0.0.1:"));
  EXPECT_EQ(line.value("prefix", ""), "/sgx");
  EXPECT_EQ(line.value("version", ""), EPC_EXPECTED_VERSION);
  const int port = test::listening_port(line.value("url", ""));
  ASSERT_GT(port, 0) << *listening;

  const nlohmann::json filter = post(port, "/sgx/filter", "filter-nodenames.request.json");
  EXPECT_EQ(filter.value("Error", "?"), "") << filter;
  EXPECT_EQ(filter.value("NodeNames", nlohmann::json()), nlohmann::json({"sgx-small"})) << filter;
  const nlohmann::json bind = post(port, "/sgx/bind", "bind.request.json");
  EXPECT_EQ(bind, nlohmann::json({{"Error", ""}}));

  server.send_signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(kTimeout), 0) << server.stderr_text();
  EXPECT_THAT(
      server.stderr_text(),
      HasSubstr("loaded " + cluster + ": 4 nodes (3 confidential), 8 bound pods, 2 pending"));
  EXPECT_EQ(server.stdout_text(), "") << "serve logs to stderr only";
}

// With --monitoring-listen, kubelet and Prometheus get a plain-HTTP listener of their own that
// answers no verb and names no pod, while the verbs and the pod-naming pages stay on --listen.
TEST(Binary, SplitsTheVerbsFromTheProbesAndMetrics) {
  const std::string cluster = std::string(EPC_TEST_DATA_DIR) + "/fixtures/fixture-cluster.json";
  ChildProcess server(command({"serve", "--listen", "127.0.0.1:0", "--monitoring-listen",
                               "127.0.0.1:0", "--cluster-file", cluster}));
  ASSERT_TRUE(server.started());
  const std::optional<std::string> monitoring_line =
      server.wait_for_stderr_line("serving /healthz, /readyz, /version and /metrics on", kTimeout);
  ASSERT_TRUE(monitoring_line.has_value()) << server.stderr_text();
  const std::optional<std::string> listening =
      server.wait_for_stderr_line("listening on", kTimeout);
  ASSERT_TRUE(listening.has_value()) << server.stderr_text();
  const int monitoring = test::listening_port(*monitoring_line);
  const int verbs = test::listening_port(*listening);
  ASSERT_GT(monitoring, 0) << *monitoring_line;
  ASSERT_GT(verbs, 0) << *listening;
  ASSERT_NE(monitoring, verbs);

  const auto status_of = [](int port, const std::string& request) {
    const Result<test::HttpResponse> response = test::send_request(port, request);
    EXPECT_TRUE(response.ok()) << response.error().message;
    return response.ok() ? response->status : 0;
  };
  for (const char* path : {"/healthz", "/readyz", "/version", "/metrics"}) {
    EXPECT_EQ(status_of(monitoring, test::get_request(path)), 200) << path;
  }
  const std::string filter = test::read_fixture("filter-nodenames.request.json");
  for (const char* path : {"/filter", "/prioritize", "/bind", "/preempt"}) {
    EXPECT_EQ(status_of(monitoring, test::post_request(path, filter)), 404) << path;
  }
  for (const char* path : {"/status", "/debug/state"}) {
    EXPECT_EQ(status_of(monitoring, test::get_request(path)), 404) << path;
    EXPECT_EQ(status_of(verbs, test::get_request(path)), 200) << path;
  }
  const nlohmann::json filtered = post(verbs, "/filter", "filter-nodenames.request.json");
  EXPECT_EQ(filtered.value("NodeNames", nlohmann::json()), nlohmann::json({"sgx-small"}));

  server.send_signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(kTimeout), 0) << server.stderr_text();
}

// Every line on stderr is one JSON object with the common keys; a 400 is an info line of "http".
TEST(Binary, LogsJsonLinesWithLevels) {
  const std::string cluster = std::string(EPC_TEST_DATA_DIR) + "/fixtures/fixture-cluster.json";
  ChildProcess server(command({"serve", "--listen", "127.0.0.1:0", "--cluster-file", cluster,
                               "--log-format=json", "--log-level=info"}));
  ASSERT_TRUE(server.started());
  const std::optional<std::string> listening =
      server.wait_for_stderr_line("listening on", kTimeout);
  ASSERT_TRUE(listening.has_value()) << server.stderr_text();
  const int port = test::listening_port(*listening);
  const Result<test::HttpResponse> bad =
      test::send_request(port, test::post_request("/filter", "{not json"));
  ASSERT_TRUE(bad.ok()) << bad.error().message;
  EXPECT_EQ(bad->status, 400);
  server.send_signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(kTimeout), 0) << server.stderr_text();

  bool saw_bad_request = false;
  const std::string logs = server.stderr_text();
  std::string_view rest = logs;
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    ASSERT_NE(end, std::string_view::npos) << "unterminated line: " << rest;
    const std::string text(rest.substr(0, end));
    rest.remove_prefix(end + 1);
    const nlohmann::json line = nlohmann::json::parse(text, nullptr, false);
    ASSERT_TRUE(line.is_object()) << text;
    for (const char* key : {"ts", "level", "component", "msg"}) {
      EXPECT_TRUE(line.contains(key)) << key << " missing in " << text;
    }
    EXPECT_THAT(line.value("ts", ""),
                MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{6}Z"));
    if (line.value("component", "") == "http" &&
        line.value("msg", "").starts_with("POST /filter: 400")) {
      saw_bad_request = true;
      EXPECT_EQ(line.value("level", ""), "info") << text;
    }
  }
  EXPECT_TRUE(saw_bad_request) << logs;
}

TEST(Binary, LogsKlogStyleTextOnRequest) {
  const std::string cluster = std::string(EPC_TEST_DATA_DIR) + "/fixtures/fixture-cluster.json";
  ChildProcess server(command(
      {"serve", "--listen", "127.0.0.1:0", "--cluster-file", cluster, "--log-format", "text"}));
  ASSERT_TRUE(server.started());
  const std::optional<std::string> listening =
      server.wait_for_stderr_line("listening on", kTimeout);
  ASSERT_TRUE(listening.has_value()) << server.stderr_text();
  EXPECT_THAT(*listening,
              MatchesRegex("I[0-9]{4} [0-9:]{8}\\.[0-9]{6} +[0-9]+ main\\] \"epc-extender "
                           "[^\"]* listening on http://127\\.0\\.0\\.1:[0-9]+\" url=.*"));
  server.send_signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(kTimeout), 0) << server.stderr_text();
  const std::string logs = server.stderr_text();
  EXPECT_THAT(logs, StartsWith("I"));
  EXPECT_THAT(logs, HasSubstr(" cluster-file] \"loaded "));
}

TEST(Binary, ALogLevelBelowInfoHidesInfoLines) {
  const std::string cluster = std::string(EPC_TEST_DATA_DIR) + "/fixtures/fixture-cluster.json";
  // Nothing announces the port at this level, so it is chosen here.
  const Result<int> port = pick_free_port("127.0.0.1");
  ASSERT_TRUE(port.ok()) << port.error().message;
  ChildProcess server(command({"serve", "--listen", "127.0.0.1:" + std::to_string(*port),
                               "--cluster-file", cluster, "--log-level", "warning"}));
  ASSERT_TRUE(server.started());
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  bool serving = false;
  while (!serving && std::chrono::steady_clock::now() < deadline) {
    const Result<test::HttpResponse> health =
        test::send_request(*port, test::get_request("/healthz"), std::chrono::seconds(1));
    serving = health.ok() && health->status == 200;
    if (!serving) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(serving) << server.stderr_text();
  server.send_signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(kTimeout), 0) << server.stderr_text();
  EXPECT_THAT(server.stderr_text(), Not(HasSubstr("\"level\":\"info\"")));
}

TEST(Binary, CommandLineErrorExitsWith2AndPointsToHelp) {
  ChildProcess child(command({"serve", "--listen", "nope"}));
  ASSERT_TRUE(child.started());
  EXPECT_EQ(child.wait_exit(kTimeout), 2);
  const std::string errors = child.stderr_text();
  EXPECT_THAT(errors, HasSubstr("epc-extender: --listen: missing port in \"nope\""));
  EXPECT_THAT(errors, HasSubstr("--help"));
}

TEST(Binary, BadLogFlagsExitWith2) {
  ChildProcess level(command({"serve", "--log-level", "verbose"}));
  ASSERT_TRUE(level.started());
  EXPECT_EQ(level.wait_exit(kTimeout), 2);
  EXPECT_THAT(level.stderr_text(),
              HasSubstr("epc-extender: --log-level: must be one of debug, info, warning, error; "
                        "got \"verbose\""));

  ChildProcess format(command({"serve", "--log-format=yaml"}));
  ASSERT_TRUE(format.started());
  EXPECT_EQ(format.wait_exit(kTimeout), 2);
  EXPECT_THAT(format.stderr_text(),
              HasSubstr("epc-extender: --log-format: must be one of json, text; got \"yaml\""));
}

TEST(Binary, MissingClusterFileExitsWith1) {
  ChildProcess child(
      command({"serve", "--listen", "127.0.0.1:0", "--cluster-file", "/nonexistent/cluster.json"}));
  ASSERT_TRUE(child.started());
  EXPECT_EQ(child.wait_exit(kTimeout), 1);
  const std::string errors = child.stderr_text();
  EXPECT_THAT(errors, HasSubstr("/nonexistent/cluster.json"));
  EXPECT_THAT(errors, HasSubstr("\"level\":\"error\""));
}

TEST(Binary, HelpAndVersion) {
  ChildProcess help(command({"--help"}));
  ASSERT_TRUE(help.started());
  EXPECT_EQ(help.wait_exit(kTimeout), 0);
  EXPECT_THAT(help.stdout_text(), HasSubstr("--cluster-file"));

  ChildProcess version(command({"--version"}));
  ASSERT_TRUE(version.started());
  EXPECT_EQ(version.wait_exit(kTimeout), 0);
  EXPECT_EQ(version.stdout_text(), "epc-extender " EPC_EXPECTED_VERSION "\n");
}

}  // namespace
}  // namespace epc
