// The built epc-extender binary: command-line errors, startup failures, and serving a fixture
// from a cluster file until SIGTERM.
#include <signal.h>

#include <chrono>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child_process.h"
#include "http_test_support.h"
#include "test_http_client.h"

namespace epc {
namespace {

using test::ChildProcess;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::chrono::seconds kTimeout{10};

std::vector<std::string> command(std::vector<std::string> args) {
  args.insert(args.begin(), EPC_EXTENDER_BINARY);
  return args;
}

// "... listening on http://127.0.0.1:PORT (prefix ...)" → PORT.
int port_of(const std::string& line) {
  const std::string marker = "http://127.0.0.1:";
  const size_t at = line.find(marker);
  if (at == std::string::npos) return 0;
  return std::stoi(line.substr(at + marker.size()));
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
  const std::optional<std::string> listening = server.wait_for_line("listening on", kTimeout);
  ASSERT_TRUE(listening.has_value()) << server.stdout_text() << server.stderr_text();
  EXPECT_THAT(*listening, StartsWith("epc-extender " EPC_EXPECTED_VERSION " listening on "));
  EXPECT_THAT(*listening, HasSubstr("(prefix \"/sgx\")"));
  const int port = port_of(*listening);
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
}

TEST(Binary, CommandLineErrorExitsWith2AndPointsToHelp) {
  ChildProcess child(command({"serve", "--listen", "nope"}));
  ASSERT_TRUE(child.started());
  EXPECT_EQ(child.wait_exit(kTimeout), 2);
  const std::string errors = child.stderr_text();
  EXPECT_THAT(errors, HasSubstr("epc-extender: --listen: missing port in \"nope\""));
  EXPECT_THAT(errors, HasSubstr("--help"));
}

TEST(Binary, MissingClusterFileExitsWith1) {
  ChildProcess child(
      command({"serve", "--listen", "127.0.0.1:0", "--cluster-file", "/nonexistent/cluster.json"}));
  ASSERT_TRUE(child.started());
  EXPECT_EQ(child.wait_exit(kTimeout), 1);
  EXPECT_THAT(child.stderr_text(), HasSubstr("/nonexistent/cluster.json"));
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
