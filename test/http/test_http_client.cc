#include "test_http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace epc::test {
namespace {

timeval to_timeval(std::chrono::milliseconds timeout) {
  timeval value{};
  value.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  value.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  return value;
}

int connect_loopback(int port, std::chrono::milliseconds timeout) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  const timeval limit = to_timeval(timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
  const auto found = headers.find(name);
  return found == headers.end() ? std::string() : found->second;
}

TestConnection::TestConnection(int port, std::chrono::milliseconds timeout)
    : fd_(connect_loopback(port, timeout)) {}

TestConnection::~TestConnection() {
  close();
}

TestConnection::TestConnection(TestConnection&& other) noexcept
    : fd_(other.fd_), buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
}

void TestConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void TestConnection::finish_sending() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

bool TestConnection::send(std::string_view bytes) {
  while (!bytes.empty() && fd_ >= 0) {
    const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return bytes.empty();
}

Result<void> TestConnection::fill() {
  if (fd_ < 0) return make_error("not connected");
  char chunk[16 * 1024];
  const ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
  if (got == 0) return make_error("connection closed by the server");
  if (got < 0) {
    const bool timed_out = errno == EAGAIN || errno == EWOULDBLOCK;
    return make_error(timed_out ? "timed out waiting for the server" : std::strerror(errno));
  }
  buffer_.append(chunk, static_cast<size_t>(got));
  return {};
}

Result<std::string> TestConnection::read_line() {
  size_t end = buffer_.find("\r\n");
  while (end == std::string::npos) {
    if (Result<void> more = fill(); !more) return more.error();
    end = buffer_.find("\r\n");
  }
  std::string line = buffer_.substr(0, end);
  buffer_.erase(0, end + 2);
  return line;
}

Result<std::string> TestConnection::read_exactly(size_t count) {
  while (buffer_.size() < count) {
    if (Result<void> more = fill(); !more) return more.error();
  }
  std::string bytes = buffer_.substr(0, count);
  buffer_.erase(0, count);
  return bytes;
}

Result<std::string> TestConnection::read_chunked() {
  std::string body;
  while (true) {
    Result<std::string> size_line = read_line();
    if (!size_line) return size_line.error();
    const size_t size = std::stoul(*size_line, nullptr, 16);
    Result<std::string> chunk = read_exactly(size + 2);  // data + CRLF
    if (!chunk) return chunk.error();
    if (size == 0) return body;
    body.append(*chunk, 0, size);
  }
}

Result<HttpResponse> TestConnection::read_response() {
  Result<std::string> status_line = read_line();
  if (!status_line) return status_line.error();
  HttpResponse response;
  if (status_line->size() < 12 || !status_line->starts_with("HTTP/1.")) {
    return make_error("bad status line \"" + *status_line + "\"");
  }
  response.status = std::stoi(status_line->substr(9, 3));
  while (true) {
    Result<std::string> line = read_line();
    if (!line) return line.error();
    if (line->empty()) break;
    const size_t colon = line->find(':');
    if (colon == std::string::npos) return make_error("bad header line \"" + *line + "\"");
    response.headers[lower(line->substr(0, colon))] =
        trim(std::string_view(*line).substr(colon + 1));
  }
  Result<std::string> body =
      lower(response.header("transfer-encoding")) == "chunked"
          ? read_chunked()
          : read_exactly(response.header("content-length").empty()
                             ? 0
                             : std::stoul(response.header("content-length")));
  if (!body) return body.error();
  response.body = std::move(*body);
  return response;
}

bool TestConnection::closed_by_peer() {
  if (!buffer_.empty()) return false;
  const Result<void> more = fill();
  if (more) return false;
  return more.error().message != "timed out waiting for the server";
}

std::string post_request(std::string_view path, std::string_view body,
                         std::string_view extra_headers) {
  std::string request = "POST " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                        "User-Agent: Go-http-client/1.1\r\nContent-Type: application/json\r\n" +
                        "Content-Length: " + std::to_string(body.size()) + "\r\n" +
                        std::string(extra_headers) + "\r\n";
  request += body;
  return request;
}

std::string get_request(std::string_view path) {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

Result<HttpResponse> send_request(int port, std::string_view request,
                                  std::chrono::milliseconds timeout) {
  TestConnection connection(port, timeout);
  if (!connection.connected()) return make_error("cannot connect to port " + std::to_string(port));
  if (!connection.send(request)) return make_error("cannot send the request");
  return connection.read_response();
}

}  // namespace epc::test
