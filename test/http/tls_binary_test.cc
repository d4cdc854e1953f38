// The epc-extender binary over HTTPS, checked with the curl and openssl clients: mTLS lets the
// valid client in and rejects every bad one (no certificate, another CA, expired, TLS 1.1, plain
// HTTP), TLS without a client CA serves anyone, certificates are reloaded from changed files
// (in place in two steps, or by a Secret-volume symlink swap) and a broken replacement is kept
// out. Rejections are checked to come from the server: the client sees the server's alert, and the
// same client succeeds when only the rejected detail is fixed.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child_process.h"
#include "tls_test_support.h"

namespace epc {
namespace {

using test::ChildProcess;
using test::CommandResult;
using test::run_command;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::chrono::seconds kTimeout{10};

std::string demo(const std::string& name) {
  return std::string(EPC_SOURCE_DIR) + "/demo/" + name;
}

// A running `epc-extender serve` with the given TLS flags, on a free port.
class Server {
 public:
  explicit Server(const std::vector<std::string>& tls_flags) {
    std::vector<std::string> argv = {EPC_EXTENDER_BINARY, "serve",          "--listen",
                                     "127.0.0.1:0",       "--cluster-file", demo("cluster.json")};
    argv.insert(argv.end(), tls_flags.begin(), tls_flags.end());
    process_ = std::make_unique<ChildProcess>(argv);
    if (!process_->started()) return;
    const std::optional<std::string> line =
        process_->wait_for_stderr_line("listening on", kTimeout);
    if (!line) return;
    const nlohmann::json json = nlohmann::json::parse(*line, nullptr, false);
    url_ = json.is_object() ? json.value("url", "") : "";
  }
  ~Server() {
    if (!process_ || !process_->started()) return;
    process_->send_signal(SIGTERM);
    process_->wait_exit(kTimeout);
  }

  // "https://127.0.0.1:PORT"; empty when the server did not start.
  const std::string& url() const { return url_; }
  std::string address() const { return url_.substr(url_.find("//") + 2); }
  std::string http_url() const { return "http://" + address(); }
  // Everything logged so far (waits briefly for more).
  std::string logs() { return process_->stderr_text(); }
  bool logged(std::string_view needle, std::chrono::milliseconds wait) {
    return process_->wait_for_stderr_line(needle, wait).has_value();
  }

 private:
  std::unique_ptr<ChildProcess> process_;
  std::string url_;
};

struct Reply {
  std::optional<int> exit_code;  // curl's
  int status = 0;                // 0: no HTTP response
  std::string body;
  std::string errors;  // curl's stderr
};

// curl with `options` (certificates, data), never through a proxy, bounded in time.
Reply curl(const std::string& url, std::vector<std::string> options) {
  std::vector<std::string> argv = {"curl", "-sS", "--noproxy", "*",  "--max-time",
                                   "5",    "-H",  "Expect:",   "-w", "\n%{http_code}"};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back(url);
  const CommandResult result = run_command(argv);
  Reply reply{result.exit_code, 0, result.out, result.err};
  const size_t last = reply.body.rfind('\n');
  if (last != std::string::npos) {
    reply.status = std::atoi(reply.body.c_str() + last + 1);
    reply.body.resize(last);
  }
  return reply;
}

class TlsBinaryTest : public test::CertificatesTest {
 protected:
  static std::vector<std::string> client(const std::string& name) {
    return {"--cert", cert(name + ".crt"), "--key", cert(name + ".key")};
  }
  static std::vector<std::string> trusting(const std::string& ca,
                                           std::vector<std::string> more = {}) {
    more.insert(more.begin(), {"--cacert", cert(ca)});
    return more;
  }
  static std::vector<std::string> mtls_flags() {
    return {"--tls-cert-file",  cert("server.crt"), "--tls-private-key-file",
            cert("server.key"), "--client-ca-file", cert("ca.crt")};
  }

