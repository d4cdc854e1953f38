// ApiClient against the fake API server: streaming, cancellation, bindings, tokens and TLS.
// gtest first: cpprestsdk defines a macro U that breaks gtest's templates when included before.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/kube/api_client.h"

#include <atomic>
#include <mutex>

#include "kube_test_support.h"
#include "scheduler/kube/api_state_source.h"

namespace epc {
namespace {

using test::FakeApiServer;
using test::node_object;
using test::pod_object;
using test::TempDir;
using test::wait_converged;
using test::wait_until;
using test::write_file;
using ::testing::HasSubstr;

std::unique_ptr<ApiClient> make_client(const KubeConnection& connection) {
  ApiClientOptions options;
  options.request_timeout = std::chrono::seconds(5);
  options.watch_timeout = std::chrono::seconds(30);
  Result<std::unique_ptr<ApiClient>> client = ApiClient::create(connection, options);
  EXPECT_TRUE(client) << client.error().message;
  return client ? std::move(*client) : nullptr;
}

KubeConnection plain(const FakeApiServer& server) {
  KubeConnection connection;
  connection.server = server.url();
  return connection;
}

TEST(ApiClientCreate, ConfigurationErrorsAreReportedUpFront) {
  KubeConnection bad_scheme;
  bad_scheme.server = "ftp://example";
  Result<std::unique_ptr<ApiClient>> scheme = ApiClient::create(bad_scheme);
  ASSERT_FALSE(scheme);
  EXPECT_THAT(scheme.error().message, HasSubstr("scheme must be https or http"));

  KubeConnection missing_ca;
  missing_ca.server = "https://127.0.0.1:1";
  missing_ca.ca_file = "/nonexistent/ca.crt";
  Result<std::unique_ptr<ApiClient>> ca = ApiClient::create(missing_ca);
  ASSERT_FALSE(ca);
  EXPECT_THAT(ca.error().message, HasSubstr("/nonexistent/ca.crt"));

  KubeConnection bad_pem;
  bad_pem.server = "https://127.0.0.1:1";
  bad_pem.ca_data = "not a certificate";
  EXPECT_FALSE(ApiClient::create(bad_pem));
}

class ApiClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    client_ = make_client(plain(server_));
    ASSERT_NE(client_, nullptr);
  }

  FakeApiServer server_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(ApiClientTest, GetReturnsStatusAndBody) {
  server_.put(node_object("n1"));
  ApiResponse nodes = client_->get("/api/v1/nodes").get();
  EXPECT_EQ(nodes.status, 200);
  EXPECT_THAT(nodes.body, HasSubstr("\"n1\""));
  ApiResponse missing = client_->get("/api/v1/nodes/nope").get();
  EXPECT_EQ(missing.status, 404);
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.describe(), "HTTP 404: nodes \"nope\" not found");
}

TEST_F(ApiClientTest, TransportErrorIsAValue) {
  KubeConnection nowhere;
  nowhere.server = "http://127.0.0.1:1";
  auto client = make_client(nowhere);
  ApiResponse response = client->get("/api/v1/nodes").get();
  EXPECT_EQ(response.status, 0);
  EXPECT_FALSE(response.transport_error.empty());
}

TEST_F(ApiClientTest, WatchDeliversLinesWhileTheStreamIsOpenAndCancels) {
  std::mutex mutex;
  std::vector<std::string> lines;
  std::atomic<bool> opened{false};
  pplx::cancellation_token_source cancel;
  pplx::task<WatchEnd> watching = client_->watch(
      "/api/v1/nodes?watch=true&resourceVersion=0&timeoutSeconds=30",
      [&](std::string_view line) -> Result<void> {
        std::lock_guard lock(mutex);
        lines.emplace_back(line);
        return {};
      },
      cancel.get_token(), [&] { opened = true; });
  ASSERT_TRUE(wait_until([&] { return opened.load(); }));
  server_.put(node_object("n1"));
  server_.put(node_object("n2"));
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(mutex);
    return lines.size() == 2;
  }));
  EXPECT_FALSE(watching.is_done());
  {
    std::lock_guard lock(mutex);
    EXPECT_THAT(lines[0], HasSubstr("\"type\":\"ADDED\""));
    EXPECT_THAT(lines[1], HasSubstr("\"n2\""));
  }
  cancel.cancel();
  ASSERT_TRUE(wait_until([&] { return watching.is_done(); }));
  EXPECT_FALSE(watching.get().result);
}

