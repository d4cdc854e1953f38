#include "scheduler/kube/kube_connection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "kube_test_support.h"
#include "scheduler/kube/base64.h"

namespace epc {
namespace {

using test::TempDir;
using test::write_file;
using ::testing::HasSubstr;

// base64 of "-----BEGIN CERTIFICATE-----\nCA\n" and friends: only the decoding matters here.
constexpr const char* kCaPem = "-----BEGIN CERTIFICATE-----\nCA\n";
constexpr const char* kCaBase64 = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkNBCg==";

std::string kubeconfig(const std::string& user_body, const std::string& cluster_extra = "") {
  return "apiVersion: v1\n"
         "kind: Config\n"
         "current-context: main\n"
         "clusters:\n"
         "- name: prod\n"
         "  cluster:\n"
         "    server: https://10.1.2.3:6443\n" +
         cluster_extra +
         "- name: other\n"
         "  cluster:\n"
         "    server: https://other:443\n"
         "contexts:\n"
         "- name: main\n"
         "  context: {cluster: prod, user: admin}\n"
         "- name: second\n"
         "  context: {cluster: other, user: admin}\n"
         "users:\n"
         "- name: admin\n"
         "  user:\n" +
         user_body;
}

Result<KubeConnection> load(const TempDir& dir, const std::string& text,
                            const std::string& context = "") {
  write_file(dir.file("config"), text);
  return load_kubeconfig(dir.file("config"), context);
}

TEST(Base64, DecodesPaddedAndUnpaddedInput) {
  EXPECT_EQ(*decode_base64("aGVsbG8="), "hello");
  EXPECT_EQ(*decode_base64("aGVsbG8h"), "hello!");
  EXPECT_EQ(*decode_base64("aGVs\nbG8="), "hello");
  EXPECT_EQ(*decode_base64(kCaBase64), kCaPem);
}

TEST(Base64, RejectsBadCharactersAndTruncation) {
  Result<std::string> bad = decode_base64("aGV*bG8=");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "invalid base64: '*' at offset 3");
  EXPECT_FALSE(decode_base64("aGVsb"));
  EXPECT_FALSE(decode_base64("aG=Vs"));
}

TEST(Kubeconfig, TokenUserAndCaDataFromCurrentContext) {
  TempDir dir;
  Result<KubeConnection> connection =
      load(dir, kubeconfig("    token: \" abc123 \"\n",
                           std::string("    certificate-authority-data: ") + kCaBase64 + "\n" +
                               "    tls-server-name: api.internal\n"));
  ASSERT_TRUE(connection) << connection.error().message;
  EXPECT_EQ(connection->server, "https://10.1.2.3:6443");
  EXPECT_EQ(connection->token, "abc123");
  EXPECT_EQ(connection->ca_data, kCaPem);
  EXPECT_EQ(connection->tls_server_name, "api.internal");
  EXPECT_FALSE(connection->insecure_skip_tls_verify);
}

TEST(Kubeconfig, ExplicitContextWinsOverCurrentContext) {
  TempDir dir;
  Result<KubeConnection> connection = load(dir, kubeconfig("    token: t\n"), "second");
  ASSERT_TRUE(connection) << connection.error().message;
  EXPECT_EQ(connection->server, "https://other:443");
}

TEST(Kubeconfig, RelativePathsResolveAgainstTheKubeconfigDirectory) {
  TempDir dir;
  Result<KubeConnection> connection =
      load(dir, kubeconfig("    tokenFile: secrets/token\n"
                           "    client-certificate: certs/client.crt\n"
                           "    client-key: /abs/client.key\n",
                           "    certificate-authority: ../ca.crt\n"
                           "    insecure-skip-tls-verify: true\n"));
  ASSERT_TRUE(connection) << connection.error().message;
  EXPECT_EQ(connection->token_file, dir.file("secrets/token"));
  EXPECT_EQ(connection->client_cert_file, dir.file("certs/client.crt"));
  EXPECT_EQ(connection->client_key_file, "/abs/client.key");
  EXPECT_EQ(connection->ca_file, std::filesystem::path(dir.path()).parent_path() / "ca.crt");
  EXPECT_TRUE(connection->insecure_skip_tls_verify);
}

TEST(Kubeconfig, ClientCertificateData) {
  TempDir dir;
  Result<KubeConnection> connection =
      load(dir, kubeconfig(std::string("    client-certificate-data: ") + kCaBase64 +
                           "\n    client-key-data: aGVsbG8=\n"));
  ASSERT_TRUE(connection) << connection.error().message;
  EXPECT_EQ(connection->client_cert_data, kCaPem);
  EXPECT_EQ(connection->client_key_data, "hello");
}

TEST(Kubeconfig, BadBase64NamesTheField) {
  TempDir dir;
  Result<KubeConnection> connection = load(dir, kubeconfig("    client-key-data: a*b\n"));
  ASSERT_FALSE(connection);
  EXPECT_THAT(connection.error().message,
              HasSubstr("user \"admin\": client-key-data: invalid base64"));
}

TEST(Kubeconfig, ExecAuthIsRefusedByName) {
  TempDir dir;
  Result<KubeConnection> connection =
      load(dir, kubeconfig("    exec:\n      command: kubelogin\n      apiVersion: x\n"));
  ASSERT_FALSE(connection);
  EXPECT_THAT(connection.error().message, HasSubstr("user \"admin\""));
  EXPECT_THAT(connection.error().message, HasSubstr("\"exec\" is not supported"));
}

TEST(Kubeconfig, MissingUserClusterOrContextIsNamed) {
  TempDir dir;
  std::string text = kubeconfig("    token: t\n");
  text.replace(text.find("- name: admin"), 13, "- name: someone");
  Result<KubeConnection> no_user = load(dir, text);
  ASSERT_FALSE(no_user);
  EXPECT_THAT(no_user.error().message, HasSubstr("user \"admin\" not found in users"));

  text = kubeconfig("    token: t\n");
  text.replace(text.find("- name: prod"), 12, "- name: gone");
  Result<KubeConnection> no_cluster = load(dir, text);
  ASSERT_FALSE(no_cluster);
  EXPECT_THAT(no_cluster.error().message, HasSubstr("cluster \"prod\" not found in clusters"));

  Result<KubeConnection> no_context = load(dir, kubeconfig("    token: t\n"), "nope");
  ASSERT_FALSE(no_context);
  EXPECT_THAT(no_context.error().message, HasSubstr("context \"nope\" not found"));
}

TEST(Kubeconfig, MissingFileIsAnError) {
  Result<KubeConnection> connection = load_kubeconfig("/nonexistent/kubeconfig");
  ASSERT_FALSE(connection);
  EXPECT_THAT(connection.error().message, HasSubstr("/nonexistent/kubeconfig"));
}

class InCluster : public ::testing::Test {
 protected:
  GetEnv env() const {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto found = vars_.find(std::string(name));
      if (found == vars_.end()) return std::nullopt;
      return found->second;
    };
  }
  std::map<std::string, std::string> vars_ = {{"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                                              {"KUBERNETES_SERVICE_PORT", "443"}};
  TempDir dir_;
};

TEST_F(InCluster, ReadsServiceAccountDirectory) {
  write_file(dir_.file("token"), "tok");
  write_file(dir_.file("ca.crt"), kCaPem);
  Result<KubeConnection> connection = in_cluster_connection(env(), dir_.path());
  ASSERT_TRUE(connection) << connection.error().message;
  EXPECT_EQ(connection->server, "https://10.0.0.1:443");
  EXPECT_EQ(connection->token_file, dir_.file("token"));
  EXPECT_EQ(connection->ca_file, dir_.file("ca.crt"));
}

TEST_F(InCluster, Ipv6HostIsBracketed) {
  vars_["KUBERNETES_SERVICE_HOST"] = "fd00::1";
  write_file(dir_.file("token"), "tok");
  write_file(dir_.file("ca.crt"), kCaPem);
  Result<KubeConnection> connection = in_cluster_connection(env(), dir_.path());
  ASSERT_TRUE(connection) << connection.error().message;
  EXPECT_EQ(connection->server, "https://[fd00::1]:443");
}

TEST_F(InCluster, MissingVariablesAndFilesAreNamed) {
  vars_.erase("KUBERNETES_SERVICE_PORT");
  Result<KubeConnection> no_port = in_cluster_connection(env(), dir_.path());
  ASSERT_FALSE(no_port);
  EXPECT_THAT(no_port.error().message, HasSubstr("KUBERNETES_SERVICE_PORT"));

  vars_.clear();
  Result<KubeConnection> no_host = in_cluster_connection(env(), dir_.path());
  ASSERT_FALSE(no_host);
  EXPECT_THAT(no_host.error().message, HasSubstr("KUBERNETES_SERVICE_HOST"));

  vars_ = {{"KUBERNETES_SERVICE_HOST", "h"}, {"KUBERNETES_SERVICE_PORT", "1"}};
  Result<KubeConnection> no_token = in_cluster_connection(env(), dir_.path());
  ASSERT_FALSE(no_token);
  EXPECT_THAT(no_token.error().message, HasSubstr(dir_.file("token")));
}

}  // namespace
}  // namespace epc