  // The serial of the certificate the server presents to a new connection (openssl s_client,
  // verifying it against ca.crt and presenting the good client certificate); "" on failure.
  std::string presented_serial(const Server& server) const {
    const CommandResult shown = run_command(
        {"openssl", "s_client", "-connect", server.address(), "-CAfile", cert("ca.crt"),
         "-verify_return_error", "-cert", cert("client.crt"), "-key", cert("client.key")});
    const size_t begin = shown.out.find("-----BEGIN CERTIFICATE-----");
    const std::string end_marker = "-----END CERTIFICATE-----";
    const size_t end = shown.out.find(end_marker, begin);
    if (shown.exit_code != 0 || begin == std::string::npos || end == std::string::npos) return "";
    const std::string pem = dir_.file("presented.crt");
    std::ofstream(pem) << shown.out.substr(begin, end + end_marker.size() - begin) << "\n";
    return test::serial_of_file(pem);
  }

  // Polls new connections until the server presents `serial` (reloads are checked at most once a
  // second, on a connection).
  bool presents_within(const Server& server, const std::string& serial,
                       std::chrono::seconds limit = kTimeout) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (presented_serial(server) == serial) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // Makes connections until the server logs a line containing `needle`.
  bool logs_after_connections(Server& server, std::string_view needle) const {
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
      (void)presented_serial(server);
      if (server.logged(needle, std::chrono::milliseconds(200))) return true;
    }
    return false;
  }

