// TlsCredentials and TlsCredentialsWatcher in process: loading errors word for word, what a
// configured context contains, and reloads (two-step rotation, Secret-volume symlink swap, broken
// files kept out, failures logged once).
#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http_test_support.h"
#include "scheduler/http/tls_credentials.h"
#include "scheduler/http/tls_credentials_watcher.h"
#include "tls_test_support.h"

namespace epc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class TlsCredentialsTest : public test::CertificatesTest {
 protected:
  static TlsFiles server_files(std::optional<std::string> client_ca = std::nullopt) {
    return {cert("server.crt"), cert("server.key"), std::move(client_ca)};
  }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string path = dir_.file(name);
    std::ofstream(path) << text;
    return path;
  }

  test::TempDir dir_;
};

struct SslCtxFree {
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

SslCtxPtr server_context() {
  return SslCtxPtr(SSL_CTX_new(TLS_server_method()));
}

TEST_F(TlsCredentialsTest, LoadsCertificateKeyAndClientCa) {
  Result<TlsCredentials> loaded = load_tls_credentials(server_files(cert("ca.crt")));
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->serial(), test::serial_of_file(cert("server.crt")));
  EXPECT_EQ(loaded->chain_length(), 0u);
  EXPECT_TRUE(loaded->verifies_clients());
}

TEST_F(TlsCredentialsTest, KeepsTheCertificatesAfterTheLeafAsItsChain) {
  Result<TlsCredentials> loaded =
      load_tls_credentials({cert("server-chain.crt"), cert("server.key"), std::nullopt});
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->serial(), test::serial_of_file(cert("server.crt")));
  EXPECT_EQ(loaded->chain_length(), 1u);
  EXPECT_FALSE(loaded->verifies_clients());
}

TEST_F(TlsCredentialsTest, MissingFilesAreNamedWithTheirFlag) {
  const std::string missing = dir_.file("missing.pem");
  EXPECT_EQ(load_tls_credentials({missing, cert("server.key"), std::nullopt}).error().message,
            "--tls-cert-file " + missing + ": cannot read: No such file or directory");
  EXPECT_EQ(load_tls_credentials({cert("server.crt"), missing, std::nullopt}).error().message,
            "--tls-private-key-file " + missing + ": cannot read: No such file or directory");
  EXPECT_EQ(load_tls_credentials(server_files(missing)).error().message,
            "--client-ca-file " + missing + ": cannot read: No such file or directory");
}

TEST_F(TlsCredentialsTest, GarbageIsNotAPemObject) {
  const std::string garbage = write("garbage.pem", "this is not PEM\n");
  EXPECT_EQ(load_tls_credentials({garbage, cert("server.key"), std::nullopt}).error().message,
            "--tls-cert-file " + garbage +
                ": no PEM certificate (error:0480006C:PEM routines::no start line)");
  EXPECT_EQ(load_tls_credentials({cert("server.crt"), garbage, std::nullopt}).error().message,
            "--tls-private-key-file " + garbage +
                ": no PEM private key (error:1E08010C:DECODER routines::unsupported)");
  EXPECT_EQ(load_tls_credentials(server_files(garbage)).error().message,
            "--client-ca-file " + garbage +
                ": no PEM certificate (error:0480006C:PEM routines::no start line)");
  // A key is not a certificate, and the other way round.
  EXPECT_EQ(
      load_tls_credentials({cert("server.key"), cert("server.key"), std::nullopt}).error().message,
      "--tls-cert-file " + cert("server.key") +
          ": no PEM certificate (error:0480006C:PEM routines::no start line)");
}

TEST_F(TlsCredentialsTest, ACorruptCertificateAfterTheFirstIsAnError) {
  const std::string leaf = test::read_file(cert("server.crt"));
  const std::string broken =
      write("broken-chain.pem", leaf +
                                    "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END "
                                    "CERTIFICATE-----\n");
  const Result<TlsCredentials> loaded =
      load_tls_credentials({broken, cert("server.key"), std::nullopt});
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.error().message,
              StartsWith("--tls-cert-file " + broken + ": unreadable certificate number 2 ("));
}

