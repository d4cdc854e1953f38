#include "tls_test_support.h"

#include <stdlib.h>

#include <filesystem>
#include <system_error>

#include "child_process.h"

namespace epc::test {

TestCertificates::TestCertificates() {
  if (dir_.path().empty()) {
    error_ = "cannot create a temporary directory";
    return;
  }
  const CommandResult made = run_command(
      {"/bin/sh", std::string(EPC_SOURCE_DIR) + "/test/http/make_test_certs.sh", dir_.path()});
  ok_ = made.exit_code == 0;
  if (!ok_) error_ = "make_test_certs.sh failed: " + made.out + made.err;
}

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  // sh only redirects stdin (s_client would otherwise wait on it) and finds the program in PATH;
  // the arguments pass through unquoted and unchanged.
  std::vector<std::string> shell = {"/bin/sh", "-c", "exec \"$0\" \"$@\" </dev/null"};
  shell.insert(shell.end(), argv.begin(), argv.end());
  ChildProcess child(shell);
  CommandResult result;
  if (!child.started()) {
    result.err = "cannot start " + argv.front();
    return result;
  }
  result.exit_code = child.wait_exit(timeout);
  result.out = child.stdout_text();
  result.err = child.stderr_text();
  return result;
}

std::string serial_of_file(const std::string& certificate) {
  const CommandResult printed =
      run_command({"openssl", "x509", "-noout", "-serial", "-in", certificate});
  const std::string prefix = "serial=";
  if (printed.exit_code != 0 || !printed.out.starts_with(prefix)) return "";
  std::string serial = printed.out.substr(prefix.size());
  while (!serial.empty() && (serial.back() == '\n' || serial.back() == '\r')) serial.pop_back();
  return serial;
}

bool replace_file(const std::string& from, const std::string& to) {
  std::error_code error;
  const std::string temporary = to + ".new";
  std::filesystem::copy_file(from, temporary, std::filesystem::copy_options::overwrite_existing,
                             error);
  if (error) return false;
  std::filesystem::rename(temporary, to, error);
  return !error;
}

}  // namespace epc::test
