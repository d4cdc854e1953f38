// RequestHandler: turns one request from cpprestsdk's listener into exactly one reply.
//
// The listener calls it on one of its pool threads as soon as a request's headers are in; it
// routes, and for an extender verb starts an asynchronous body read whose continuation runs the
// decision and replies, so no pool thread ever waits for a client. Every path replies once: errors
// are {"Error": ...} JSON with 404, 405 (+Allow), 413, 400 or 500, and nothing escapes to the
// listener (whose own fallback is an empty 500). A request whose body is not consumed is answered
// with "Connection: close" after telling the listener to stop reading it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <cpprest/http_msg.h>

#include "scheduler/extender/extender_service.h"
#include "scheduler/http/in_flight.h"
#include "scheduler/http/page.h"
#include "scheduler/http/router.h"
#include "scheduler/log_sink.h"

namespace epc {

class RequestHandler {
 public:
  struct Settings {
    Router router{""};
    size_t max_body_bytes = 64u << 20;
    std::string version;
    std::function<Readiness()> readiness;  // empty: always ready
    std::vector<Page> pages;               // in the order of the router's page paths
    VerbReplyObserver on_verb_reply;       // empty: nobody listens
  };

  // `service` must outlive every request: the server waits for `in_flight` to drain before it
  // lets the service go.
  RequestHandler(const ExtenderService& service, Settings settings, LogSink log,
                 std::shared_ptr<InFlightRequests> in_flight);

  // Never throws.
  void operator()(const web::http::http_request& request) const;

 private:
  const ExtenderService& service_;
  Settings settings_;
  LogSink log_;
  std::shared_ptr<InFlightRequests> in_flight_;
};

}  // namespace epc