TEST_F(TlsCredentialsTest, AKeyOfAnotherPairIsRefused) {
  EXPECT_EQ(
      load_tls_credentials({cert("server.crt"), cert("server2.key"), std::nullopt}).error().message,
      "--tls-private-key-file " + cert("server2.key") + ": does not match the certificate in " +
          cert("server.crt") + " (error:05800074:x509 certificate routines::key values mismatch)");
}

TEST_F(TlsCredentialsTest, ConfiguresTls12MinimumAndRequiredClientCertificates) {
  Result<TlsCredentials> loaded = load_tls_credentials(server_files(cert("ca.crt")));
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  SslCtxPtr context = server_context();
  ASSERT_TRUE(loaded->configure(context.get()).ok());
  EXPECT_EQ(SSL_CTX_get_min_proto_version(context.get()), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_verify_mode(context.get()),
            SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  EXPECT_NE(SSL_CTX_get_options(context.get()) & SSL_OP_NO_COMPRESSION, 0u);
  EXPECT_NE(SSL_CTX_get_options(context.get()) & SSL_OP_NO_RENEGOTIATION, 0u);
  EXPECT_EQ(SSL_CTX_get0_certificate(context.get()), loaded->certificate());
  EXPECT_EQ(SSL_CTX_check_private_key(context.get()), 1);
  const STACK_OF(X509_NAME)* names = SSL_CTX_get_client_CA_list(context.get());
  ASSERT_EQ(sk_X509_NAME_num(names), 1);
  char name[256];
  X509_NAME_oneline(sk_X509_NAME_value(names, 0), name, sizeof(name));
  EXPECT_STREQ(name, "/CN=epc-extender test CA");
}

TEST_F(TlsCredentialsTest, WithoutClientCaAsksForNoClientCertificate) {
  Result<TlsCredentials> loaded = load_tls_credentials(server_files());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  SslCtxPtr context = server_context();
  ASSERT_TRUE(loaded->configure(context.get()).ok());
  EXPECT_EQ(SSL_CTX_get_verify_mode(context.get()), SSL_VERIFY_NONE);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(context.get()), TLS1_2_VERSION);
}

// A watcher over copies of the server files in dir_, checking on every configure().
class TlsWatcherTest : public TlsCredentialsTest {
 protected:
  void SetUp() override {
    TlsCredentialsTest::SetUp();
    files_ = {dir_.file("tls.crt"), dir_.file("tls.key"), std::nullopt};
    ASSERT_TRUE(test::replace_file(cert("server.crt"), files_.certificate));
    ASSERT_TRUE(test::replace_file(cert("server.key"), files_.private_key));
  }
  std::shared_ptr<TlsCredentialsWatcher> open() {
    Result<std::shared_ptr<TlsCredentialsWatcher>> watcher =
        TlsCredentialsWatcher::open(files_, {.interval = std::chrono::milliseconds(0),
                                             .info = info_.sink(),
                                             .warning = warning_.sink()});
    EXPECT_TRUE(watcher.ok()) << watcher.error().message;
    return watcher.ok() ? *watcher : nullptr;
  }
  // The serial of the certificate a new connection would be given.
  static std::string configured_serial(TlsCredentialsWatcher& watcher) {
    boost::asio::ssl::context context(boost::asio::ssl::context::sslv23);
    watcher.configure(context);
    const X509* served = SSL_CTX_get0_certificate(context.native_handle());
    return served == nullptr ? "none" : serial_hex(served);
  }
  static std::string serial(const std::string& name) { return test::serial_of_file(cert(name)); }

  TlsFiles files_;
  test::CapturedLog info_;
  test::CapturedLog warning_;
};

