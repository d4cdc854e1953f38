// A tiny blocking HTTP/1.1 client over POSIX sockets, for the HTTP tests only.
//
// Tests need raw control over what goes on the wire (partial bodies, chunked bodies, several
// requests on one connection, connections left stalled), which a real client library hides. Every
// socket has send and receive timeouts, so a server that never answers fails a test instead of
// hanging it.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "model/result.h"

namespace epc::test {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // "" when absent; `name` in lower case.
  std::string header(const std::string& name) const;
};

class TestConnection {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{10'000};

  // Connects to 127.0.0.1:`port`; check connected().
  explicit TestConnection(int port, std::chrono::milliseconds timeout = kDefaultTimeout);
  ~TestConnection();
  TestConnection(TestConnection&& other) noexcept;
  TestConnection& operator=(TestConnection&&) = delete;
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(std::string_view bytes);
  // Half-closes: the server sees the end of the stream, and replies can still be read.
  void finish_sending();
  // Reads one response (Content-Length or chunked body); errors on timeout or early close.
  Result<HttpResponse> read_response();
  // True when the server has closed the connection (EOF or reset) within the timeout.
  bool closed_by_peer();
  void close();

 private:
  Result<void> fill();  // reads more bytes into buffer_
  Result<std::string> read_line();
  Result<std::string> read_exactly(size_t count);
  Result<std::string> read_chunked();

  int fd_ = -1;
  std::string buffer_;  // received, not yet consumed
};

// Request texts. Content-Length is set from `body`; `extra_headers` are complete lines.
std::string post_request(std::string_view path, std::string_view body,
                         std::string_view extra_headers = "");
std::string get_request(std::string_view path);

// One request on a fresh connection.
Result<HttpResponse> send_request(
    int port, std::string_view request,
    std::chrono::milliseconds timeout = TestConnection::kDefaultTimeout);

}  // namespace epc::test
