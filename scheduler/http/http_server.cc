#include "scheduler/http/http_server.h"

#include <chrono>
#include <optional>
#include <thread>
#include <utility>

#include <cpprest/http_listener.h>

#include "scheduler/http/free_port.h"
#include "scheduler/http/in_flight.h"
#include "scheduler/http/request_handler.h"
#include "scheduler/http/tls_credentials_watcher.h"

namespace epc {
namespace {

using web::http::experimental::listener::http_listener;

// After the grace period only replies already being written and continuations already running
// remain; this only bounds a shutdown when a client does not read its reply or a continuation
// was lost.
constexpr std::chrono::seconds kDrainTimeout{10};

// The listener reports a reply delivered before it has finished with the connection (it then starts
// reading the next request); closing in between crashes it (a socket operation started on a
// descriptor being closed). The rest of that handler takes microseconds.
constexpr std::chrono::milliseconds kListenerSettleTime{50};

std::string url_for(const std::string& host, int port, bool tls) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return std::string(tls ? "https://" : "http://") + (ipv6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

// The listener serves HTTPS when its URI says so, calling this for every accepted connection
// before the handshake.
web::http::experimental::listener::http_listener_config listener_config(
    const std::shared_ptr<TlsCredentialsWatcher>& tls) {
  web::http::experimental::listener::http_listener_config config;
  if (tls) {
    config.set_ssl_context_callback(
        [tls](boost::asio::ssl::context& context) { tls->configure(context); });
  }
  return config;
}

}  // namespace

struct HttpServer::Impl {
  Impl(HttpServerOptions opts, const ExtenderService& svc)
      : options(std::move(opts)), service(svc) {
    if (!options.log) options.log = stderr_log_sink();
  }

  HttpServerOptions options;
  const ExtenderService& service;
  std::shared_ptr<InFlightRequests> in_flight = std::make_shared<InFlightRequests>();
  std::optional<http_listener> listener;
  std::unique_ptr<ConnectionReaper> reaper;  // while listening
  int bound_port = 0;
};

HttpServer::HttpServer(HttpServerOptions options, const ExtenderService& service)
    : impl_(std::make_unique<Impl>(std::move(options), service)) {}

HttpServer::~HttpServer() {
  stop();
}

Result<void> HttpServer::start() {
  Impl& impl = *impl_;
  if (impl.listener) return make_error("server already listening on " + url());
  if (impl.options.host.find(':') != std::string::npos) {
    // cpprestsdk splits "host:port" at the first colon, so it cannot resolve an IPv6 literal.
    return make_error("cannot listen on " +
                      url_for(impl.options.host, impl.options.port, impl.options.tls != nullptr) +
                      ": cpprestsdk's listener does not support IPv6 addresses; use an IPv4 "
                      "address or a host name");
  }
  int port = impl.options.port;
  if (port < 0 || port > 65535) {
    return make_error("invalid port " + std::to_string(port) + ": expected 0..65535");
  }
  if (port == 0) {
    Result<int> picked = pick_free_port(impl.options.host);
    if (!picked) return picked.error();
    port = *picked;
  }
  const std::string address = url_for(impl.options.host, port, impl.options.tls != nullptr);
  impl.in_flight = std::make_shared<InFlightRequests>();  // a restarted server is not stopping
  std::vector<std::string> page_paths;
  for (const Page& page : impl.options.pages) page_paths.push_back(page.path);
  auto handler = std::make_shared<const RequestHandler>(
      impl.service,
      RequestHandler::Settings{
          Router(impl.options.prefix, std::move(page_paths), impl.options.verbs),
          impl.options.max_body_bytes, impl.options.version, impl.options.readiness,
          impl.options.pages, impl.options.on_verb_reply},
      impl.options.log, impl.in_flight);
  const auto handle = [handler](const web::http::http_request& request) { (*handler)(request); };
  try {
    impl.listener.emplace(web::uri(address), listener_config(impl.options.tls));
    impl.listener->support(handle);
    // The listener answers these two itself unless given a handler; ours routes them to 404/405.
    impl.listener->support(web::http::methods::OPTIONS, handle);
    impl.listener->support(web::http::methods::TRCE, handle);
    impl.listener->open().wait();
  } catch (const std::exception& e) {
    impl.listener.reset();
    return make_error("cannot listen on " + address + ": " + e.what());
  }
  impl.bound_port = port;
  impl.reaper =
      std::make_unique<ConnectionReaper>(port, impl.options.connection_limits, impl.options.log);
  return {};
}

void HttpServer::start_draining() {
  if (impl_->listener) impl_->in_flight->start_draining();
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  Impl& impl = *impl_;
  if (!impl.listener) return;
  impl.in_flight->start_draining();
  if (!impl.in_flight->wait_admitted_answered(grace)) {
    impl.options.log("stopping " + url() + ": " + std::to_string(impl.in_flight->admitted()) +
                     " requests still unanswered after the grace period of " +
                     std::to_string(grace.count()) + " ms; closing their connections");
  }
  // Order matters (see InFlightRequests): no reply may race the listener's close.
  impl.in_flight->stop_accepting();
  if (!impl.in_flight->wait_not_busy(kDrainTimeout)) {
    impl.options.log("stopping " + url() + ": " + std::to_string(impl.in_flight->busy()) +
                     " replies still being delivered after " +
                     std::to_string(kDrainTimeout.count()) + " s; closing anyway");
  }
  std::this_thread::sleep_for(kListenerSettleTime);
  impl.reaper.reset();
  try {
    impl.listener->close().wait();
  } catch (const std::exception& e) {
    impl.options.log("closing the listener on " + url() + ": " + e.what());
  }
  impl.listener.reset();
  if (!impl.in_flight->wait_idle(kDrainTimeout)) {
    impl.options.log("stopped " + url() + " with " + std::to_string(impl.in_flight->requests()) +
                     " request continuations still pending");
  }
  impl.bound_port = 0;
}

ConnectionCounts HttpServer::connections() const {
  return impl_->reaper ? impl_->reaper->counts() : ConnectionCounts{};
}

int HttpServer::port() const {
  return impl_->bound_port;
}

std::string HttpServer::url() const {
  return url_for(impl_->options.host, impl_->bound_port, impl_->options.tls != nullptr);
}

}  // namespace epc