TEST_F(TlsWatcherTest, OpenFailsOnBadFiles) {
  files_.private_key = cert("server2.key");
  Result<std::shared_ptr<TlsCredentialsWatcher>> watcher = TlsCredentialsWatcher::open(files_, {});
  ASSERT_FALSE(watcher.ok());
  EXPECT_THAT(watcher.error().message, HasSubstr("does not match the certificate"));
}

TEST_F(TlsWatcherTest, UnchangedFilesAreNotReloaded) {
  std::shared_ptr<TlsCredentialsWatcher> watcher = open();
  ASSERT_TRUE(watcher);
  EXPECT_EQ(configured_serial(*watcher), serial("server.crt"));
  EXPECT_EQ(configured_serial(*watcher), serial("server.crt"));
  EXPECT_EQ(watcher->generation(), 0u);
  EXPECT_TRUE(info_.lines().empty());
}

// A rotation that writes the certificate, then the key: the half-way pair is refused (logged once)
// and the old pair served until the key arrives.
TEST_F(TlsWatcherTest, TwoStepRotationKeepsTheOldPairUntilTheKeyArrives) {
  std::shared_ptr<TlsCredentialsWatcher> watcher = open();
  ASSERT_TRUE(watcher);
  ASSERT_TRUE(test::replace_file(cert("server2.crt"), files_.certificate));
  EXPECT_EQ(configured_serial(*watcher), serial("server.crt"));
  EXPECT_EQ(configured_serial(*watcher), serial("server.crt"));
  ASSERT_TRUE(watcher->last_reload_error().has_value());
  EXPECT_THAT(*watcher->last_reload_error(), HasSubstr("does not match the certificate"));
  EXPECT_THAT(warning_.lines(),
              ElementsAre("TLS credentials reload failed, keeping the certificate serial " +
                          serial("server.crt") + ": --tls-private-key-file " + files_.private_key +
                          ": does not match the certificate in " + files_.certificate +
                          " (error:05800074:x509 certificate routines::key values mismatch)"));

  ASSERT_TRUE(test::replace_file(cert("server2.key"), files_.private_key));
  EXPECT_EQ(configured_serial(*watcher), serial("server2.crt"));
  EXPECT_EQ(watcher->generation(), 1u);
  EXPECT_FALSE(watcher->last_reload_error().has_value());
  EXPECT_THAT(info_.lines(), ElementsAre("TLS credentials reloaded from " + files_.certificate +
                                         ": certificate serial " + serial("server2.crt")));
}

// Kubernetes Secret volumes: tls.crt -> ..data/tls.crt, and ..data re-pointed atomically.
TEST_F(TlsWatcherTest, FollowsASecretVolumeSymlinkSwap) {
  namespace fs = std::filesystem;
  const fs::path volume = dir_.file("volume");
  fs::create_directories(volume / "..2024_01");
  fs::create_directories(volume / "..2024_02");
  fs::copy_file(cert("server.crt"), volume / "..2024_01" / "tls.crt");
  fs::copy_file(cert("server.key"), volume / "..2024_01" / "tls.key");
  fs::copy_file(cert("server2.crt"), volume / "..2024_02" / "tls.crt");
  fs::copy_file(cert("server2.key"), volume / "..2024_02" / "tls.key");
  fs::create_directory_symlink("..2024_01", volume / "..data");
  fs::create_symlink("..data/tls.crt", volume / "tls.crt");
  fs::create_symlink("..data/tls.key", volume / "tls.key");
  files_ = {(volume / "tls.crt").string(), (volume / "tls.key").string(), std::nullopt};
  std::shared_ptr<TlsCredentialsWatcher> watcher = open();
  ASSERT_TRUE(watcher);
  EXPECT_EQ(configured_serial(*watcher), serial("server.crt"));

  fs::create_directory_symlink("..2024_02", volume / "..data_tmp");
  fs::rename(volume / "..data_tmp", volume / "..data");
  EXPECT_EQ(configured_serial(*watcher), serial("server2.crt"));
  EXPECT_EQ(watcher->generation(), 1u);
  EXPECT_TRUE(warning_.lines().empty());
}

