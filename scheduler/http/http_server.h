// HttpServer: serves the extender verbs over HTTP with cpprestsdk's listener.
//
// Routes: POST {prefix}/filter, /prioritize, /bind, /preempt; GET /healthz, /readyz, /version.
// Unknown paths → 404, wrong method → 405 with Allow, a body over the limit → 413, all with a
// {"Error": ...} body. Handlers never block a pool thread: the body is read with a continuation and
// the decision runs in it, so slow clients hold no thread while they dribble their bytes
// (cpprestsdk has a fixed pool of 40 threads on Linux).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "model/result.h"
#include "scheduler/extender/extender_service.h"

namespace epc {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8888;            // 0: any free port (see HttpServer::port)
  std::string prefix;         // e.g. "/sgx"; "" serves /filter etc.
  size_t max_body_bytes = 64u << 20;
  std::string version = "dev";
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const ExtenderService& service);
  ~HttpServer();  // closes the listener
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Starts listening. Errors say which address could not be bound and why.
  Result<void> start();
  void stop();
  // The port actually bound (resolves port 0).
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace epc
