// Helpers of the TLS tests: certificates generated at test time, and the openssl and curl clients.
//
// TestCertificates runs make_test_certs.sh into a fresh temporary directory (removed afterwards),
// so no key material is checked in and no certificate in the tests can expire. The clients run as
// child processes with stdin from /dev/null and a bounded wait, so a server that never answers
// fails the test instead of hanging it.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "http_test_support.h"

namespace epc::test {

class TestCertificates {
 public:
  TestCertificates();  // check ok()
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  // The path of a file make_test_certs.sh writes, e.g. "ca.crt".
  std::string file(const std::string& name) const { return dir_.file(name); }

 private:
  TempDir dir_;
  bool ok_ = false;
  std::string error_;
};

// A test suite sharing one set of certificates, made once for the suite (openssl takes a while).
class CertificatesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = std::make_unique<TestCertificates>(); }
  static void TearDownTestSuite() { certs_.reset(); }
  void SetUp() override { ASSERT_TRUE(certs_->ok()) << certs_->error(); }

  static std::string cert(const std::string& name) { return certs_->file(name); }

 private:
  static inline std::unique_ptr<TestCertificates> certs_;
};

struct CommandResult {
  std::optional<int> exit_code;  // nullopt: killed or timed out
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] looked up in PATH) with stdin from /dev/null; kills it after `timeout`.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(20));

// `openssl x509 -noout -serial` of a certificate file: upper-case hex, or "" on failure.
std::string serial_of_file(const std::string& certificate);

// Replaces `to` atomically with a copy of `from` (a new inode, as most tools write).
bool replace_file(const std::string& from, const std::string& to);

}  // namespace epc::test
