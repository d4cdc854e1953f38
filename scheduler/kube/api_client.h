// ApiClient: the few Kubernetes API calls epc-extender makes (get, watch, create a Binding or an
// Event, and consolidation's other writes), over cpprestsdk's asynchronous HTTP client.
//
// TLS and authentication follow the KubeConnection (CA, client certificate, insecure-skip-verify,
// TLS server name, a bearer token re-read from its file when it rotates). Nothing here throws:
// every library exception is caught in the continuation that would see it and becomes a value
// (an ApiResponse with a transport error, an Error). Watch streams are read incrementally with
// continuations only, so no cpprestsdk pool thread ever waits for the network.
#pragma once

#include <cpprest/http_client.h>
#include <pplx/pplxtasks.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "model/result.h"
#include "scheduler/kube/bearer_token.h"
#include "scheduler/kube/kube_connection.h"

namespace epc {

struct ApiClientOptions {
  // Whole-request limit for get, write, create_binding and create_event.
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  // Limit for a watch stream; must exceed the watch's timeoutSeconds so that the server, not
  // the client, normally ends it.
  std::chrono::milliseconds watch_timeout = std::chrono::minutes(11);
  std::string user_agent = "epc-extender";
  // How often a token file is checked for rotation.
  std::chrono::milliseconds token_check_interval = std::chrono::seconds(1);
};

struct ApiResponse {
  int status = 0;  // 0 when no response arrived
  std::string body;
  std::string transport_error;  // why no response arrived; empty when one did

  bool ok() const { return transport_error.empty() && status >= 200 && status < 300; }
  // For messages: the transport error, or `HTTP 503: <Status message or body>`.
  std::string describe() const;
};

// How a watch ended: `result` is ok when the server closed the stream cleanly. `http_status` is
// the status of the response (0 when none arrived), so that callers can tell 410 Gone apart.
struct WatchEnd {
  Result<void> result;
  int http_status = 0;
};

// How creating an object ended: `result` is ok on a 2xx. `http_status` is the status of the
// response (0 when none arrived), so that callers can tell a refusal from a failure that leaves
// the write in doubt without reading the message.
struct CreateOutcome {
  Result<void> result;
  int http_status = 0;
};

class ApiClient {
 public:
  using LineHandler = std::function<Result<void>(std::string_view line)>;

  // Reads the PEM files named by `connection` now, so that a missing or bad file is reported at
  // startup rather than as a failing request.
  static Result<std::unique_ptr<ApiClient>> create(const KubeConnection& connection,
                                                   ApiClientOptions options = {});

  const std::string& server() const { return server_; }

  pplx::task<ApiResponse> get(std::string path_and_query,
                              pplx::cancellation_token cancel = pplx::cancellation_token::none());

  // A write other than a Binding or an Event (consolidation's evictions, taints and its Lease):
  // sends `body` with `content_type`; answers as `get` does (request timeout applies).
  pplx::task<ApiResponse> write(const web::http::method& method, std::string path_and_query,
                                std::string body, std::string content_type = "application/json");

  // Calls `on_line` for each complete line of the response body as it arrives; `on_open` (when
  // set) once the server has answered 200. A failing `on_line` ends the watch with its error; a
  // stream broken off mid-line is an error. Cancelling `cancel` closes the connection.
  pplx::task<WatchEnd> watch(std::string path_and_query, LineHandler on_line,
                             pplx::cancellation_token cancel, std::function<void()> on_open = {});

  // POST /api/v1/namespaces/{ns}/pods/{name}/binding. Errors carry the status and the server's
  // message, e.g. `binding default/x to node-1: HTTP 409: ... pod x is already assigned to node
  // "node-0"`; the status is also in the outcome's http_status.
  pplx::task<CreateOutcome> create_binding(std::string pod_namespace, std::string pod_name,
                                           std::string pod_uid, std::string node_name);

  // POST /api/v1/namespaces/{ns}/events with `event_json`, a core/v1 Event. Errors read like
  // `event default/x.0123456789abcdef: HTTP 403: ...`.
  pplx::task<Result<void>> create_event(std::string event_namespace, std::string event_name,
                                        std::string event_json);

 private:
  ApiClient(std::string server, web::http::client::http_client requests,
            web::http::client::http_client watches, std::string host_header,
            std::shared_ptr<BearerToken> token, std::string user_agent);

  // A request with the common headers; an Error when the token file cannot be read.
  Result<web::http::http_request> make_request(const web::http::method& method,
                                               const std::string& path_and_query);
  // Sends `request` (built by make_request) on the short-timeout client.
  pplx::task<ApiResponse> send(Result<web::http::http_request> request,
                               pplx::cancellation_token cancel);
  // Creates an object: POSTs `json` to `path`; an Error starts with `what`.
  pplx::task<CreateOutcome> post(const std::string& path, std::string json, std::string what);

  std::string server_;
  web::http::client::http_client requests_;
  web::http::client::http_client watches_;  // a longer timeout
  std::string host_header_;                 // tls-server-name: the name TLS verifies and sends
  std::shared_ptr<BearerToken> token_;
  std::string user_agent_;
};

}  // namespace epc
