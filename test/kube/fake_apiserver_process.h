// FakeApiServer: test/fake_apiserver/fake_apiserver.py run as a child process on a loopback port,
// with its /_control/ API as blocking calls.
//
// The server exits when its stdin closes, so a crashed test binary leaves nothing behind; the
// destructor closes stdin, waits a bounded time and kills the child if it is still there.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace epc::test {

class FakeApiServer {
 public:
  // `flags` are extra command-line flags (e.g. --token-file PATH). Check started().
  explicit FakeApiServer(const std::vector<std::string>& flags = {});
  ~FakeApiServer();
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  bool started() const { return port_ > 0; }
  int port() const { return port_; }
  // "http://127.0.0.1:<port>" (or https when started with --tls-cert).
  std::string url() const;

  // With --client-ca, the control API needs a client certificate too.
  void use_client_certificate(std::string cert_file, std::string key_file);

  // /_control/<path>; the reply's JSON (a failed call fails the test and returns null).
  nlohmann::json control_get(const std::string& path) const;
  nlohmann::json control_post(const std::string& path, const nlohmann::json& body) const;

  // Shorthands for the control API.
  void put(const nlohmann::json& object) const { control_post("objects", {{"object", object}}); }
  void remove(const std::string& kind, const std::string& ns, const std::string& name) const;
  void set_faults(const nlohmann::json& faults) const { control_post("faults", faults); }
  void close_watches(const std::string& mode) const;
  nlohmann::json requests() const { return control_get("requests")["requests"]; }

 private:
  std::string control_url(const std::string& path) const;

  bool tls_ = false;
  std::string client_cert_file_;
  std::string client_key_file_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
};

}  // namespace epc::test