  test::TempDir dir_;
};

TEST_F(TlsBinaryTest, MutualTlsServesAValidClient) {
  Server server(mtls_flags());
  ASSERT_THAT(server.url(), StartsWith("https://127.0.0.1:")) << server.logs();
  EXPECT_THAT(server.logs(),
              HasSubstr("client certificates required, signed by " + cert("ca.crt")));

  const Reply health = curl(server.url() + "/healthz", trusting("ca.crt", client("client")));
  EXPECT_EQ(health.exit_code, 0) << health.errors;
  EXPECT_EQ(health.status, 200) << health.errors;

  const Reply filter =
      curl(server.url() + "/filter",
           trusting("ca.crt", {"--cert", cert("client.crt"), "--key", cert("client.key"),
                               "--data-binary", "@" + demo("filter-request.json")}));
  ASSERT_EQ(filter.status, 200) << filter.errors << filter.body;
  const nlohmann::json reply = nlohmann::json::parse(filter.body, nullptr, false);
  ASSERT_TRUE(reply.is_object()) << filter.body;
  EXPECT_EQ(reply.value("Error", "?"), "");
  EXPECT_EQ(
      reply.value("NodeNames", nlohmann::json()),
      nlohmann::json({"aks-confpool-dc8sv3-0", "aks-confpool-dc8sv3-1", "aks-confpool-dc16sv3-0"}));
}

// Each bad client: no HTTP response at all, and the server's alert names why.
TEST_F(TlsBinaryTest, MutualTlsRejectsEveryBadClient) {
  Server server(mtls_flags());
  ASSERT_FALSE(server.url().empty()) << server.logs();
  const struct {
    const char* what;
    std::vector<std::string> options;
    const char* alert;
  } cases[] = {
      {"no client certificate", trusting("ca.crt"), "alert certificate required"},
      {"client certificate from another CA", trusting("ca.crt", client("client-other")),
       "alert unknown ca"},
      {"expired client certificate", trusting("ca.crt", client("client-expired")),
       "alert certificate expired"},
  };
  for (const auto& bad : cases) {
    const Reply reply = curl(server.url() + "/healthz", bad.options);
    EXPECT_NE(reply.exit_code, 0) << bad.what;
    EXPECT_EQ(reply.status, 0) << bad.what << ": " << reply.body;
    EXPECT_THAT(reply.errors, HasSubstr(bad.alert)) << bad.what;
  }
  // The same server still serves the good client.
  EXPECT_EQ(curl(server.url() + "/healthz", trusting("ca.crt", client("client"))).status, 200);
}

// The client offers only TLS 1.1 (with the security level that still allows it on OpenSSL 3),
// and the server answers with a protocol_version alert; the same client on TLS 1.2 gets in.
TEST_F(TlsBinaryTest, RejectsTls11) {
  Server server(mtls_flags());
  ASSERT_FALSE(server.url().empty()) << server.logs();
  const auto s_client = [&](const char* version) {
    return run_command({"openssl", "s_client", "-connect", server.address(), version, "-cipher",
                        "DEFAULT:@SECLEVEL=0", "-CAfile", cert("ca.crt"), "-cert",
                        cert("client.crt"), "-key", cert("client.key")});
  };
  const CommandResult old = s_client("-tls1_1");
  EXPECT_NE(old.exit_code, 0) << old.out;
  EXPECT_THAT(old.err, HasSubstr("alert protocol version")) << old.err;
  const CommandResult tls12 = s_client("-tls1_2");
  EXPECT_EQ(tls12.exit_code, 0) << tls12.err;
  EXPECT_THAT(tls12.out, HasSubstr("Protocol  : TLSv1.2"));
  EXPECT_THAT(tls12.out, HasSubstr("Verify return code: 0 (ok)"));
}

TEST_F(TlsBinaryTest, PlainHttpToTheTlsPortGetsNoReply) {
  Server server(mtls_flags());
  ASSERT_FALSE(server.url().empty()) << server.logs();
  const Reply reply = curl(server.http_url() + "/healthz", {});
  EXPECT_NE(reply.exit_code, 0);
  EXPECT_NE(reply.status, 200) << reply.body;
  EXPECT_EQ(curl(server.url() + "/healthz", trusting("ca.crt", client("client"))).status, 200);
}

TEST_F(TlsBinaryTest, WithoutClientCaAnyClientIsServed) {
  Server server({"--tls-cert-file", cert("selfsigned.crt"), "--tls-private-key-file",
                 cert("selfsigned.key")});
  ASSERT_THAT(server.url(), StartsWith("https://")) << server.logs();
  EXPECT_THAT(server.logs(), HasSubstr("no client certificates asked for"));
  EXPECT_EQ(curl(server.url() + "/healthz", trusting("selfsigned.crt")).status, 200);
  // The client checks the server too: a self-signed certificate it was not told to trust fails.
  const Reply untrusted = curl(server.url() + "/healthz", trusting("ca.crt"));
  EXPECT_EQ(untrusted.status, 0);
  EXPECT_THAT(untrusted.errors, HasSubstr("certificate"));
}

// A rotation that writes the certificate, then the key, into the files the server was given.
TEST_F(TlsBinaryTest, ReloadsRotatedFilesWithoutRestart) {
  const std::string crt = dir_.file("tls.crt");
  const std::string key = dir_.file("tls.key");
  ASSERT_TRUE(test::replace_file(cert("server.crt"), crt));
  ASSERT_TRUE(test::replace_file(cert("server.key"), key));
  Server server(
      {"--tls-cert-file", crt, "--tls-private-key-file", key, "--client-ca-file", cert("ca.crt")});
  ASSERT_FALSE(server.url().empty()) << server.logs();
  const std::string old_serial = test::serial_of_file(cert("server.crt"));
  const std::string new_serial = test::serial_of_file(cert("server2.crt"));
  ASSERT_EQ(presented_serial(server), old_serial);

  // Half-way: the new certificate with the old key is refused, the old pair still served.
  ASSERT_TRUE(test::replace_file(cert("server2.crt"), crt));
  ASSERT_TRUE(logs_after_connections(server, "does not match the certificate")) << server.logs();
  EXPECT_EQ(presented_serial(server), old_serial);
  EXPECT_EQ(curl(server.url() + "/healthz", trusting("ca.crt", client("client"))).status, 200);

  ASSERT_TRUE(test::replace_file(cert("server2.key"), key));
  EXPECT_TRUE(presents_within(server, new_serial)) << server.logs();
  EXPECT_EQ(curl(server.url() + "/healthz", trusting("ca.crt", client("client"))).status, 200);

  // A broken replacement is refused and logged; the server keeps serving the last good pair.
  {
    std::ofstream(crt + ".new") << "-----BEGIN CERTIFICATE-----\ngarbage\n";
    std::filesystem::rename(crt + ".new", crt);
  }
  ASSERT_TRUE(logs_after_connections(server,
                                     "TLS credentials reload failed, keeping the "
                                     "certificate serial " +
                                         new_serial))
      << server.logs();
  EXPECT_EQ(presented_serial(server), new_serial);
  EXPECT_EQ(curl(server.url() + "/healthz", trusting("ca.crt", client("client"))).status, 200);
}

// Kubernetes Secret volume: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>, swapped at once.
TEST_F(TlsBinaryTest, ReloadsASecretVolumeSymlinkSwap) {
  namespace fs = std::filesystem;
  const fs::path volume = dir_.file("secret");
  for (const auto& [version, pair] : {std::pair{"..2024_01", "server"}, {"..2024_02", "server2"}}) {
    fs::create_directories(volume / version);
    fs::copy_file(cert(std::string(pair) + ".crt"), volume / version / "tls.crt");
    fs::copy_file(cert(std::string(pair) + ".key"), volume / version / "tls.key");
  }
  fs::create_directory_symlink("..2024_01", volume / "..data");
  fs::create_symlink("..data/tls.crt", volume / "tls.crt");
  fs::create_symlink("..data/tls.key", volume / "tls.key");
  Server server({"--tls-cert-file", (volume / "tls.crt").string(), "--tls-private-key-file",
                 (volume / "tls.key").string(), "--client-ca-file", cert("ca.crt")});
  ASSERT_FALSE(server.url().empty()) << server.logs();
  ASSERT_EQ(presented_serial(server), test::serial_of_file(cert("server.crt")));

  fs::create_directory_symlink("..2024_02", volume / "..data_tmp");
  fs::rename(volume / "..data_tmp", volume / "..data");
  EXPECT_TRUE(presents_within(server, test::serial_of_file(cert("server2.crt")))) << server.logs();
  EXPECT_THAT(server.logs(),
              HasSubstr("TLS credentials reloaded from " + (volume / "tls.crt").string()));
  EXPECT_THAT(server.logs(), Not(HasSubstr("reload failed")));
}

TEST_F(TlsBinaryTest, UnloadableFilesFailStartupWithExit1) {
  const auto exit_of = [](const std::vector<std::string>& flags, std::string* errors) {
    std::vector<std::string> argv = {EPC_EXTENDER_BINARY, "serve",          "--listen",
                                     "127.0.0.1:0",       "--cluster-file", demo("cluster.json")};
    argv.insert(argv.end(), flags.begin(), flags.end());
    ChildProcess child(argv);
    const std::optional<int> code = child.wait_exit(kTimeout);
    *errors = child.stderr_text();
    return code;
  };
  std::string errors;
  EXPECT_EQ(exit_of({"--tls-cert-file", dir_.file("none.crt"), "--tls-private-key-file",
                     cert("server.key")},
                    &errors),
            1);
  EXPECT_THAT(errors, HasSubstr("--tls-cert-file " + dir_.file("none.crt") +
                                ": cannot read: No such file or directory"));
  EXPECT_THAT(errors, HasSubstr("\"level\":\"error\""));
  EXPECT_EQ(exit_of({"--tls-cert-file", cert("server.crt"), "--tls-private-key-file",
                     cert("server2.key")},
                    &errors),
            1);
  EXPECT_THAT(errors, HasSubstr("does not match the certificate in " + cert("server.crt")));
  EXPECT_EQ(exit_of({"--tls-cert-file", cert("server.crt"), "--tls-private-key-file",
                     cert("server.key"), "--client-ca-file", cert("server.key")},
                    &errors),
            1);
  EXPECT_THAT(errors, HasSubstr("--client-ca-file " + cert("server.key") + ": no PEM certificate"));
  // Flag combinations are command-line errors.
  EXPECT_EQ(exit_of({"--tls-cert-file", cert("server.crt")}, &errors), 2);
  EXPECT_THAT(errors, HasSubstr("--tls-cert-file and --tls-private-key-file go together"));
}

}  // namespace
}  // namespace epc
