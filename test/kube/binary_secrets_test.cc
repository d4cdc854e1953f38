// `epc-extender serve --log-level=debug` against a fake API server that wants a bearer token and a
// client certificate: through successes, bad requests, API errors, a failed bind and a token the
// server stops accepting, stderr never shows the token or the client key, in either log format.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "child_process.h"
#include "http_test_support.h"
#include "kube_test_support.h"
#include "test_http_client.h"

namespace epc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;
using namespace std::chrono_literals;

// Opaque rather than a JWT, so that a leak would not be hidden by the logger's scrubbing.
constexpr const char* kToken = "opaque-token-7d41c9e2a0b8";

std::string base64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t chunk = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) chunk |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) chunk |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

class BinarySecretsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(test::make_pki(pki_.path(), "IP:127.0.0.1"));
    test::write_file(pki_.file("token"), std::string(kToken) + "\n");
    client_key_ = test::read_text(pki_.file("client.key"));
  }

  std::string kubeconfig(const test::FakeApiServer& api) const {
    return "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
           "clusters: [{name: fake, cluster: {server: \"" +
           api.url() +
           "\", certificate-authority-data: " + base64(test::read_text(pki_.file("ca.crt"))) +
           "}}]\n"
           "users: [{name: scheduler, user: {token: " +
           kToken +
           ", client-certificate-data: " + base64(test::read_text(pki_.file("client.crt"))) +
           ", client-key-data: " + base64(client_key_) +
           "}}]\n"
           "contexts: [{name: test, context: {cluster: fake, user: scheduler}}]\n";
  }

  // Every piece of the key a leak could show: each line of its body, and its base64 as the
  // kubeconfig holds it.
  void expect_no_secret_in(const std::string& text) const {
    EXPECT_THAT(text, Not(HasSubstr(kToken)));
    EXPECT_THAT(text, Not(HasSubstr("PRIVATE KEY")));
    size_t start = client_key_.find('\n') + 1;
    for (size_t end = client_key_.find('\n', start); end != std::string::npos;
         start = end + 1, end = client_key_.find('\n', start)) {
      const std::string line = client_key_.substr(start, end - start);
      if (line.starts_with("-----") || line.size() < 8) continue;
      EXPECT_THAT(text, Not(HasSubstr(line)));
    }
    EXPECT_THAT(text, Not(HasSubstr(base64(client_key_).substr(0, 24))));
  }

  test::TempDir pki_;
  std::string client_key_;
};

TEST_P(BinarySecretsTest, NeverLogsTheTokenOrTheClientKey) {
  test::FakeApiServer api({"--token-file", pki_.file("token"), "--tls-cert",
                           pki_.file("server.crt"), "--tls-key", pki_.file("server.key"),
                           "--client-ca", pki_.file("ca.crt")});
  ASSERT_TRUE(api.started());
  api.use_client_certificate(pki_.file("client.crt"), pki_.file("client.key"));
  api.put(test::node_object("sgx-a", "128Mi"));
  Json pending = test::pod_object("default", "p1", "64Mi", "", "Pending");
  pending["metadata"]["uid"] = "uid-p1";
  api.put(pending);
  test::TempDir dir;
  test::write_file(dir.file("kubeconfig"), kubeconfig(api));

  test::ChildProcess extender({EPC_EXTENDER_BINARY, "serve", "--kubeconfig", dir.file("kubeconfig"),
                               "--listen", "127.0.0.1:0", "--log-level=debug",
                               "--log-format=" + GetParam()});
  ASSERT_TRUE(extender.started());
  // Every wait is generous: under the sanitizers on a loaded machine each step takes seconds, and
  // a passing run does not wait at all.
  const std::optional<std::string> listening = extender.wait_for_stderr_line("listening on", 30s);
  ASSERT_TRUE(listening.has_value()) << extender.stderr_text();
  const int port = test::listening_port(*listening);
  const auto get = [&](const std::string& path) {
    return test::send_request(port, test::get_request(path), 30s);
  };
  const auto post = [&](const std::string& path, const std::string& body) {
    return test::send_request(port, test::post_request(path, body), 30s);
  };
  const auto status_of = [&](const std::string& path, const std::string& body) {
    const auto response = post(path, body);
    EXPECT_TRUE(response.ok()) << path << ": " << (response.ok() ? "" : response.error().message)
                               << "\n"
                               << extender.stderr_text();
    return response.ok() ? response->status : 0;
  };
  ASSERT_TRUE(test::wait_until(
      [&] {
        auto ready = get("/readyz");
        return ready.ok() && ready->status == 200;
      },
      60s));

  // A decision, a bad request, a bind the API server fails and one for a pod it does not know.
  EXPECT_EQ(status_of("/filter", test::filter_request("p1")), 200);
  EXPECT_EQ(status_of("/filter", "{\"Pod\": "), 400);
  api.set_faults({{"binding_fail", 500}});
  const auto failed_bind = post(
      "/bind", R"({"PodName":"p1","PodNamespace":"default","PodUID":"uid-p1","Node":"sgx-a"})");
  ASSERT_TRUE(failed_bind.ok()) << failed_bind.error().message << "\n" << extender.stderr_text();
  EXPECT_THAT(failed_bind->body, HasSubstr("HTTP 500"));
  const auto unknown_bind =
      post("/bind", R"({"PodName":"ghost","PodNamespace":"default","PodUID":"u","Node":"sgx-a"})");
  ASSERT_TRUE(unknown_bind.ok()) << unknown_bind.error().message << "\n" << extender.stderr_text();

  // A list the server fails, then a token it no longer accepts: the reflectors log their retries.
  api.set_faults({{"list_status", {{"status", 500}, {"count", 2}}}, {"watch_gone_status", 2}});
  api.close_watches("clean");
  EXPECT_TRUE(extender.wait_for_stderr_line("injected fault; retrying in", 30s))
      << extender.stderr_text();
  test::write_file(pki_.file("token"), "a-token-the-extender-does-not-have\n");
  api.close_watches("clean");
  EXPECT_TRUE(extender.wait_for_stderr_line("Unauthorized", 30s)) << extender.stderr_text();

  extender.send_signal(SIGTERM);
  EXPECT_EQ(extender.wait_exit(30s), 0) << extender.stderr_text();
  const std::string logs = extender.stderr_text();
  expect_no_secret_in(logs);
  expect_no_secret_in(extender.stdout_text());
  // The failures did reach the log, with their reasons.
  EXPECT_THAT(logs, HasSubstr("POST /filter: 400"));
  EXPECT_THAT(logs, HasSubstr("Unauthorized"));
}

INSTANTIATE_TEST_SUITE_P(Formats, BinarySecretsTest, ::testing::Values("json", "text"));

}  // namespace
}  // namespace epc