TEST_F(ApiClientTest, WatchEndsCleanlyWhenTheServerEndsIt) {
  server_.put(node_object("n1"));
  int count = 0;
  WatchEnd end = client_
                     ->watch(
                         "/api/v1/nodes?watch=true&resourceVersion=0&timeoutSeconds=1",
                         [&](std::string_view) -> Result<void> {
                           ++count;
                           return {};
                         },
                         pplx::cancellation_token::none())
                     .get();
  EXPECT_TRUE(end.result) << end.result.error().message;
  EXPECT_EQ(end.http_status, 200);
  EXPECT_EQ(count, 1);
}

TEST_F(ApiClientTest, WatchFailsWhenTheHandlerFailsOrTheServerRefuses) {
  server_.put(node_object("n1"));
  WatchEnd failed =
      client_
          ->watch(
              "/api/v1/nodes?watch=true&resourceVersion=0&timeoutSeconds=30",
              [](std::string_view) -> Result<void> { return make_error("handler says no"); },
              pplx::cancellation_token::none())
          .get();
  ASSERT_FALSE(failed.result);
  EXPECT_EQ(failed.result.error().message, "handler says no");

  server_.set_faults({{"watch_gone_status", 1}});
  WatchEnd gone =
      client_
          ->watch(
              "/api/v1/nodes?watch=true&resourceVersion=1",
              [](std::string_view) -> Result<void> { return {}; }, pplx::cancellation_token::none())
          .get();
  EXPECT_EQ(gone.http_status, 410);
  ASSERT_FALSE(gone.result);
  EXPECT_THAT(gone.result.error().message, HasSubstr("HTTP 410"));
}

TEST_F(ApiClientTest, BindingCreatedConflictAndServerError) {
  server_.put(node_object("n1"));
  server_.put(node_object("n2"));
  server_.put(pod_object("ns", "p", "1Gi"));
  server_.put(pod_object("ns", "q", "1Gi"));
  std::string uid;
  const nlohmann::json before = server_.control_get("state")["objects"];
  for (const auto& object : before) {
    if (object["metadata"]["name"] == "q") uid = object["metadata"]["uid"];
  }
  ASSERT_FALSE(uid.empty());

  CreateOutcome bound = client_->create_binding("ns", "p", "", "n1").get();
  ASSERT_TRUE(bound.result) << bound.result.error().message;
  EXPECT_EQ(bound.http_status, 201);
  bool found = false;
  const nlohmann::json objects = server_.control_get("state")["objects"];
  for (const auto& object : objects) {
    if (object["metadata"]["name"] == "p") {
      found = true;
      EXPECT_EQ(object["spec"].value("nodeName", ""), "n1");
    }
  }
  EXPECT_TRUE(found);

  CreateOutcome conflict = client_->create_binding("ns", "p", "", "n2").get();
  ASSERT_FALSE(conflict.result);
  EXPECT_EQ(conflict.http_status, 409);
  EXPECT_THAT(conflict.result.error().message, HasSubstr("binding ns/p to n2: HTTP 409"));
  EXPECT_THAT(conflict.result.error().message,
              HasSubstr("pod p is already assigned to node \"n1\""));

  server_.set_faults({{"binding_fail", 500}});
  CreateOutcome failed = client_->create_binding("ns", "q", uid, "n2").get();
  ASSERT_FALSE(failed.result);
  EXPECT_EQ(failed.http_status, 500);
  EXPECT_THAT(failed.result.error().message, HasSubstr("HTTP 500"));

  server_.set_faults({{"down", true}});
  CreateOutcome unanswered = client_->create_binding("ns", "q", uid, "n2").get();
  server_.set_faults({{"down", false}});
  ASSERT_FALSE(unanswered.result);
  EXPECT_EQ(unanswered.http_status, 0);
}

