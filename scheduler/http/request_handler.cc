#include "scheduler/http/request_handler.h"

#include <atomic>
#include <chrono>
#include <optional>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "scheduler/http/body_reader.h"
#include "scheduler/http/same_thread_scheduler.h"
#include "scheduler/wire/extender_codec.h"

namespace epc {
namespace {

using web::http::header_names;
using web::http::http_request;

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::string allow;     // 405 only
  bool close = false;    // the request's body was not consumed
  std::string log_text;  // for status >= 400; the body when empty
};

Response error_response(int status, std::string message, bool close) {
  Response response{status, encode_error(message), "application/json", {}, close, {}};
  response.log_text = std::move(message);
  return response;
}

Response internal_error(std::string_view what) {
  return error_response(500, "internal error: " + std::string(what), true);
}

Response text_response(std::string text, bool close) {
  return Response{200, std::move(text), "text/plain; charset=utf-8", {}, close, {}};
}

// Observes a task's failure, which pplx would otherwise answer by aborting the process. Used where
// the failure needs no action: a reply the client did not wait for, or a body that failed (already
// reported by read_body; the reply is still attempted).
template <class T>
void ignore_failure(pplx::task<T> task) {
  try {
    task.get();
  } catch (...) {
  }
}

// One request and its single reply, shared by every continuation of that request. Holding it
// keeps the request counted as in flight (see InFlightRequests).
class Exchange {
 public:
  Exchange(http_request request, std::shared_ptr<InFlightRequests> in_flight, LogSink log)
      : request_(std::move(request)),
        label_(request_.method() + " " + request_.relative_uri().path()),
        in_flight_(std::move(in_flight)),
        log_(std::move(log)),
        ticket_(in_flight_->enter()) {}

  const http_request& request() const { return request_; }
  bool admitted() const { return ticket_.admitted(); }
  std::chrono::duration<double> elapsed() const { return Clock::now() - arrived_; }

  // Before deciding: false once the server is stopping, and then the request must be left alone.
  bool start_busy() {
    std::optional<InFlightRequests::Ticket> busy = in_flight_->start_busy();
    if (!busy) return false;
    busy_.emplace(std::move(*busy));
    return true;
  }

  // The first call replies; later ones (a failure racing a reply) are ignored. The listener
  // writes a reply only once the request's content is complete (or failed), so the reply is handed
  // over then, under a busy ticket; once the server is stopping there is none, and the listener's
  // close answers instead.
  static void reply(const std::shared_ptr<Exchange>& self, Response response) noexcept {
    if (self->replied_.exchange(true)) return;
    try {
      if (response.status >= 400) {
        self->log(std::to_string(response.status) + " " +
                  (response.log_text.empty() ? response.body : response.log_text));
      }
      if (response.close) abandon_body(self->request_);
      // What content_ready() waits on, without the two continuations it adds: a verb's body has
      // been read whole by now, so this is nearly always done and the reply goes out at once.
      pplx::task<utility::size64_t> ready =
          pplx::create_task(self->request_._get_impl()->_get_data_available());
      if (ready.is_done()) return hand_over(self, std::move(ready), std::move(response));
      ready.then(
          [self, response = std::move(response)](pplx::task<utility::size64_t> arrived) mutable {
            hand_over(self, std::move(arrived), std::move(response));
          },
          on_ready_thread());
    } catch (const std::exception& e) {
      self->log(std::string("reply failed: ") + e.what());
    } catch (...) {
      self->log("reply failed: unknown error");
    }
  }

  void log(std::string_view message) const noexcept {
    try {
      if (log_) log_(label_ + ": " + std::string(message));
    } catch (...) {
      // A failing sink must not take a reply down with it.
    }
  }

 private:
  // Once the request's content is complete (or failed): sends the reply under a busy ticket.
  static void hand_over(const std::shared_ptr<Exchange>& self, pplx::task<utility::size64_t> ready,
                        Response response) noexcept {
    ignore_failure(std::move(ready));
    try {
      if (!self->busy_ && !self->start_busy()) return;
    } catch (...) {
      return self->log("reply failed: could not take a busy ticket");
    }
    send(self, std::move(response));
  }

  static void send(const std::shared_ptr<Exchange>& self, Response response) noexcept {
    try {
      web::http::http_response reply(static_cast<web::http::status_code>(response.status));
      reply.set_body(std::move(response.body), response.content_type);
      if (!response.allow.empty()) reply.headers().add(header_names::allow, response.allow);
      if (response.close) reply.headers().add(header_names::connection, "close");
      // Completes once the reply is written or has failed; `self` holds the busy ticket until then.
      self->request_.reply(reply).then([self](pplx::task<void> sent) { ignore_failure(sent); },
                                       on_ready_thread());
    } catch (const std::exception& e) {
      self->log(std::string("reply failed: ") + e.what());
    } catch (...) {
      self->log("reply failed: unknown error");
    }
  }

  using Clock = std::chrono::steady_clock;

