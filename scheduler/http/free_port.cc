#include "scheduler/http/free_port.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace epc {
namespace {

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};
using AddrInfoPtr = std::unique_ptr<addrinfo, AddrInfoDeleter>;

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

int port_of(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
}

}  // namespace

Result<int> pick_free_port(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int status = getaddrinfo(host.c_str(), "0", &hints, &found); status != 0) {
    return make_error("cannot resolve host \"" + host + "\": " + gai_strerror(status));
  }
  const AddrInfoPtr addresses(found);
  const Socket socket(::socket(addresses->ai_family, addresses->ai_socktype, 0));
  if (socket.fd() < 0) {
    return make_error("cannot pick a free port on " + host + ": socket: " + std::strerror(errno));
  }
  if (::bind(socket.fd(), addresses->ai_addr, addresses->ai_addrlen) != 0) {
    return make_error("cannot pick a free port on " + host + ": bind: " + std::strerror(errno));
  }
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  if (::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    return make_error("cannot pick a free port on " + host +
                      ": getsockname: " + std::strerror(errno));
  }
  return port_of(bound);
}

}  // namespace epc