TEST(TokenRotation, TheClientRereadsItsTokenFile) {
  TempDir dir;
  const std::string token_file = dir.file("token");
  write_file(token_file, "token-1\n");
  FakeApiServer server({"--token-file", token_file});
  ASSERT_TRUE(server.started());
  server.put(node_object("n1"));

  KubeConnection connection = plain(server);
  connection.token_file = token_file;
  ClusterState state(EpcResources::defaults());
  ApiStateSourceOptions options;
  options.reflector.backoff = {std::chrono::milliseconds(50), std::chrono::milliseconds(500), 0.2};
  ApiStateSource source(connection, state, {}, options);
  ASSERT_TRUE(source.start());
  ASSERT_TRUE(wait_until([&] { return source.readiness().ready; })) << source.readiness().reason;

  write_file(token_file, "token-2\n");  // the server accepts only this one from now on
  server.control_post("requests/clear", nlohmann::json::object());
  server.close_watches("clean");
  server.put(pod_object("ns", "after-rotation", "1Gi", "n1"));
  EXPECT_EQ(wait_converged(state, server), "");
  ASSERT_TRUE(wait_until([&] {
    for (const auto& request : server.requests()) {
      if (request["authorized"] == true) return true;
    }
    return false;
  }));
  source.stop();
}

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = std::make_unique<TempDir>();
    // The certificate names only a DNS name, so connecting by IP needs tls-server-name.
    ASSERT_TRUE(test::make_pki(pki_->path(), "DNS:apiserver.test"));
  }
  static void TearDownTestSuite() { pki_.reset(); }

  void SetUp() override { ASSERT_TRUE(server_.started()); }

  KubeConnection connection() const {
    KubeConnection result;
    result.server = server_.url();
    result.ca_file = file("ca.crt");
    result.client_cert_file = file("client.crt");
    result.client_key_file = file("client.key");
    result.tls_server_name = "apiserver.test";
    return result;
  }
  static std::string file(const std::string& name) { return pki_->file(name); }

  ApiResponse get_nodes(const KubeConnection& with) const {
    auto client = make_client(with);
    if (!client) return {};
    return client->get("/api/v1/nodes").get();
  }

  static std::unique_ptr<TempDir> pki_;
  FakeApiServer server_{{"--tls-cert", file("server.crt"), "--tls-key", file("server.key"),
                         "--client-ca", file("ca.crt")}};
};

std::unique_ptr<TempDir> Tls::pki_;

TEST_F(Tls, CaAndClientCertificateFromFiles) {
  ApiResponse response = get_nodes(connection());
  EXPECT_EQ(response.status, 200) << response.describe();
}

TEST_F(Tls, CaAndClientCertificateFromData) {
  KubeConnection with_data = connection();
  with_data.ca_data = test::read_text(file("ca.crt"));
  with_data.client_cert_data = test::read_text(file("client.crt"));
  with_data.client_key_data = test::read_text(file("client.key"));
  with_data.ca_file = with_data.client_cert_file = with_data.client_key_file = "";
  ApiResponse response = get_nodes(with_data);
  EXPECT_EQ(response.status, 200) << response.describe();
}

TEST_F(Tls, ServerNameMismatchIsRejected) {
  KubeConnection by_ip = connection();
  by_ip.tls_server_name = "";
  ApiResponse response = get_nodes(by_ip);
  EXPECT_EQ(response.status, 0);
  EXPECT_FALSE(response.transport_error.empty());
}

TEST_F(Tls, MissingClientCertificateIsRejected) {
  KubeConnection anonymous = connection();
  anonymous.client_cert_file = anonymous.client_key_file = "";
  EXPECT_NE(get_nodes(anonymous).status, 200);
}

TEST_F(Tls, UnknownCaIsRejectedUnlessVerificationIsSkipped) {
  TempDir other;
  ASSERT_TRUE(test::make_pki(other.path(), "DNS:apiserver.test"));
  KubeConnection wrong_ca = connection();
  wrong_ca.ca_file = other.file("ca.crt");
  EXPECT_EQ(get_nodes(wrong_ca).status, 0);

  wrong_ca.insecure_skip_tls_verify = true;
  ApiResponse skipped = get_nodes(wrong_ca);
  EXPECT_EQ(skipped.status, 200) << skipped.describe();
}

TEST_F(Tls, ApiSourceSyncsOverTls) {
  server_.use_client_certificate(file("client.crt"), file("client.key"));
  server_.put(node_object("n1"));
  server_.put(pod_object("ns", "p", "1Gi", "n1"));
  ClusterState state(EpcResources::defaults());
  ApiStateSource source(connection(), state, {});
  ASSERT_TRUE(source.start());
  EXPECT_TRUE(wait_until([&] { return source.readiness().ready; })) << source.readiness().reason;
  EXPECT_EQ(wait_converged(state, server_), "");
  source.stop();
}

}  // namespace
}  // namespace epc
