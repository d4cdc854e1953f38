// read_body: collects an HTTP request body from cpprestsdk's listener without blocking a thread.
//
// The listener dispatches a request as soon as its headers have arrived and then reads the body on
// its own into a producer/consumer buffer. A handler that waited for it (`extract_string().get()`)
// would hold one of the listener's few pool threads for as long as a slow client dribbles its
// bytes, and a handful of such clients would stop the server. read_body instead chains asynchronous
// reads of 64 KiB slices into a string it owns, with the JSON decoder's padding to spare so the
// body reaches the decoder without a further copy. The string grows with the bytes that have
// arrived, not with the Content-Length a client announces (which costs it nothing to inflate); a
// chunked body is checked against the limit as it grows.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <cpprest/http_msg.h>

namespace epc {

struct BodyOutcome {
  enum class Status { kComplete, kTooLarge, kInvalid };

  Status status = Status::kComplete;
  std::string body;   // kComplete: the whole body, padded for the decoder (see pad_body)
  std::string error;  // otherwise: why, with the sizes or header involved
};

// Calls `done` once with the outcome: when the whole body has arrived, when it passes `max_bytes`
// (kTooLarge; a Content-Length over the limit fails at once, before any byte is read), or when the
// Content-Length header is malformed or the body stream fails, e.g. the client went away
// (kInvalid). When the body is already there (a small one usually is, by the time its handler
// runs), `done` runs before read_body returns, without a continuation; otherwise on the pool
// thread that received the rest. `done` must not throw: it is the end of the chain, and nothing
// after it would observe the failure.
using BodyDone = std::function<void(BodyOutcome)>;
void read_body(const web::http::http_request& request, size_t max_bytes, BodyDone done);

// True when the request announces a body: a chunked one, or a Content-Length other than 0.
bool announces_body(const web::http::http_request& request);

// Gives up on a body nobody will consume: the listener then reads the rest and discards it instead
// of buffering it. It completes the request's content only at the end of the body, and only then
// sends a reply; reply with "Connection: close" so the connection is not reused. (Completing the
// content early from a handler would race the listener's own completion, which pplx does not
// survive.)
void abandon_body(const web::http::http_request& request);

}  // namespace epc
