#include "fake_apiserver_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cpprest/http_client.h>
#include <chrono>
#include <thread>

extern char** environ;

namespace epc::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStartTimeout = std::chrono::seconds(15);

// Reads stdout until "LISTENING <port>\n"; 0 on timeout or end of output.
int read_port(int fd) {
  std::string text;
  const auto deadline = Clock::now() + kStartTimeout;
  while (Clock::now() < deadline) {
    const auto newline = text.find('\n');
    if (newline != std::string::npos) {
      const std::string prefix = "LISTENING ";
      if (text.rfind(prefix, 0) != 0) return 0;
      return std::stoi(text.substr(prefix.size(), newline - prefix.size()));
    }
    pollfd ready{fd, POLLIN, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (poll(&ready, 1, static_cast<int>(std::max<int64_t>(left.count(), 1))) <= 0) continue;
    char buffer[256];
    const ssize_t got = read(fd, buffer, sizeof buffer);
    if (got <= 0) return 0;
    text.append(buffer, static_cast<size_t>(got));
  }
  return 0;
}

nlohmann::json parse_reply(const web::http::http_response& response, const std::string& what) {
  const std::string body = response.extract_utf8string(true).get();
  EXPECT_LT(response.status_code(), 300) << what << ": " << body;
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << what << ": " << body;
  return parsed.is_discarded() ? nlohmann::json() : parsed;
}

}  // namespace

FakeApiServer::FakeApiServer(const std::vector<std::string>& flags) {
  std::vector<std::string> args = {"python3",
                                   EPC_SOURCE_DIR "/test/fake_apiserver/fake_apiserver.py",
                                   "--port",
                                   "0",
                                   "--exit-on-stdin-eof",
                                   "--max-seconds",
                                   "300"};
  for (const std::string& flag : flags) {
    if (flag == "--tls-cert") tls_ = true;
    args.push_back(flag);
  }
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int in_pipe[2];
  int out_pipe[2];
  // Close-on-exec, so that a binary the test starts later does not hold the server's stdin open
  // (it exits at EOF) or its stdout.
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) return;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_addclose(&actions, in_pipe[1]);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  const int spawned = posix_spawnp(&pid_, "python3", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  stdin_fd_ = in_pipe[1];
  stdout_fd_ = out_pipe[0];
  if (spawned != 0) {
    pid_ = -1;
    return;
  }
  port_ = read_port(stdout_fd_);
}

FakeApiServer::~FakeApiServer() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  if (pid_ > 0) {
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

std::string FakeApiServer::url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

void FakeApiServer::use_client_certificate(std::string cert_file, std::string key_file) {
  client_cert_file_ = std::move(cert_file);
  client_key_file_ = std::move(key_file);
}

namespace {

web::http::client::http_client make_control_client(const std::string& url,
                                                   const std::string& client_cert_file,
                                                   const std::string& client_key_file) {
  web::http::client::http_client_config config;
  config.set_timeout(std::chrono::seconds(10));
  config.set_validate_certificates(false);  // a test's own server
  if (!client_cert_file.empty()) {
    config.set_ssl_context_callback(
        [cert = client_cert_file, key = client_key_file](boost::asio::ssl::context& context) {
          context.use_certificate_chain_file(cert);
          context.use_private_key_file(key, boost::asio::ssl::context::pem);
        });
  }
  return web::http::client::http_client(url, config);
}

}  // namespace

std::string FakeApiServer::control_url(const std::string& path) const {
  return "/_control/" + path;
}

nlohmann::json FakeApiServer::control_get(const std::string& path) const {
  auto response = make_control_client(url(), client_cert_file_, client_key_file_)
                      .request(web::http::methods::GET, control_url(path))
                      .get();
  return parse_reply(response, "GET " + path);
}

nlohmann::json FakeApiServer::control_post(const std::string& path,
                                           const nlohmann::json& body) const {
  auto response =
      make_control_client(url(), client_cert_file_, client_key_file_)
          .request(web::http::methods::POST, control_url(path), body.dump(), "application/json")
          .get();
  return parse_reply(response, "POST " + path + " " + body.dump());
}

void FakeApiServer::remove(const std::string& kind, const std::string& ns,
                           const std::string& name) const {
  nlohmann::json body = {{"kind", kind}, {"name", name}};
  if (!ns.empty()) body["namespace"] = ns;
  control_post("delete", body);
}

void FakeApiServer::close_watches(const std::string& mode) const {
  control_post("close_watches", {{"mode", mode}});
}

}  // namespace epc::test