  http_request request_;
  Clock::time_point arrived_ = Clock::now();
  std::string label_;
  std::shared_ptr<InFlightRequests> in_flight_;
  LogSink log_;
  InFlightRequests::Ticket ticket_;
  std::optional<InFlightRequests::Ticket> busy_;
  std::atomic<bool> replied_ = false;
};

// One verb call's reply and its report to the verb observer.
struct VerbCall {
  Verb verb;
  std::shared_ptr<Exchange> exchange;
  VerbReplyObserver observe;

  // Observed first, so that the counters include a call as soon as its client has the reply.
  void reply(Response response, Outcome outcome) const {
    if (observe) observe(verb, outcome, exchange->elapsed());
    Exchange::reply(exchange, std::move(response));
  }
};

// Replies through `call`, at once for a bad body, otherwise when the service answers (a bind
// waits for the API server's answer on another thread).
void decide(const ExtenderService& service, const VerbCall& call, BodyOutcome outcome) {
  switch (outcome.status) {
    case BodyOutcome::Status::kTooLarge:
      return call.reply(error_response(413, std::move(outcome.error), true), Outcome::kInvalid);
    case BodyOutcome::Status::kInvalid:
      return call.reply(error_response(400, std::move(outcome.error), true), Outcome::kInvalid);
    case BodyOutcome::Status::kComplete:
      break;
  }
  if (outcome.body.empty()) {
    return call.reply(error_response(400,
                                     "empty request body: expected a JSON " +
                                         std::string(to_string(call.verb)) + " request",
                                     false),
                      Outcome::kInvalid);
  }
  service.handle(call.verb, std::move(outcome.body), [call](Reply reply) {
    call.reply(Response{reply.status, std::move(reply.body), "application/json", {}, false, {}},
               reply.outcome);
  });
}

void serve_verb(const ExtenderService& service, VerbCall call, size_t max_body_bytes) {
  read_body(call.exchange->request(), max_body_bytes, [&service, call](BodyOutcome outcome) {
    try {
      if (outcome.status == BodyOutcome::Status::kComplete && !call.exchange->start_busy()) return;
      decide(service, call, std::move(outcome));
    } catch (const std::exception& e) {
      call.reply(internal_error(e.what()), Outcome::kError);
    } catch (...) {
      call.reply(internal_error("unknown error"), Outcome::kError);
    }
  });
}

Response page_reply(const Page& page, bool close) {
  try {
    return Response{200, page.render(), page.content_type, {}, close, {}};
  } catch (const std::exception& e) {
    return internal_error("rendering " + page.path + ": " + e.what());
  }
}

Response route_reply(const RouteResult& route, const std::string& method, const std::string& path,
                     bool close, const RequestHandler::Settings& settings) {
  if (std::holds_alternative<NoRoute>(route)) {
    return error_response(404, "no route for " + path, close);
  }
  if (const auto* wrong = std::get_if<WrongMethod>(&route)) {
    Response response = error_response(
        405, "method " + method + " not allowed for " + path + "; use " + wrong->allow, close);
    response.allow = wrong->allow;
    return response;
  }
  const Route& target = std::get<Route>(route);
  switch (target.endpoint) {
    case Endpoint::kPage:
      return page_reply(settings.pages.at(target.page), close);
    case Endpoint::kVersion:
      return Response{
          200, nlohmann::json{{"version", settings.version}}.dump(), "application/json", {}, close,
          {}};
    case Endpoint::kReadyz:
      if (settings.readiness) {
        if (const Readiness ready = settings.readiness(); !ready.ready) {
          Response response = text_response("not ready: " + ready.reason, close);
          response.status = 503;
          return response;
        }
      }
      return text_response("ok", close);
    case Endpoint::kHealthz:  // liveness only: the process answers
    case Endpoint::kVerb:
      break;
  }
  return text_response("ok", close);
}

}  // namespace

RequestHandler::RequestHandler(const ExtenderService& service, Settings settings, LogSink log,
                               std::shared_ptr<InFlightRequests> in_flight)
    : service_(service),
      settings_(std::move(settings)),
      log_(std::move(log)),
      in_flight_(std::move(in_flight)) {}

void RequestHandler::operator()(const http_request& request) const {
  // Draining: answered 503 below. Stopping: left to the listener's close (see InFlightRequests).
  if (in_flight_->stopping()) return;
  std::shared_ptr<Exchange> exchange;
  try {
    exchange = std::make_shared<Exchange>(request, in_flight_, log_);
    if (!exchange->admitted()) {
      return Exchange::reply(exchange, error_response(503, "epc-extender is shutting down", true));
    }
    const std::string path = request.relative_uri().path();
    const RouteResult route = settings_.router.route(request.method(), path);
    const auto* target = std::get_if<Route>(&route);
    if (target != nullptr && target->endpoint == Endpoint::kVerb) {
      return serve_verb(service_, VerbCall{target->verb, exchange, settings_.on_verb_reply},
                        settings_.max_body_bytes);
    }
    // Anything but a verb leaves the body unread.
    Exchange::reply(exchange,
                    route_reply(route, request.method(), path, announces_body(request), settings_));
  } catch (const std::exception& e) {
    if (exchange) Exchange::reply(exchange, internal_error(e.what()));
  } catch (...) {
    if (exchange) Exchange::reply(exchange, internal_error("unknown error"));
  }
}

}  // namespace epc
