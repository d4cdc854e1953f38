// Errors that end up in log lines never carry the bearer token or key material: kubeconfig
// problems name the file and the entry, TLS set-up problems name the part that failed.
// gtest first: cpprestsdk defines a macro U that breaks gtest's templates when included before.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/kube/api_client.h"
#include "scheduler/kube/kube_connection.h"

#include <string>

#include "kube_test_support.h"

namespace epc {
namespace {

using test::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

// Opaque rather than a JWT, so that a leak would not be hidden by the logger's scrubbing.
constexpr const char* kToken = "opaque-token-3f9c1a7e5b2d";

std::string kubeconfig_with_user(const std::string& user_body,
                                 const std::string& cluster_extra = "") {
  return "apiVersion: v1\nkind: Config\ncurrent-context: main\n"
         "clusters:\n- name: prod\n  cluster:\n    server: https://10.1.2.3:6443\n" +
         cluster_extra +
         "contexts:\n- name: main\n  context: {cluster: prod, user: admin}\n"
         "users:\n- name: admin\n  user:\n    token: " +
         std::string(kToken) + "\n" + user_body;
}

std::string kubeconfig_error(const std::string& text) {
  TempDir dir;
  test::write_file(dir.file("config"), text);
  const Result<KubeConnection> connection = load_kubeconfig(dir.file("config"));
  EXPECT_FALSE(connection.ok());
  return connection.ok() ? std::string() : connection.error().message;
}

TEST(KubeconfigErrors, ASyntaxErrorBesideTheTokenDoesNotEchoIt) {
  const std::string message = kubeconfig_error(kubeconfig_with_user("    client-key: [unclosed\n"));
  EXPECT_THAT(message, HasSubstr("end of sequence flow not found"));
  EXPECT_THAT(message, Not(HasSubstr(kToken)));
}

TEST(KubeconfigErrors, ABrokenTokenLineDoesNotEchoIt) {
  const std::string text =
      "apiVersion: v1\ncurrent-context: main\nusers:\n- name: admin\n"
      "  user:\n    token: " +
      std::string(kToken) + ": x\n";  // a second colon: "illegal map value"
  const std::string message = kubeconfig_error(text);
  EXPECT_THAT(message, HasSubstr("yaml-cpp: error at line 6"));
  EXPECT_THAT(message, Not(HasSubstr(kToken)));
}

TEST(KubeconfigErrors, BadKeyDataEchoesNeitherTheTokenNorTheKey) {
  const std::string message =
      kubeconfig_error(kubeconfig_with_user("    client-key-data: c2VjcmV0a2V5Ym9keQ*=\n"));
  EXPECT_THAT(message, HasSubstr("client-key-data: invalid base64"));
  EXPECT_THAT(message, Not(HasSubstr(kToken)));
  EXPECT_THAT(message, Not(HasSubstr("c2VjcmV0")));
}

TEST(KubeconfigErrors, AnUnsupportedMethodOrBadFlagDoesNotEchoTheToken) {
  for (const std::string extra : {"    exec: {command: get-token}\n", "    password: hunter2\n"}) {
    const std::string message = kubeconfig_error(kubeconfig_with_user(extra));
    EXPECT_THAT(message, HasSubstr("is not supported"));
    EXPECT_THAT(message, Not(HasSubstr(kToken)));
    EXPECT_THAT(message, Not(HasSubstr("hunter2")));
  }
  // A value of the wrong type: yaml-cpp's conversion error names the position, not the value.
  const std::string message = kubeconfig_error(
      kubeconfig_with_user("", "    insecure-skip-tls-verify: " + std::string(kToken) + "\n"));
  EXPECT_THAT(message, HasSubstr("kubeconfig "));
  EXPECT_THAT(message, Not(HasSubstr(kToken)));
}

class TlsMaterialErrors : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(test::make_pki(pki_.path(), "IP:127.0.0.1")); }

  std::string create_error(const std::string& key_pem) const {
    KubeConnection connection;
    connection.server = "https://127.0.0.1:1";
    connection.token = kToken;
    connection.client_cert_data = test::read_text(pki_.file("client.crt"));
    connection.client_key_data = key_pem;
    Result<std::unique_ptr<ApiClient>> client = ApiClient::create(connection);
    EXPECT_FALSE(client.ok());
    return client.ok() ? std::string() : client.error().message;
  }

  TempDir pki_;
};

TEST_F(TlsMaterialErrors, AnUnreadableKeyIsNotEchoed) {
  const std::string message = create_error(
      "-----BEGIN PRIVATE KEY-----\nc2VjcmV0a2V5Ym9keQ==\n-----END PRIVATE KEY-----\n");
  EXPECT_THAT(message, HasSubstr("client key"));
  EXPECT_THAT(message, Not(HasSubstr("c2VjcmV0a2V5Ym9keQ")));
  EXPECT_THAT(message, Not(HasSubstr(kToken)));
}

TEST_F(TlsMaterialErrors, AKeyThatDoesNotMatchTheCertificateIsNotEchoed) {
  const std::string other_key = test::read_text(pki_.file("server.key"));
  const std::string message = create_error(other_key);
  EXPECT_THAT(message, HasSubstr("client key"));
  // Any line of the key's body would be a leak.
  const size_t body = other_key.find('\n') + 1;
  EXPECT_THAT(message, Not(HasSubstr(other_key.substr(body, 16))));
  EXPECT_THAT(message, Not(HasSubstr("PRIVATE KEY")));
}

}  // namespace
}  // namespace epc
