// HttpServer: serves the extender verbs over HTTP with cpprestsdk's listener.
//
// Routes: POST {prefix}/filter, /prioritize, /bind, /preempt (unless the options leave the verbs
// out); GET /healthz, /readyz, /version, and the pages given in the options (/metrics, /status,
// /debug/state in the binary). The binary can run two servers on one service: the verbs and every
// page on one address, and the probes and /metrics alone on another (--monitoring-listen).
// Unknown paths → 404, wrong method → 405 with Allow, a body over the limit → 413, all with a
// {"Error": ...} body. Handlers never block a pool thread: the body is read with a continuation and
// the decision runs in it, so slow clients hold no thread while they dribble their bytes (the
// binary serves everything on one thread by default; see GuardedThreadPool).
//
// Limits of the listener that no handler can lift: it has no read timeout and no size limit of its
// own; it never answers `Expect: 100-continue`, so curl stalls a second before sending a large body
// (pass -H 'Expect:'); and it sends a reply only once it has received the request's whole body.
// A reply that leaves the body unread (404, 405, 413) is therefore decided at once, but goes out
// after the listener has read and discarded the rest of the body (nothing is buffered), and then
// the connection is closed. The listener also never times a connection out nor limits their
// number; a ConnectionReaper does that from outside it (see ConnectionLimits). stop() drains before
// it closes the listener, which crashes when a reply races its close (see InFlightRequests).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/result.h"
#include "scheduler/extender/extender_service.h"
#include "scheduler/http/connection_deadlines.h"
#include "scheduler/http/connection_reaper.h"
#include "scheduler/http/page.h"
#include "scheduler/http/router.h"
#include "scheduler/log_sink.h"

namespace epc {

class TlsCredentialsWatcher;

struct HttpServerOptions {
  std::string host =
      "127.0.0.1";     // an IPv4 address or a name; IPv6 is not supported by the listener
  int port = 8888;     // 0: any free port (see HttpServer::port)
  std::string prefix;  // e.g. "/sgx"; "" serves /filter etc.; normalised like kube-scheduler
  size_t max_body_bytes = 64u << 20;
  std::string version = "dev";
  LogSink log;  // one line per failed request; empty: stderr
  // Answers /readyz: 503 with the reason while the state source is not ready. Empty: always ready.
  std::function<Readiness()> readiness;
  // kNotServed: a listener for probes and pages only, where the verbs are unknown paths (404).
  Verbs verbs = Verbs::kServed;
  // Read-only GET endpoints at the root (/metrics, /status, ...); their paths must not clash with
  // the probes.
  std::vector<Page> pages;
  VerbReplyObserver on_verb_reply;  // request metrics; empty: none
  ConnectionLimits connection_limits;
  // Set: HTTPS only, each connection set up with the credentials in force (client certificates
  // required when they include a client CA). Null: plain HTTP.
  std::shared_ptr<TlsCredentialsWatcher> tls;
};

class HttpServer {
 public:
  // `service` must outlive the server.
  HttpServer(HttpServerOptions options, const ExtenderService& service);
  ~HttpServer();  // stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Starts listening. Errors say which address could not be bound and why.
  Result<void> start();
  // Turns every request that arrives from now on away with 503, as stop() does first; for a caller
  // that announces the drain before stop() blocks, so that the announcement is true when read.
  void start_draining();
  // Drains, then closes: a request that arrives from now on is answered 503 with its connection
  // closed; requests already arriving or being decided have up to `grace` to be answered; then
  // the listener closes with its connections. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // The port actually bound (resolves port 0); 0 before start().
  int port() const;
  // "http://127.0.0.1:8888" ("https://..." with TLS), with the bound port; the prefix is not
  // included.
  std::string url() const;
  // Open connections and those closed for overstaying (see ConnectionLimits); zero when stopped.
  ConnectionCounts connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace epc
