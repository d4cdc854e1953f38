// Helpers of the TLS tests: certificates generated at test time, and the openssl and curl clients.
//
// TestCertificates runs make_test_certs.sh into a fresh temporary directory (removed afterwards),
// so no key material is checked in and no certificate in the tests can expire. The clients run as
// child processes with stdin from /dev/null and a bounded wait, so a server that never answers
// fails the test instead of hanging it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace epc::test {

// A directory removed with everything in it when this goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

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