TEST_F(TlsWatcherTest, ABrokenReplacementIsLoggedOnceAndTheOldCertificateKept) {
  std::shared_ptr<TlsCredentialsWatcher> watcher = open();
  ASSERT_TRUE(watcher);
  {
    std::ofstream(files_.certificate + ".new") << "not a certificate\n";
    std::filesystem::rename(files_.certificate + ".new", files_.certificate);
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(configured_serial(*watcher), serial("server.crt"));
  ASSERT_EQ(warning_.lines().size(), 1u);
  EXPECT_THAT(warning_.lines()[0], HasSubstr(": --tls-cert-file " + files_.certificate +
                                             ": no PEM certificate (error:0480006C:PEM "
                                             "routines::no start line)"));
  // A forced check reports the error without logging it again.
  EXPECT_FALSE(watcher->check_now().ok());
  EXPECT_EQ(warning_.lines().size(), 1u);
  // Fixed: picked up, error cleared.
  ASSERT_TRUE(test::replace_file(cert("server.crt"), files_.certificate));
  EXPECT_EQ(configured_serial(*watcher), serial("server.crt"));
  EXPECT_FALSE(watcher->last_reload_error().has_value());
  EXPECT_EQ(watcher->generation(), 1u);
}

// Connections set up while the files flip between two pairs always get a matching pair.
TEST_F(TlsWatcherTest, ConcurrentConnectionsDuringReloadsGetWholePairs) {
  std::shared_ptr<TlsCredentialsWatcher> watcher = open();
  ASSERT_TRUE(watcher);
  const auto install = [&](const std::string& pair) {
    return test::replace_file(cert(pair + ".crt"), files_.certificate) &&
           test::replace_file(cert(pair + ".key"), files_.private_key);
  };
  ASSERT_TRUE(install("server2"));  // so that the first connection already reloads
  constexpr int kThreads = 4;
  constexpr int kConnections = 150;
  std::atomic<int> mismatched{0};
  std::atomic<int> configured{0};
  std::vector<std::thread> connections;
  for (int t = 0; t < kThreads; ++t) {
    connections.emplace_back([&] {
      for (int i = 0; i < kConnections; ++i) {
        boost::asio::ssl::context context(boost::asio::ssl::context::sslv23);
        watcher->configure(context);
        if (SSL_CTX_check_private_key(context.native_handle()) != 1) ++mismatched;
        ++configured;
      }
    });
  }
  bool installed = true;  // no ASSERT before the join: the threads must be joined
  for (int flip = 0; installed && configured.load() < kThreads * kConnections; ++flip) {
    installed = install(flip % 2 == 0 ? "server" : "server2");
  }
  for (std::thread& connection : connections) connection.join();
  EXPECT_TRUE(installed);
  EXPECT_EQ(mismatched.load(), 0);
  EXPECT_GE(watcher->generation(), 1u);
}

TEST_F(TlsWatcherTest, LooksAtTheFilesAtMostOncePerInterval) {
  auto now = std::chrono::steady_clock::time_point{};
  Result<std::shared_ptr<TlsCredentialsWatcher>> opened = TlsCredentialsWatcher::open(
      files_, {.interval = std::chrono::seconds(1), .clock = [&now] { return now; }});
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  TlsCredentialsWatcher& watcher = **opened;
  ASSERT_TRUE(test::replace_file(cert("server2.crt"), files_.certificate));
  ASSERT_TRUE(test::replace_file(cert("server2.key"), files_.private_key));
  now += std::chrono::milliseconds(999);
  EXPECT_EQ(configured_serial(watcher), serial("server.crt"));
  now += std::chrono::milliseconds(1);
  EXPECT_EQ(configured_serial(watcher), serial("server2.crt"));
}

}  // namespace
}  // namespace epc
